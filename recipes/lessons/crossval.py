#!/usr/bin/env python3
"""Lesson: k-fold cross-validation against a single hold-out estimate, over several seeds.

The same as `classiczoo lesson crossval` (its flags: `--help`); the lesson is
`components.lessons.crossval`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import crossval

    crossval.main(argv, prog="python recipes/lessons/crossval.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
