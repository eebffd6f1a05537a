"""`classiczoo models`: the zoo's model cards: list the models, or describe one."""

from __future__ import annotations

import argparse
import json

import zoo
from zoo.cli.train import MODEL_HELP

DESCRIPTION = "The zoo's model cards: list the models, or describe one."


def build_parser(prog: str = "classiczoo models") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    commands = parser.add_subparsers(dest="action", required=True, metavar="list|describe")
    list_cmd = commands.add_parser("list", help="every model with its size at the small scale")
    list_cmd.add_argument("pattern", nargs="?", default="*", help="shell pattern, e.g. 'vgg*'")
    describe = commands.add_parser("describe", help="one model's card")
    describe.add_argument("name", choices=zoo.MODEL_NAMES, metavar="MODEL", help=MODEL_HELP)
    describe.add_argument("--json", action="store_true", help="print the card as JSON")
    describe.add_argument(
        "--small-only", action="store_true", help="skip the (large) paper-scale model"
    )
    return parser


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    if args.action == "list":
        print(f"{'model':12s} {'parameters':>12s} {'MFLOPs':>9s}  paper")
        for name in zoo.list_models(args.pattern):
            card = zoo.describe(name, scales=("small",))
            small = card["scales"]["small"]
            print(
                f"{name:12s} {small['parameters']:>12,d} {small['flops'] / 1e6:>9.1f}  "
                f"{card['paper']}"
            )
        return 0
    from zoo.cards import format_card  # Keras's: after the flags are read

    scales = ("small",) if args.small_only else ("small", "paper")
    card = zoo.describe(args.name, scales=scales)
    print(json.dumps(card, indent=2) if args.json else format_card(card))
    return 0


__all__ = ["DESCRIPTION", "build_parser", "run"]
