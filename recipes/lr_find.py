#!/usr/bin/env python3
"""Learning-rate range test (Smith 2017) for a zoo model on a tfds dataset: plot and suggestion.

The same as `classiczoo lr-find` (its flags: `--help`); the work is the library's
(`zoo.cli.lr_find`).
"""

from __future__ import annotations

import sys

from zoo.cli import run_command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    return run_command("lr-find", argv, prog="python recipes/lr_find.py")


if __name__ == "__main__":
    sys.exit(main())
