#!/usr/bin/env python3
"""Start N training workers on this machine as one MultiWorkerMirroredStrategy cluster.

The same as `classiczoo launch` (its flags: `--help`); the work is the library's
(`zoo.cli.launch`).
"""

from __future__ import annotations

import sys

from zoo.cli import run_command


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    return run_command("launch", argv, prog="python recipes/launch_local.py")


if __name__ == "__main__":
    sys.exit(main())
