#!/usr/bin/env python3
"""Lesson: BatchNorm lets a deep net train at learning rates that break it without.

The same as `classiczoo lesson batchnorm` (its flags: `--help`); the lesson is
`components.lessons.batchnorm`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import batchnorm

    batchnorm.main(argv, prog="python recipes/lessons/batchnorm.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
