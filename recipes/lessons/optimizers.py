#!/usr/bin/env python3
"""Lesson: SGD, momentum, Nesterov, RMSprop, Adam with and without bias correction.

The same as `classiczoo lesson optimizers` (its flags: `--help`); the lesson is
`components.lessons.optimizers`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import optimizers

    optimizers.main(argv, prog="python recipes/lessons/optimizers.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
