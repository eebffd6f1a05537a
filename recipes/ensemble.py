#!/usr/bin/env python3
"""Ensemble exported classifiers; compare the members and the ensemble; export it as one model.

The same as `classiczoo ensemble` (its flags: `--help`); the work is the library's
(`zoo.cli.ensemble`).
"""

from __future__ import annotations

import sys

from zoo.cli import run_command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    return run_command("ensemble", argv, prog="python recipes/ensemble.py")


if __name__ == "__main__":
    sys.exit(main())
