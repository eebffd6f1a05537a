"""Lesson: model capacity: under- and overfitting across a depth and width sweep of a small CNN.

    classiczoo lesson capacity           # 500 images, 2 depths x 4 widths, 20 epochs
    classiczoo lesson capacity --full    # 2,000 images, 3 depths, 40 epochs

d2l 3.6 ("Generalization"): whether a model under- or overfits is decided by its capacity
against the complexity (and amount) of the data; depth, width and activation are the design
choices that set the capacity. The same small CNN (`[conv -> ReLU -> pool] x depth -> dense
-> logits`, no BatchNorm, no regularization) is trained with several depths and widths on a
small slice of Fashion-MNIST. Ordered by parameters, the training loss keeps falling; the
held-out loss falls while the model is too small (underfitting) and rises again once it is
big enough to learn the slice by heart (overfitting: confident on the training images,
wrong with confidence on new ones). Writes `capacity.png` (train and held-out loss and
error against parameters, the two regions either side of the lowest held-out loss),
`accuracy.png`, `loss_curves.png` and `results.md`.
"""

from __future__ import annotations

import argparse

import keras
import numpy as np

from components.arg_types import comma_separated, int_in_range, positive_float
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
from components.figures import pyplot, save_figure

QUICK = Budget(train_images=500, test_images=2000, epochs=20, batch_size=32)
FULL = Budget(train_images=2000, test_images=10_000, epochs=40, batch_size=32)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser("capacity", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL)
    parser.add_argument(
        "--depths",
        type=comma_separated(int_in_range(1, 3), "integers in 1..3"),
        help="conv blocks (1,2; --full 1,2,3)",
    )
    parser.add_argument(
        "--widths",
        type=comma_separated(int_in_range(1, 256), "integers in 1..256"),
        default=[1, 4, 16, 64],
        help="filters of the first block, doubled per block (1,4,16,64)",
    )
    parser.add_argument("--lr", type=positive_float, default=1e-3, help="Adam's rate (0.001)")
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
    shape = data.x_train.shape[1:]
    depths = args.depths or ([1, 2, 3] if args.full else [1, 2])
    grid = [(depth, width) for depth in depths for width in args.widths]

    def build(depth: int, width: int):
        return make_small_cnn(
            shape,
            10,
            widths=tuple(width * 2**i for i in range(depth)),
            dense=4 * width,
            batch_norm=False,
        )

    variants = [
        Variant(
            f"depth {depth}, width {width}",
            lambda depth=depth, width=width: build(depth, width),
            lambda: keras.optimizers.Adam(args.lr),
        )
        for depth, width in grid
    ]
    parameters = [build(depth, width).count_params() for depth, width in grid]
    keras.backend.clear_session()
    records = train_variants(variants, data, budget, seed=args.seed)

    order = np.argsort(parameters, kind="stable")
    held_out_loss = np.array([r.final["test_loss"] for r in records])
    best = int(np.argmin(np.nan_to_num(held_out_loss, nan=np.inf)))
    regions = [
        "lowest held-out loss"
        if i == best
        else ("underfitting side" if parameters[i] < parameters[best] else "overfitting side")
        for i in range(len(records))
    ]
    title = f"Capacity: a small CNN on {budget.train_images} training images"
    plots = [
        _plot_capacity(records, parameters, order, best, args.out / "capacity.png", title),
        *plot_train_vs_held_out(records, args.out, title=title),
    ]
    rows = [
        [depth, width, parameters[i], *gap_row(records[i]), regions[i]]
        for i, (depth, width) in ((i, grid[i]) for i in order)
    ]
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: model capacity (under- and overfitting)",
        f"{data.description}; {budget.describe()}, Adam {args.lr:g}, seed {args.seed}, no "
        "regularization, no BatchNorm. Rows by parameters. Figures after training in inference "
        "mode; held-out is the test slice. Left of the lowest held-out loss the model "
        "underfits (more capacity lowers both losses); right of it, it overfits (the training "
        "loss still falls, the held-out loss rises, the gap grows).",
        ["depth", "width", "parameters", *gap_headers(), "region"],
        rows,
        notes=[
            f"Lowest held-out loss {held_out_loss[best]:.4f} at depth {grid[best][0]}, width "
            f"{grid[best][1]} ({parameters[best]:,} parameters); from the smallest model to the "
            f"largest the training loss goes from {records[order[0]].final['train_loss']:.4f} "
            f"to {records[order[-1]].final['train_loss']:.4f}, the held-out loss from "
            f"{records[order[0]].final['test_loss']:.4f} to "
            f"{records[order[-1]].final['test_loss']:.4f}."
        ],
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {
        "out": args.out,
        "records": records,
        "parameters": parameters,
        "plots": plots,
        "report": report,
    }


def _plot_capacity(records, parameters, order, best, path, title):
    plt = pyplot()
    figure, (loss_axis, error_axis) = plt.subplots(1, 2, figsize=(10.0, 3.8))
    x = np.array(parameters)[order]
    low, high = x.min() / 1.5, x.max() * 1.5
    curves = {
        loss_axis: ("cross-entropy", "train_loss", "test_loss", lambda v: v),
        error_axis: ("error", "train_accuracy", "test_accuracy", lambda v: 1.0 - v),
    }
    for axis, (ylabel, train_key, held_key, value) in curves.items():
        axis.plot(x, [value(records[i].final[train_key]) for i in order], "o-", label="train")
        axis.plot(x, [value(records[i].final[held_key]) for i in order], "s-", label="held-out")
        axis.axvspan(low, parameters[best], color="C0", alpha=0.08)
        axis.axvspan(parameters[best], high, color="C3", alpha=0.08)
        axis.axvline(parameters[best], color="grey", linestyle="--", linewidth=1)
        axis.text(0.02, 0.97, "underfitting", transform=axis.transAxes, fontsize=8, va="top")
        axis.text(
            0.98, 0.97, "overfitting", transform=axis.transAxes, fontsize=8, va="top", ha="right"
        )
        axis.set_xscale("log")
        axis.set_xlim(low, high)
        axis.set_xlabel("parameters")
        axis.set_ylabel(ylabel)
        axis.legend(fontsize=8, loc="center left")
    figure.suptitle(f"{title} (dashed: lowest held-out loss)", fontsize=11)
    figure.tight_layout()
    return save_figure(figure, path, dpi=90)
