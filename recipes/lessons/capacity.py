#!/usr/bin/env python3
"""Lesson: model capacity: under- and overfitting across a depth and width sweep of a small CNN.

The same as `classiczoo lesson capacity` (its flags: `--help`); the lesson is
`components.lessons.capacity`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import capacity

    capacity.main(argv, prog="python recipes/lessons/capacity.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
