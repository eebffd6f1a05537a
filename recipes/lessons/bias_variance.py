#!/usr/bin/env python3
"""Lesson: bias vs variance against the Bayes error: four runs, one in each quadrant.

The same as `classiczoo lesson bias_variance` (its flags: `--help`); the lesson is
`components.lessons.bias_variance`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import bias_variance

    bias_variance.main(argv, prog="python recipes/lessons/bias_variance.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
