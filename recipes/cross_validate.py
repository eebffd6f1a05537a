#!/usr/bin/env python3
"""k-fold cross-validation of a zoo model, or of several settings: per-fold metrics, mean ± std.

The same as `classiczoo cross-validate` (its flags: `--help`); the work is the library's
(`zoo.cli.cross_validate`).
"""

from __future__ import annotations

import sys

from zoo.cli import run_command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    return run_command("cross-validate", argv, prog="python recipes/cross_validate.py")


if __name__ == "__main__":
    sys.exit(main())
