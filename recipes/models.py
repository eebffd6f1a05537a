#!/usr/bin/env python3
"""The zoo's model cards: list the models, or describe one.

python recipes/zoo.py list
python recipes/zoo.py describe vgg16 [--json]
"""

from __future__ import annotations

import argparse
import json

import zoo
from zoo.cards import format_card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    list_cmd = commands.add_parser("list", help="every model with its size at the small scale")
    list_cmd.add_argument("pattern", nargs="?", default="*", help="shell pattern, e.g. 'vgg*'")
    describe = commands.add_parser("describe", help="one model's card")
    describe.add_argument("name", help=f"one of: {', '.join(zoo.list_models())}")
    describe.add_argument("--json", action="store_true", help="print the card as JSON")
    describe.add_argument(
        "--small-only", action="store_true", help="skip the (large) paper-scale model"
    )
    args = parser.parse_args(argv)

    if args.command == "list":
        print(f"{'model':12s} {'parameters':>12s} {'MFLOPs':>9s}  paper")
        for name in zoo.list_models(args.pattern):
            card = zoo.describe(name, scales=("small",))
            small = card["scales"]["small"]
            print(
                f"{name:12s} {small['parameters']:>12,d} {small['flops'] / 1e6:>9.1f}  "
                f"{card['paper']}"
            )
        return
    if args.name not in zoo.list_models():
        parser.error(f"unknown model {args.name!r}; valid models: {', '.join(zoo.list_models())}")
    scales = ("small",) if args.small_only else ("small", "paper")
    card = zoo.describe(args.name, scales=scales)
    print(json.dumps(card, indent=2) if args.json else format_card(card))


if __name__ == "__main__":
    main()
