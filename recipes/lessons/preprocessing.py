#!/usr/bin/env python3
"""Lesson: input preprocessing: raw, standardized, PCA- and ZCA-whitened pixels.

The same as `classiczoo lesson preprocessing` (its flags: `--help`); the lesson is
`components.lessons.preprocessing`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import preprocessing

    preprocessing.main(argv, prog="python recipes/lessons/preprocessing.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
