#!/usr/bin/env python3
"""Lesson: what each technique of the fast recipe buys, an ablation over seeds.

The same as `classiczoo lesson tricks` (its flags: `--help`); the lesson is
`components.lessons.tricks`.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow
    import zoo
    from components.lessons import tricks

    tricks.main(argv, prog="python recipes/lessons/tricks.py", registry=zoo.registry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
