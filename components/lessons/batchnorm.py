"""Lesson: BatchNorm lets a deep net train at learning rates that break it without.

    classiczoo lesson batchnorm           # 5,000 images, 5 epochs
    classiczoo lesson batchnorm --full    # 60,000 images, 20 epochs

Four hidden ReLU layers of 128 units, with and without BatchNorm between each Dense layer and
its ReLU, trained by SGD with momentum 0.9 at each of --learning-rates. Writes
`loss_curves.png` (one panel per rate), `test_accuracy.png` and `results.md` (final loss and
accuracy, and whether the run diverged) to --out.
"""

from __future__ import annotations

import argparse
import math

import keras

from components.arg_types import comma_separated, positive_float
from components.experiments import (
    Budget,
    Variant,
    budget_from_args,
    lesson_parser,
    load_fashion_mnist_slice,
    make_mlp,
    plot_epoch_curves,
    plot_step_losses,
    train_variants,
    write_markdown_report,
)

QUICK = Budget(train_images=5000, test_images=2000, epochs=5, batch_size=64)
FULL = Budget(train_images=60_000, test_images=10_000, epochs=20, batch_size=64)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser("batchnorm", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL)
    parser.add_argument(
        "--learning-rates",
        type=comma_separated(positive_float, "positive numbers"),
        default=[0.01, 0.1, 1.0],
        help="(0.01,0.1,1)",
    )
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
    settings = [(lr, batch_norm) for lr in args.learning_rates for batch_norm in (False, True)]
    variants = [
        Variant(
            f"lr {lr:g}, {'BatchNorm' if batch_norm else 'plain'}",
            lambda batch_norm=batch_norm: make_mlp(
                data.x_train.shape[1:], 10, hidden=(128,) * 4, batch_norm=batch_norm
            ),
            lambda lr=lr: keras.optimizers.SGD(lr, momentum=0.9),
        )
        for lr, batch_norm in settings
    ]
    records = train_variants(variants, data, budget, seed=args.seed)

    panels = {
        f"learning rate {lr:g}": records[2 * i : 2 * i + 2]
        for i, lr in enumerate(args.learning_rates)
    }
    plots = [
        plot_step_losses(
            panels,
            args.out / "loss_curves.png",
            title="4 x 128 ReLU units, SGD + momentum, with and without BatchNorm",
        ),
        plot_epoch_curves(
            records,
            {"val_accuracy": "test"},
            args.out / "test_accuracy.png",
            title="With and without BatchNorm",
            ylabel="test accuracy",
        ),
    ]
    rows = []
    for record, (lr, batch_norm) in zip(records, settings, strict=True):
        # Diverged: stopped at a NaN, or ended with a higher loss than its first step's.
        finished = len(record.step_losses) == budget.epochs * record.steps_per_epoch
        final = record.final["train_loss"]
        diverged = not (finished and math.isfinite(final) and final < record.step_losses[0])
        rows.append(
            [
                lr,
                batch_norm,
                record.final["train_loss"],
                record.final["test_accuracy"],
                "diverged" if diverged else "trained",
            ]
        )
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: batch normalization",
        f"{data.description}; {budget.describe()}, seed "
        f"{args.seed}. Final loss and accuracy evaluated after training (BatchNorm with its "
        "moving statistics).",
        ["learning rate", "BatchNorm", "train loss", "test accuracy", "run"],
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "records": records, "plots": plots, "report": report}
