#!/usr/bin/env python3
"""Search a zoo model's hyperparameters with keras-tuner, then export the best model.

The same as `classiczoo tune` (its flags: `--help`); the work is the library's
(`zoo.cli.tune`).
"""

from __future__ import annotations

import sys

from zoo.cli import run_command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    return run_command("tune", argv, prog="python recipes/tune.py")


if __name__ == "__main__":
    sys.exit(main())
