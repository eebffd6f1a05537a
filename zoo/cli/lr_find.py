"""`classiczoo lr-find`: Smith's learning-rate range test of a zoo model: plot and suggestion.

Raises the learning rate exponentially from --min-lr to --max-lr over --steps steps, records
the loss, restores the model, prints the suggested rate and writes the plot (PNG).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import zoo
from components.arg_types import non_negative_int, positive_float, positive_int
from components.optimizers import OPTIMIZERS
from zoo.cli.train import MODEL_HELP

DESCRIPTION = "Learning-rate range test (Smith 2017) of a zoo model: plot and suggestion."


def build_parser(prog: str = "classiczoo lr-find") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    parser.add_argument(
        "--model", default="lenet5_bn", choices=zoo.MODEL_NAMES, metavar="MODEL", help=MODEL_HELP
    )
    parser.add_argument("--dataset", default="fashion_mnist")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="default: the model's")
    parser.add_argument("--batch-size", type=positive_int, help="default: the model's")
    parser.add_argument("--min-lr", type=positive_float, default=1e-6)
    parser.add_argument("--max-lr", type=positive_float, default=1.0)
    parser.add_argument("--steps", type=positive_int, default=200)
    parser.add_argument("--train-split", default="train")
    parser.add_argument("--data-dir")
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--out", type=Path, help="PNG path; default lr_find_<model>.png")
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuses flags that do not go together, before anything is loaded."""
    if args.min_lr >= args.max_lr:
        parser.error(f"--min-lr {args.min_lr} must be below --max-lr {args.max_lr}")
    if args.steps < 3:
        parser.error(f"--steps must be >= 3, got {args.steps}")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    finder = zoo.lr_find(
        args.model,
        dataset=args.dataset,
        optimizer=args.optimizer,
        batch_size=args.batch_size,
        min_lr=args.min_lr,
        max_lr=args.max_lr,
        steps=args.steps,
        train_split=args.train_split,
        data_dir=args.data_dir,
        seed=args.seed,
    )
    out = finder.plot(args.out or Path(f"lr_find_{args.model}.png"))
    print(
        f"Suggested learning rate: {finder.suggestion():.3g} (steepest fall of the smoothed loss)"
    )
    print(f"Plot: {out}")
    return 0


__all__ = ["DESCRIPTION", "build_parser", "check_args", "run"]
