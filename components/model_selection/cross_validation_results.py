"""What cross-validation leaves: each fold's figures, each setting's mean and standard
deviation, the table, the best setting in words, the JSON and the plot."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
from pathlib import Path

import numpy as np

from components.atomic_files import write_text_atomic
from components.experiments.markdown import markdown_table
from components.export.metadata import library_versions
from components.model_selection.folds import Fold
from components.training.config import TrainConfig

METRICS = ("accuracy", "loss", "train_error")


@dataclasses.dataclass(frozen=True)
class FoldResult:
    """One fold of one setting: its figures on the held-out fold.

    Args:
        setting: the setting's name.
        fold: the fold (0-based index, splits and sizes).
        accuracy, loss: on the held-out fold, in inference mode (main head).
        train_error: inference-mode error on the first training images of the fold's
            training part (`components.training.diagnosis.training_error`).
        train_seconds: wall time of the fit.
    """

    setting: str
    fold: Fold
    accuracy: float
    loss: float
    train_error: float
    train_seconds: float

    def to_json(self) -> dict:
        return {
            "setting": self.setting,
            **dataclasses.asdict(self.fold),
            "accuracy": _finite(self.accuracy),
            "loss": _finite(self.loss),
            "train_error": _finite(self.train_error),
            "train_seconds": round(self.train_seconds, 1),
        }


@dataclasses.dataclass
class SettingSummary:
    """A setting's folds and their mean and standard deviation (over folds, ddof 1).

    Args:
        name: as given (`"lr=1e-3"`).
        config: the setting's resolved config.
        folds: its fold results, in fold order.
    """

    name: str
    config: TrainConfig
    folds: list[FoldResult]

    def values(self, metric: str) -> np.ndarray:
        """The metric (`METRICS`) of each fold."""
        return np.array([getattr(fold, metric) for fold in self.folds], np.float64)

    def mean(self, metric: str) -> float:
        return mean_and_std(self.values(metric))[0]

    def std(self, metric: str) -> float:
        return mean_and_std(self.values(metric))[1]

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "command": self.config.command_line(),
            "folds": [fold.to_json() for fold in self.folds],
            "mean": {m: _finite(self.mean(m)) for m in METRICS} if self.folds else None,
            "std": {m: _finite(self.std(m)) for m in METRICS} if self.folds else None,
        }


@dataclasses.dataclass
class CrossValidationResult:
    """What `cross_validate` leaves.

    Args:
        split: the tfds split folded; folds: its `Fold`s.
        settings: one summary per setting, in the order given.
        best: the name of the setting with the best mean validation accuracy.
        results_path: the JSON of every fold (written after each).
        plot_path: the PNG of the folds' accuracies per setting.
        table: the markdown table of the folds, mean and std.
        diagnosis: bias vs variance of the best setting, from its mean errors.
    """

    split: str
    folds: list[Fold]
    settings: list[SettingSummary]
    best: str
    results_path: Path | None
    plot_path: Path | None
    table: str
    diagnosis: dict


def mean_and_std(values) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof 1; 0 for a single value) of `values`.

    Example:
    >>> mean_and_std([0.8, 0.9, 1.0])
    (0.9, 0.1)
    """
    values = np.asarray(values, np.float64)
    if values.size == 0:
        return float("nan"), float("nan")
    std = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
    return round(float(np.mean(values)), 12), round(std, 12)


def _finite(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def write_results(path, first, fold_list, summaries, *, best, diagnosis=None) -> Path:
    payload = {
        "kind": "cross_validation",
        "dataset": first.data.dataset,
        "split": first.data.train_split,
        "folds": len(fold_list),
        "fold_splits": [dataclasses.asdict(fold) for fold in fold_list],
        "std": "sample standard deviation over folds (ddof 1)",
        "settings": [summary.to_json() for summary in summaries],
        "best": best,
        "best_by": "mean validation accuracy over folds",
        "complete": best is not None,
        "diagnosis": diagnosis,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "versions": library_versions(),
    }
    return write_text_atomic(path, json.dumps(payload, indent=2, allow_nan=False) + "\n")


def results_table(summaries: list[SettingSummary]) -> str:
    """Markdown: one row per setting, the validation accuracy of each fold, mean ± std."""
    folds = max(len(s.folds) for s in summaries)
    rows = [
        [
            s.name,
            *[f"{f.accuracy:.4f}" for f in s.folds],
            f"{s.mean('accuracy'):.4f} ± {s.std('accuracy'):.4f}",
            f"{s.mean('loss'):.4f}",
            f"{s.mean('train_error'):.4f}",
        ]
        for s in summaries
    ]
    headers = [
        "setting",
        *[f"fold {i + 1}" for i in range(folds)],
        "accuracy mean ± std",
        "mean loss",
        "mean train error",
    ]
    return markdown_table(headers, rows)


def best_sentence(summaries: list[SettingSummary], best: SettingSummary) -> str:
    """Names the best setting, and says when the next is within a standard deviation of it."""
    text = (
        f"Best on the mean validation accuracy: {best.name} "
        f"({best.mean('accuracy'):.4f} ± {best.std('accuracy'):.4f} over {len(best.folds)} folds)."
    )
    others = [s for s in summaries if s is not best]
    if others:
        runner_up = max(others, key=lambda s: np.nan_to_num(s.mean("accuracy"), nan=-1.0))
        gap = best.mean("accuracy") - runner_up.mean("accuracy")
        spread = max(best.std("accuracy"), runner_up.std("accuracy"))
        if gap <= spread:
            text += (
                f" {runner_up.name} is within one standard deviation ({gap:.4f} <= "
                f"{spread:.4f}): the folds cannot tell the two apart."
            )
        else:
            text += f" Ahead of {runner_up.name} by {gap:.4f} (> one standard deviation)."
    return text


def diagnosis_sentence(best: SettingSummary, diagnosis: dict) -> str:
    human = diagnosis["human_error"]
    return (
        f"{best.name}: mean train error {diagnosis['train_error']:.4f}, mean validation error "
        f"{diagnosis['dev_error']:.4f}, human-level "
        f"{'not given' if human is None else f'{human:g}'} -> {diagnosis['quadrant']}. "
        f"{diagnosis['recommendation']}"
    )


def plot_folds(summaries: list[SettingSummary], path: str | Path) -> Path:
    """Each fold's validation accuracy per setting (dots) with the mean ± std (bar), as PNG."""
    from components.figures import pyplot, save_figure

    plt = pyplot()
    figure, axis = plt.subplots(figsize=(max(4.0, 1.4 * len(summaries) + 2), 3.6))
    for x, summary in enumerate(summaries):
        values = summary.values("accuracy")
        axis.scatter(
            np.full(len(values), x) + np.linspace(-0.08, 0.08, len(values)),
            values,
            color=f"C{x}",
            alpha=0.7,
            label=None,
        )
        axis.errorbar(
            x + 0.25,
            summary.mean("accuracy"),
            yerr=summary.std("accuracy"),
            fmt="o",
            color="black",
            capsize=4,
        )
    axis.set_xticks(range(len(summaries)), [s.name for s in summaries], fontsize=8)
    axis.set_ylabel("validation accuracy per fold")
    axis.set_title(
        f"{len(summaries[0].folds)}-fold cross-validation (black: mean ± std)", fontsize=10
    )
    figure.tight_layout()
    return save_figure(figure, path, dpi=90)


__all__ = [
    "METRICS",
    "CrossValidationResult",
    "FoldResult",
    "SettingSummary",
    "best_sentence",
    "diagnosis_sentence",
    "mean_and_std",
    "plot_folds",
    "results_table",
    "write_results",
]
