"""Lesson: activation functions, sigmoid to Maxout, on one net and budget (Fashion-MNIST).

    classiczoo lesson activations           # 5,000 images, 5 epochs
    classiczoo lesson activations --full    # 60,000 images, 20 epochs

Three hidden layers of 128 units with sigmoid, tanh, ReLU, leaky ReLU (slope 0.01), ELU or
Maxout (`components.layers.Maxout`, 2 pieces), Xavier-initialized, plain SGD. Writes
`loss_curves.png`, `test_accuracy.png` and `results.md` (steps and epochs until the training
loss reaches --target-loss, "not reached" if never) to --out.
"""

from __future__ import annotations

import argparse

import keras

from components.arg_types import positive_float
from components.experiments import (
    ACTIVATIONS,
    Budget,
    Variant,
    budget_from_args,
    lesson_parser,
    load_fashion_mnist_slice,
    make_mlp,
    plot_epoch_curves,
    plot_step_losses,
    smoothing_window,
    train_variants,
    write_markdown_report,
)

QUICK = Budget(train_images=5000, test_images=2000, epochs=5, batch_size=32)
FULL = Budget(train_images=60_000, test_images=10_000, epochs=20, batch_size=32)
NAMES = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "elu": "ELU",
    "maxout": "Maxout",
}


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser(
        "activations", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL
    )
    parser.add_argument("--lr", type=positive_float, default=0.05, help="SGD's rate (0.05)")
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
    variants = [
        Variant(
            NAMES[activation],
            lambda activation=activation: make_mlp(
                data.x_train.shape[1:], 10, hidden=(128, 128, 128), activation=activation
            ),
            lambda: keras.optimizers.SGD(args.lr),
        )
        for activation in ACTIVATIONS
    ]
    records = train_variants(variants, data, budget, seed=args.seed)

    title = f"Activations: 3 x 128 units, SGD {args.lr:g}"
    plots = [
        plot_step_losses({"": records}, args.out / "loss_curves.png", title=title),
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
        reached = [steps, steps / record.steps_per_epoch] if steps else ["not reached"] * 2
        rows.append(
            [record.name, *reached, record.final["train_loss"], record.final["test_accuracy"]]
        )
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: activation functions",
        f"{data.description}; {budget.describe()}, seed "
        f"{args.seed}. Steps until the training loss (mean over "
        f"{smoothing_window(records[0].steps_per_epoch)} steps) reaches {args.target_loss:g}; "
        "final loss and accuracy evaluated after training.",
        ["activation", "steps to target", "epochs to target", "train loss", "test accuracy"],
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "records": records, "plots": plots, "report": report}
