#!/usr/bin/env python3
"""Lesson: regularization, bias vs variance: no regularization, L2 and dropout on few images.

The same as `classiczoo lesson regularization` (its flags: `--help`); the lesson is
`components.lessons.regularization`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import regularization

    regularization.main(argv, prog="python recipes/lessons/regularization.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
