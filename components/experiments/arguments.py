"""The flags every lesson takes, and the training budget they set (quick, `--full`, or given)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from components.arg_types import int_in_range, non_negative_int, positive_int

FASHION_MNIST_TRAIN, FASHION_MNIST_TEST = 60_000, 10_000


@dataclasses.dataclass(frozen=True)
class Budget:
    """How much a lesson trains: images of the slices, epochs and batch size.

    Epochs or batch size None: each variant has its own (a recipe's; the `tricks` lesson
    compares batch sizes), and a lesson with no budget batch size has no `--batch-size` flag.
    """

    train_images: int
    test_images: int
    epochs: int | None
    batch_size: int | None

    def describe(self) -> str:
        """E.g. `"5 epochs of batch 64"`."""
        epochs = (
            "each variant's epochs"
            if self.epochs is None
            else f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}"
        )
        batch = "its own batch size" if self.batch_size is None else f"batch {self.batch_size}"
        return f"{epochs} of {batch}"


def _budget_value(value: int | None) -> str:
    return "each variant's own" if value is None else str(value)


def lesson_parser(
    lesson: str,
    description: str,
    *,
    quick: Budget | None,
    full: Budget | None,
    prog: str | None = None,
) -> argparse.ArgumentParser:
    """The flags every lesson recipe takes; the data and budget flags only where it trains.

    `--out` (default `lessons_out/<lesson>`), `--seed`, `--full` (the long version), and with
    budgets: `--data-dir`, `--train-images`, `--test-images`, `--epochs`, `--batch-size`, which
    override the quick or `--full` budget (see `budget_from_args`).

    Args:
        lesson: the lesson's name, for the default output directory.
        description: the recipe's one-line description.
        quick: the default budget (None: the lesson does not train on data).
        full: the `--full` budget.
        prog: the command's name in usage lines (default `classiczoo lesson <lesson>`).

    Example:
    >>> parser = lesson_parser("loss", "Softmax vs SVM.", quick=Budget(2000, 1000, 5, 32),
    ...                        full=Budget(60000, 10000, 20, 64))
    >>> parser.parse_args(["--epochs", "2"]).epochs
    2
    """
    parser = argparse.ArgumentParser(
        prog=prog or f"classiczoo lesson {lesson}", description=description
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("lessons_out") / lesson,
        help=f"output directory (lessons_out/{lesson})",
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (0)")
    parser.add_argument("--full", action="store_true", help="the long version: more data, epochs")
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    if quick is None:
        return parser
    parser.add_argument("--data-dir", help="tfds data dir (tfds's own by default)")
    parser.add_argument(
        "--train-images",
        type=int_in_range(1, FASHION_MNIST_TRAIN),
        help=f"first N training images ({quick.train_images}; --full: {full.train_images})",
    )
    parser.add_argument(
        "--test-images",
        type=int_in_range(1, FASHION_MNIST_TEST),
        help=f"first N test images ({quick.test_images}; --full: {full.test_images})",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        help=f"epochs ({_budget_value(quick.epochs)}; --full: {_budget_value(full.epochs)})",
    )
    if quick.batch_size is None and full.batch_size is None:
        return parser  # the variants differ by their batch sizes
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        help=f"batch size ({_budget_value(quick.batch_size)}; --full: "
        f"{_budget_value(full.batch_size)})",
    )
    return parser


def budget_from_args(args: argparse.Namespace, quick: Budget, full: Budget) -> Budget:
    """The quick (or `--full`) budget with any flag given on the command line put in.

    Args:
        args: parsed by a `lesson_parser` with budgets.
        quick, full: the lesson's two budgets.

    Example:
    >>> quick, full = Budget(2000, 1000, 5, 32), Budget(60000, 10000, 20, 64)
    >>> parser = lesson_parser("loss", "", quick=quick, full=full)
    >>> args = parser.parse_args(["--full", "--epochs=3"])
    >>> budget_from_args(args, quick, full)
    Budget(train_images=60000, test_images=10000, epochs=3, batch_size=64)
    """
    base = full if args.full else quick
    return Budget(
        train_images=args.train_images or base.train_images,
        test_images=args.test_images or base.test_images,
        epochs=args.epochs or base.epochs,
        batch_size=getattr(args, "batch_size", None) or base.batch_size,
    )


__all__ = [
    "FASHION_MNIST_TEST",
    "FASHION_MNIST_TRAIN",
    "Budget",
    "budget_from_args",
    "lesson_parser",
]
