"""Lesson: mini-batch size: batch size 1, 32 and the full batch, for the same epochs.

    classiczoo lesson minibatch           # 1,000 images, 3 epochs
    classiczoo lesson minibatch --full    # 10,000 images, 10 epochs

The same net (two hidden ReLU layers of 128 units, the same initial weights) trained by plain
SGD at one rate with each batch size. Small batches take many noisy steps per epoch, the full
batch one exact step: the table gives the per-step loss noise (std of step-to-step changes /
sqrt 2, which a falling trend hardly enters), the seconds per epoch (the last epoch's; the
first includes tracing) and the final figures. Writes `loss_curves.png`, `results.md`.
"""

from __future__ import annotations

import argparse

import keras

from components.arg_types import comma_separated, positive_float, positive_int
from components.experiments import (
    Budget,
    Variant,
    budget_from_args,
    lesson_parser,
    load_fashion_mnist_slice,
    make_mlp,
    plot_step_losses,
    step_loss_noise,
    train_variants,
    write_markdown_report,
)

QUICK = Budget(train_images=1000, test_images=2000, epochs=3, batch_size=32)
FULL = Budget(train_images=10_000, test_images=10_000, epochs=10, batch_size=32)


def batch_size_or_full(text: str) -> int | None:
    """A positive batch size, or None for `full` (the whole training slice)."""
    return None if text == "full" else positive_int(text)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser("minibatch", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL)
    parser.add_argument("--lr", type=positive_float, default=0.01, help="SGD's rate (0.01)")
    parser.add_argument(
        "--batch-sizes",
        type=comma_separated(batch_size_or_full, "positive integers or 'full'"),
        default=[1, 32, None],
        help="(1,32,full)",
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
    variants = [
        Variant(
            f"batch {size}" if size else f"full batch ({len(data.x_train)})",
            lambda: make_mlp(data.x_train.shape[1:], 10),
            lambda: keras.optimizers.SGD(args.lr),
            batch_size=size or len(data.x_train),
        )
        for size in args.batch_sizes
    ]
    records = train_variants(variants, data, budget, seed=args.seed)

    plots = [
        plot_step_losses(
            {"": records},
            args.out / "loss_curves.png",
            title=f"Batch size: SGD {args.lr:g}, the same epochs",
        )
    ]
    rows = [
        [
            r.name,
            r.batch_size,
            r.steps_per_epoch,
            step_loss_noise(r.step_losses),
            r.epoch_seconds[-1],
            r.final["train_loss"],
            r.final["test_accuracy"],
        ]
        for r in records
    ]
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: mini-batch size",
        f"{data.description}; {budget.epochs} epoch(s), plain SGD {args.lr:g}, seed {args.seed}. "
        "Loss noise: std of the step-to-step changes of the per-step loss / sqrt 2 (nan under 3 "
        "steps). Seconds: the last epoch's steps.",
        [
            "batch",
            "batch size",
            "steps per epoch",
            "loss noise",
            "seconds per epoch",
            "train loss",
            "test accuracy",
        ],
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "records": records, "plots": plots, "report": report}
