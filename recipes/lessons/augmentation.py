#!/usr/bin/env python3
"""Lesson: data augmentation, seen in the gap between training and held-out accuracy.

The same as `classiczoo lesson augmentation` (its flags: `--help`); the lesson is
`components.lessons.augmentation`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import augmentation

    augmentation.main(argv, prog="python recipes/lessons/augmentation.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
