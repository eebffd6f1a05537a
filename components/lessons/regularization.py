"""Lesson: regularization, bias vs variance: no regularization, L2 and dropout on few images.

    classiczoo lesson regularization           # 500 images, 40 epochs
    classiczoo lesson regularization --full    # 2,000 images, 150 epochs

Two hidden ReLU layers of 512 units, far more than a small training slice needs, trained with
Adam: without regularization the net memorizes the slice (train accuracy near 1, a wide
train/test gap: variance); L2 (--l2) and dropout (--dropout) narrow the gap. Writes
`loss_curves.png` (train and test loss per epoch), `accuracy.png` and `results.md` (train and
test accuracy and their gap, evaluated after training) to --out.
"""

from __future__ import annotations

import argparse

import keras

from components.arg_types import fraction, positive_float
from components.experiments import (
    Budget,
    Variant,
    budget_from_args,
    gap_headers,
    gap_row,
    lesson_parser,
    load_fashion_mnist_slice,
    make_mlp,
    plot_train_vs_held_out,
    train_variants,
    write_markdown_report,
)

QUICK = Budget(train_images=500, test_images=2000, epochs=40, batch_size=32)
FULL = Budget(train_images=2000, test_images=10_000, epochs=150, batch_size=32)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser(
        "regularization", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL
    )
    parser.add_argument("--lr", type=positive_float, default=1e-3, help="Adam's rate (0.001)")
    parser.add_argument("--l2", type=positive_float, default=1e-3, help="L2 coefficient (0.001)")
    parser.add_argument("--dropout", type=fraction, default=0.5, help="dropout rate (0.5)")
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> dict:
    """Runs the lesson with these command-line words; returns what it wrote."""
    return run(build_parser(prog).parse_args(argv))


def run(args: argparse.Namespace) -> dict:
    """Runs the lesson with parsed flags; returns its records, plots and report."""
    budget = budget_from_args(args, QUICK, FULL)

    data = load_fashion_mnist_slice(
        budget.train_images, budget.test_images, data_dir=args.data_dir
    )
    settings = {
        "none": {},
        f"L2 {args.l2:g}": {"l2": args.l2},
        f"dropout {args.dropout:g}": {"dropout": args.dropout},
    }
    variants = [
        Variant(
            name,
            lambda options=options: make_mlp(
                data.x_train.shape[1:], 10, hidden=(512, 512), **options
            ),
            lambda: keras.optimizers.Adam(args.lr),
        )
        for name, options in settings.items()
    ]
    records = train_variants(variants, data, budget, seed=args.seed)

    title = f"Regularization: 2 x 512 ReLU units, {budget.train_images} training images"
    plots = plot_train_vs_held_out(records, args.out, title=title, held_out="test")
    rows = [[r.name, *gap_row(r)] for r in records]
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: regularization (bias vs variance)",
        f"{data.description}; {budget.describe()}, seed "
        f"{args.seed}. Evaluated after training in inference mode (no dropout), the losses "
        "without the L2 penalty. A low train accuracy is bias; a large gap between train and "
        "test is variance.",
        ["regularization", *gap_headers("test")],
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "records": records, "plots": plots, "report": report}
