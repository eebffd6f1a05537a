"""Lesson: k-fold cross-validation against a single hold-out estimate, over several seeds.

    classiczoo lesson crossval           # a pool of 1,000 images, 5 folds, 5 seeds
    classiczoo lesson crossval --full    # 5,000 images, 20 epochs

d2l 3.6 ("K-fold cross-validation"): with little data, a single held-out part is small and its
estimate noisy; k-fold cross-validation holds out each of k parts in turn and averages. For
each seed the pool of training images is shuffled anew, then (1) one hold-out estimate: train
on the first 80%, validate on the last 20%; (2) the k-fold estimate: the mean over the folds
(`components.model_selection.folds.fold_boundaries`, the same folds `classiczoo cross-validate`
makes); (3) the reference: a model trained on the whole pool, tested on a large test slice.
Across seeds, the spread of the two estimates and their distance from the reference show what
the k-fold estimate buys for its k trainings. Writes `estimates.png` and `results.md`.
"""

from __future__ import annotations

import argparse

import keras
import numpy as np

from components.arg_types import int_in_range
from components.experiments import (
    Budget,
    LessonData,
    Variant,
    budget_from_args,
    lesson_parser,
    load_fashion_mnist_slice,
    make_mlp,
    train_variant,
    write_markdown_report,
)
from components.figures import pyplot, save_figure
from components.model_selection.cross_validation import mean_and_std
from components.model_selection.folds import fold_boundaries

QUICK = Budget(train_images=1000, test_images=5000, epochs=10, batch_size=64)
FULL = Budget(train_images=5000, test_images=10_000, epochs=20, batch_size=64)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser("crossval", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL)
    parser.add_argument("--folds", type=int_in_range(2, 20), default=5, help="k (5)")
    parser.add_argument("--seeds", type=int_in_range(2, 50), default=5, help="shuffles (5)")
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> dict:
    """Runs the lesson with these command-line words; returns what it wrote."""
    return run(build_parser(prog).parse_args(argv))


def _accuracy(data, x_train, y_train, x_held, y_held, budget, seed) -> float:
    part = LessonData(x_train, y_train, x_held, y_held, data.class_names, "")
    variant = Variant(
        "mlp",
        lambda: make_mlp(data.x_train.shape[1:], 10, hidden=(128,)),
        lambda: keras.optimizers.Adam(1e-3),
    )
    record = train_variant(variant, part, budget, seed=seed, verbose=0)
    return record.final["test_accuracy"]


def run(args: argparse.Namespace) -> dict:
    """Runs the lesson with parsed flags; returns its estimates, plots and report."""
    budget = budget_from_args(args, QUICK, FULL)
    if args.folds > budget.train_images:
        raise ValueError(
            f"--folds {args.folds} exceeds the {budget.train_images} images of the pool; "
            "give at most as many folds as images."
        )
    data = load_fashion_mnist_slice(
        budget.train_images, budget.test_images, data_dir=args.data_dir
    )
    n = len(data.x_train)
    rows, estimates = [], []
    for s in range(args.seeds):
        seed = args.seed + s
        order = np.random.default_rng(seed).permutation(n)
        x, y = data.x_train[order], data.y_train[order]
        print(f"[seed {seed}] hold-out, {args.folds} folds, reference", flush=True)
        cut = n - max(1, n // 5)
        holdout = _accuracy(data, x[:cut], y[:cut], x[cut:], y[cut:], budget, seed)
        fold_accuracies = []
        for start, end in fold_boundaries(n, args.folds):
            rest = np.r_[0:start, end:n]
            fold_accuracies.append(
                _accuracy(data, x[rest], y[rest], x[start:end], y[start:end], budget, seed)
            )
        kfold, kfold_std = mean_and_std(fold_accuracies)
        reference = _accuracy(data, x, y, data.x_test, data.y_test, budget, seed)
        estimates.append((holdout, fold_accuracies, kfold, reference))
        rows.append(
            [
                seed,
                holdout,
                kfold,
                kfold_std,
                reference,
                abs(holdout - reference),
                abs(kfold - reference),
            ]
        )
    holdouts = np.array([e[0] for e in estimates])
    kfolds = np.array([e[2] for e in estimates])
    references = np.array([e[3] for e in estimates])
    spread_holdout, spread_kfold = mean_and_std(holdouts)[1], mean_and_std(kfolds)[1]
    error_holdout = float(np.mean(np.abs(holdouts - references)))
    error_kfold = float(np.mean(np.abs(kfolds - references)))
    plots = [_plot(estimates, args.seed, args.folds, args.out / "estimates.png")]
    tighter = "tighter" if spread_kfold < spread_holdout else "not tighter"
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: k-fold cross-validation vs a single hold-out",
        f"{data.description}; a 1 x 128 ReLU net, Adam 0.001, {budget.describe()}; "
        f"{args.folds} folds; {args.seeds} seeds from first seed {args.seed} (each shuffles "
        "the pool and initializes the nets). The hold-out estimate trains on 80% of the pool; "
        "each fold trains on the other folds; the reference trains on the whole pool and is "
        "tested on the test slice.",
        [
            "seed",
            "hold-out estimate",
            "k-fold mean",
            "k-fold std",
            "reference (test)",
            "hold-out error",
            "k-fold error",
        ],
        rows,
        notes=[
            f"Across seeds the hold-out estimate spreads by {spread_holdout:.4f} (std), the "
            f"k-fold mean by {spread_kfold:.4f}: {tighter}, for {args.folds} trainings instead "
            f"of one. Mean distance from the reference: hold-out {error_holdout:.4f}, k-fold "
            f"{error_kfold:.4f}."
        ],
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {
        "out": args.out,
        "estimates": estimates,
        "spread": {"holdout": spread_holdout, "kfold": spread_kfold},
        "plots": plots,
        "report": report,
    }


def _plot(estimates, first_seed: int, folds: int, path):
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6.4, 4.0))
    for i, (holdout, fold_accuracies, kfold, reference) in enumerate(estimates):
        axis.scatter(
            np.full(len(fold_accuracies), i + 0.15),
            fold_accuracies,
            s=10,
            color="C1",
            alpha=0.35,
            label="single folds" if i == 0 else None,
        )
        axis.scatter(
            i - 0.15,
            holdout,
            marker="x",
            s=60,
            color="C0",
            label="hold-out estimate" if i == 0 else None,
        )
        axis.scatter(
            i + 0.15,
            kfold,
            marker="o",
            s=60,
            color="C1",
            label=f"{folds}-fold mean" if i == 0 else None,
        )
        axis.hlines(
            reference,
            i - 0.35,
            i + 0.35,
            color="black",
            label="reference (test)" if i == 0 else None,
        )
    axis.set_xticks(range(len(estimates)), [str(first_seed + i) for i in range(len(estimates))])
    axis.set_xlabel("seed (shuffle of the pool)")
    axis.set_ylabel("accuracy")
    axis.legend(fontsize=7)
    figure.suptitle("One hold-out vs k-fold cross-validation", fontsize=11)
    figure.tight_layout()
    return save_figure(figure, path, dpi=90)
