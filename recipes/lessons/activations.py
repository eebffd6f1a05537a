#!/usr/bin/env python3
"""Lesson: activation functions, sigmoid to Maxout, on one net and budget (Fashion-MNIST).

The same as `classiczoo lesson activations` (its flags: `--help`); the lesson is
`components.lessons.activations`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import activations

    activations.main(argv, prog="python recipes/lessons/activations.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
