#!/usr/bin/env python3
"""Lesson: mini-batch size: batch size 1, 32 and the full batch, for the same epochs.

The same as `classiczoo lesson minibatch` (its flags: `--help`); the lesson is
`components.lessons.minibatch`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import minibatch

    minibatch.main(argv, prog="python recipes/lessons/minibatch.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
