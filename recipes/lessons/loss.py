#!/usr/bin/env python3
"""Lesson: softmax cross-entropy vs the multiclass SVM (hinge) loss on one net and budget.

The same as `classiczoo lesson loss` (its flags: `--help`); the lesson is
`components.lessons.loss`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    from components.lessons import loss

    loss.main(argv, prog="python recipes/lessons/loss.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
