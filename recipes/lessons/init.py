#!/usr/bin/env python3
"""Lesson: weight initialization, seen in the activations of a deep tanh and ReLU net.

The same as `classiczoo lesson init` (its flags: `--help`); the lesson is
`components.lessons.init`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import init

    init.main(argv, prog="python recipes/lessons/init.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
