"""Lesson: softmax cross-entropy vs the multiclass SVM (hinge) loss on one net and budget.

    classiczoo lesson loss           # 5,000 images, 5 epochs
    classiczoo lesson loss --full    # 60,000 images, 20 epochs

The same net (two hidden ReLU layers of 128 units, the same initial weights) and optimizer
(SGD with momentum 0.9), trained once on Keras's softmax cross-entropy and once on
`components.losses.MulticlassSVM` (Weston-Watkins, margin 1). The losses have different
scales, so they are plotted apart and compared by accuracy. Writes `loss_curves.png`,
`accuracy.png` and `results.md` to --out.
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
    plot_step_losses,
    train_variants,
    write_markdown_report,
)
from components.losses import MulticlassSVM

QUICK = Budget(train_images=5000, test_images=2000, epochs=5, batch_size=64)
FULL = Budget(train_images=60_000, test_images=10_000, epochs=20, batch_size=64)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser("loss", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL)
    parser.add_argument("--lr", type=positive_float, default=0.01, help="SGD's rate (0.01)")
    parser.add_argument("--margin", type=positive_float, default=1.0, help="SVM margin (1)")
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
    losses = {
        "softmax cross-entropy": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        "multiclass SVM": MulticlassSVM(margin=args.margin),
    }
    variants = [
        Variant(
            name,
            lambda: make_mlp(data.x_train.shape[1:], 10),
            lambda: keras.optimizers.SGD(args.lr, momentum=0.9),
            loss=loss,
        )
        for name, loss in losses.items()
    ]
    records = train_variants(variants, data, budget, seed=args.seed)

    plots = [
        plot_step_losses(
            {record.name: [record] for record in records},
            args.out / "loss_curves.png",
            title="Each net's own training loss",
            sharey=False,
        ),
        plot_epoch_curves(
            records,
            {"accuracy": "train", "val_accuracy": "test"},
            args.out / "accuracy.png",
            title="Softmax vs SVM: accuracy",
            ylabel="accuracy",
        ),
    ]
    rows = [
        [
            r.name,
            r.final["train_loss"],
            r.final["train_accuracy"],
            r.final["test_accuracy"],
        ]
        for r in records
    ]
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: softmax vs multiclass SVM loss",
        f"{data.description}; {budget.describe()}, SGD "
        f"{args.lr:g} with momentum 0.9, seed {args.seed}. Each loss is its own (the two scales "
        "differ: compare accuracies); evaluated after training.",
        ["loss", "final train loss (own)", "train accuracy", "test accuracy"],
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "records": records, "plots": plots, "report": report}
