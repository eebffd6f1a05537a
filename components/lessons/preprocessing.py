"""Lesson: input preprocessing: raw, standardized, PCA- and ZCA-whitened pixels.

    classiczoo lesson preprocessing           # 5,000 images, 5 epochs
    classiczoo lesson preprocessing --full    # 60,000 images, 20 epochs

The same net (two hidden ReLU layers of 128 units, the same initial weights) and plain SGD on
pixels / 255 ("raw"), and behind `components.layers.Standardization`, `PCAWhitening` and
`ZCAWhitening`, each adapted to the training slice (whitening with --epsilon added to the
eigenvalues). Writes `loss_curves.png`, `test_accuracy.png` and `results.md` to --out.
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
from components.layers import PCAWhitening, Standardization, ZCAWhitening

QUICK = Budget(train_images=5000, test_images=2000, epochs=5, batch_size=64)
FULL = Budget(train_images=60_000, test_images=10_000, epochs=20, batch_size=64)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser(
        "preprocessing", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL
    )
    parser.add_argument("--lr", type=positive_float, default=0.01, help="SGD's rate (0.01)")
    parser.add_argument(
        "--epsilon", type=positive_float, default=0.1, help="whitening's epsilon (0.1)"
    )
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> dict:
    """Runs the lesson with these command-line words; returns what it wrote."""
    return run(build_parser(prog).parse_args(argv))


def run(args: argparse.Namespace) -> dict:
    """Runs the lesson with parsed flags; returns its records, plots and report."""
    budget = budget_from_args(args, QUICK, FULL)

    data = load_fashion_mnist_slice(
        budget.train_images, budget.test_images, data_dir=args.data_dir, standardize=False
    )
    layers = {
        "raw (pixels / 255)": lambda: None,
        "standardized": lambda: Standardization(axis=-1),
        "PCA-whitened": lambda: PCAWhitening(epsilon=args.epsilon),
        "ZCA-whitened": lambda: ZCAWhitening(epsilon=args.epsilon),
    }

    def build(make_layer):
        layer = make_layer()
        if layer is not None:
            layer.adapt(data.x_train)  # statistics of the training slice only
        return make_mlp(data.x_train.shape[1:], 10, preprocessing=layer)

    variants = [
        Variant(
            name,
            lambda make_layer=make_layer: build(make_layer),
            lambda: keras.optimizers.SGD(args.lr),
        )
        for name, make_layer in layers.items()
    ]
    records = train_variants(variants, data, budget, seed=args.seed)

    title = f"Input preprocessing: 2 x 128 ReLU units, SGD {args.lr:g}"
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
    rows = [
        [r.name, r.final["train_loss"], r.final["train_accuracy"], r.final["test_accuracy"]]
        for r in records
    ]
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: input preprocessing",
        f"Fashion-MNIST train[:{budget.train_images}], test[:{budget.test_images}]; "
        f"{budget.describe()}, plain SGD {args.lr:g}, seed "
        f"{args.seed}; whitening epsilon {args.epsilon:g}. Evaluated after training.",
        ["input", "train loss", "train accuracy", "test accuracy"],
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "records": records, "plots": plots, "report": report}
