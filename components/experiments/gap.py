"""Training vs held-out figures: the curves and the table of their gap (variance).

The augmentation, regularization and capacity lessons all ask how far the held-out figures
fall behind the training ones; this is where they get the same curves and the same columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from components.experiments.plots import plot_epoch_curves
from components.experiments.runner import RunRecord


def gap_headers(held_out: str = "held-out") -> list[str]:
    """The columns of `gap_row`, the held-out part named `held_out` (`"test"`, `"held-out"`).

    Example:
    >>> gap_headers("test")
    ['train accuracy', 'test accuracy', 'gap', 'train loss', 'test loss']
    """
    return [
        "train accuracy",
        f"{held_out} accuracy",
        "gap",
        "train loss",
        f"{held_out} loss",
    ]


def gap_row(record: RunRecord) -> list[float]:
    """A run's train and held-out accuracy after training (inference mode), their gap, and
    the two losses (without regularization penalties), in `gap_headers` order."""
    final = record.final
    return [
        final["train_accuracy"],
        final["test_accuracy"],
        final["train_accuracy"] - final["test_accuracy"],
        final["train_loss"],
        final["test_loss"],
    ]


def plot_train_vs_held_out(
    records: Sequence[RunRecord], out: str | Path, *, title: str, held_out: str = "held-out"
) -> list[Path]:
    """`accuracy.png` and `loss_curves.png` in `out`: train and held-out per epoch, per run."""
    out = Path(out)
    return [
        plot_epoch_curves(
            records,
            {"accuracy": "train", "val_accuracy": held_out},
            out / "accuracy.png",
            title=title,
            ylabel="accuracy",
        ),
        plot_epoch_curves(
            records,
            {"data_loss": "train", "val_data_loss": held_out},
            out / "loss_curves.png",
            title=title,
            ylabel="cross-entropy",
        ),
    ]


__all__ = ["gap_headers", "gap_row", "plot_train_vs_held_out"]
