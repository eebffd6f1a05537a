"""`classiczoo lesson NAME`: rerun an experiment of the course notes (`components.lessons`)."""

from __future__ import annotations

import argparse

import zoo
from components.lessons import LESSONS, lesson_module

DESCRIPTION = "Rerun an experiment of the course notes: plots and a markdown table."


def build_parser(prog: str = "classiczoo lesson") -> argparse.ArgumentParser:
    listing = "\n".join(f"  {name:<15}{what}" for name, what in LESSONS.items())
    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog=f"lessons:\n{listing}\n\n'{prog} NAME --help' for a lesson's flags.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", choices=LESSONS, metavar="NAME", help="the lesson (see below)")
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    lesson = lesson_module(args.name)
    # A lesson that trains zoo models takes their registry: components never import zoo.
    registry = {"registry": zoo.registry} if getattr(lesson, "TAKES_REGISTRY", False) else {}
    lesson.main(args.args, prog=f"{parser.prog} {args.name}", **registry)
    return 0


__all__ = ["DESCRIPTION", "build_parser", "run"]
