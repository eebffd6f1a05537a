#!/usr/bin/env python3
"""The zoo's model cards: list the models, or describe one.

The same as `classiczoo models` (its flags: `--help`); the work is the library's
(`zoo.cli.models`).
"""

from __future__ import annotations

import sys

from zoo.cli import run_command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    return run_command("models", argv, prog="python recipes/models.py")


if __name__ == "__main__":
    sys.exit(main())
