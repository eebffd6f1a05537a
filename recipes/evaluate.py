#!/usr/bin/env python3
"""Evaluate exported SavedModels on a tfds split: a full report with plots.

The same as `classiczoo evaluate` (its flags: `--help`); the work is the library's
(`zoo.cli.evaluate`).
"""

from __future__ import annotations

import sys

from zoo.cli import run_command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    return run_command("evaluate", argv, prog="python recipes/evaluate.py")


if __name__ == "__main__":
    sys.exit(main())
