"""Lesson: data augmentation, seen in the gap between training and held-out accuracy.

    classiczoo lesson augmentation           # 2,000 images, 12 epochs
    classiczoo lesson augmentation --full    # 10,000 images, 40 epochs

With little data a CNN overfits: it learns the training images, not the classes (CS231n, "Data
augmentation"; d2l 14.1). A small CNN (two conv blocks, no dropout) is trained on a small slice
of Fashion-MNIST three ways from the same initial weights: as it is, with `standard`
augmentation (a horizontal flip and a random shift of up to 4 pixels: Keras's `RandomFlip` and
`RandomTranslation`), and with `standard,erasing` (plus `RandomErasing`). The
augmented nets see a new version of every image each epoch, in tf.data, and none at test time.
Writes `accuracy.png` (train and held-out accuracy per epoch), `loss_curves.png` and
`results.md` (accuracies after training, in inference mode, and their gap) to --out.
"""

from __future__ import annotations

import argparse

import keras

from components.arg_types import positive_float
from components.data.augmentation import Augmenter, parse_augment
from components.experiments import (
    Budget,
    Variant,
    budget_from_args,
    gap_headers,
    gap_row,
    lesson_parser,
    load_fashion_mnist_slice,
    make_small_cnn,
    plot_train_vs_held_out,
    train_variants,
    write_markdown_report,
)
from components.layers import Standardization

QUICK = Budget(train_images=2000, test_images=2000, epochs=12, batch_size=64)
FULL = Budget(train_images=10_000, test_images=10_000, epochs=40, batch_size=64)
POLICIES = ("none", "standard", "standard,erasing")


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser(
        "augmentation", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL
    )
    parser.add_argument("--lr", type=positive_float, default=1e-3, help="Adam's rate (0.001)")
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> dict:
    """Runs the lesson with these command-line words; returns what it wrote."""
    return run(build_parser(prog).parse_args(argv))


def run(args: argparse.Namespace) -> dict:
    """Runs the lesson with parsed flags; returns its records, plots and report."""
    budget = budget_from_args(args, QUICK, FULL)
    # Pixels in [0, 1]: the augmentation shifts in black, then the net standardizes.
    data = load_fashion_mnist_slice(
        budget.train_images, budget.test_images, data_dir=args.data_dir, standardize=False
    )
    shape = data.x_train.shape[1:]

    def build():
        standardize = Standardization()
        standardize.adapt(data.x_train)
        return make_small_cnn(shape, 10, preprocessing=standardize)

    variants = [
        Variant(
            policy,
            build,
            lambda: keras.optimizers.Adam(args.lr),
            augment=(
                Augmenter(parse_augment(policy), shape, seed=args.seed, value_range=(0, 1))
                if policy != "none"
                else None
            ),
        )
        for policy in POLICIES
    ]
    records = train_variants(variants, data, budget, seed=args.seed)

    title = f"Augmentation: a small CNN on {budget.train_images} training images"
    plots = plot_train_vs_held_out(records, args.out, title=title)
    rows = [[r.name, *gap_row(r)] for r in records]
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: data augmentation",
        f"{data.description}; {budget.describe()}, seed {args.seed}, the same initial weights "
        "for all. Train accuracy is measured after training on the training images as they "
        "are (no augmentation, inference mode); held-out is the test slice. The gap is "
        "variance: augmentation narrows it by showing the net more versions of each image.",
        ["augmentation", *gap_headers()],
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "records": records, "plots": plots, "report": report}
