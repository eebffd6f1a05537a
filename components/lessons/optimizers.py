"""Lesson: SGD, momentum, Nesterov, RMSprop, Adam with and without bias correction.

    classiczoo lesson optimizers           # 5,000 images, 5 epochs
    classiczoo lesson optimizers --full    # 60,000 images, 20 epochs

One net (two hidden ReLU layers of 128 units, the same initial weights) and one budget for
each optimizer; the SGD family at --sgd-lr (momentum 0.9), RMSprop and both Adams at
--adaptive-lr. Adam without bias correction is `components.adam_no_bias_correction` (Keras has
none). Writes `loss_curves.png` (per step; early steps on a log axis in `first_steps.png`),
`test_accuracy.png` and `results.md` to --out.
"""

from __future__ import annotations

import argparse

import keras

from components.arg_types import positive_float
from components.experiments import (
    Budget,
    Variant,
    budget_from_args,
    lesson_parser,
    load_fashion_mnist_slice,
    make_mlp,
    plot_epoch_curves,
    plot_lines,
    plot_step_losses,
    smoothing_window,
    train_variants,
    write_markdown_report,
)
from components.optimizers import AdamNoBiasCorrection

QUICK = Budget(train_images=5000, test_images=2000, epochs=5, batch_size=64)
FULL = Budget(train_images=60_000, test_images=10_000, epochs=20, batch_size=64)
FIRST_STEPS = 100  # where bias correction matters: Adam's moments start at 0


def optimizers(sgd_lr: float, adaptive_lr: float) -> dict:
    """`{name: (factory, learning rate)}` of the lesson's optimizers."""
    return {
        "SGD": (lambda: keras.optimizers.SGD(sgd_lr), sgd_lr),
        "SGD + momentum": (lambda: keras.optimizers.SGD(sgd_lr, momentum=0.9), sgd_lr),
        "Nesterov": (lambda: keras.optimizers.SGD(sgd_lr, momentum=0.9, nesterov=True), sgd_lr),
        "RMSprop": (lambda: keras.optimizers.RMSprop(adaptive_lr), adaptive_lr),
        "Adam": (lambda: keras.optimizers.Adam(adaptive_lr), adaptive_lr),
        "Adam, no bias correction": (lambda: AdamNoBiasCorrection(adaptive_lr), adaptive_lr),
    }


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser("optimizers", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL)
    parser.add_argument("--sgd-lr", type=positive_float, default=0.01, help="SGD's rates (0.01)")
    parser.add_argument(
        "--adaptive-lr", type=positive_float, default=1e-3, help="RMSprop's, Adam's (0.001)"
    )
    parser.add_argument(
        "--target-loss", type=positive_float, default=0.6, help="training loss to reach (0.6)"
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
    choices = optimizers(args.sgd_lr, args.adaptive_lr)
    variants = [
        Variant(name, lambda: make_mlp(data.x_train.shape[1:], 10), factory)
        for name, (factory, _) in choices.items()
    ]
    records = train_variants(variants, data, budget, seed=args.seed)

    title = f"Optimizers: 2 x 128 ReLU units, batch {budget.batch_size}"
    plots = [
        plot_step_losses({"": records}, args.out / "loss_curves.png", title=title),
        plot_lines(
            {
                r.name: (
                    range(1, len(r.step_losses[:FIRST_STEPS]) + 1),
                    r.step_losses[:FIRST_STEPS],
                )
                for r in records
            },
            args.out / "first_steps.png",
            title=f"The first {FIRST_STEPS} steps",
            xlabel="step",
            ylabel="training loss (log scale)",
            log=True,
        ),
        plot_epoch_curves(
            records,
            {"val_accuracy": "test"},
            args.out / "test_accuracy.png",
            title=title,
            ylabel="test accuracy",
        ),
    ]
    rows = []
    for record in records:
        steps = record.steps_to(args.target_loss)
        rows.append(
            [
                record.name,
                choices[record.name][1],
                steps if steps else "not reached",
                record.final["train_loss"],
                record.final["test_accuracy"],
            ]
        )
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: optimizers",
        f"{data.description}; {budget.describe()}, seed "
        f"{args.seed}, the same initial weights for all. Steps until the training loss (mean "
        f"over {smoothing_window(records[0].steps_per_epoch)} steps) reaches "
        f"{args.target_loss:g}; final loss and accuracy evaluated after training.",
        ["optimizer", "learning rate", "steps to target", "train loss", "test accuracy"],
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "records": records, "plots": plots, "report": report}
