"""The lessons' curves: per-step losses, per-epoch figures, plain lines and an ablation's bars,
as PNG."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from components.experiments.ablation import FAST, GROUPS, PLAIN, AblationVariant
from components.experiments.runner import RunRecord
from components.experiments.statistics import moving_average, smoothing_window
from components.experiments.time_to_accuracy import threshold_key
from components.figures import pyplot, save_figure


def _save(figure, path: str | Path) -> Path:
    return save_figure(figure, path, dpi=90)


def _y_limits(values: list[np.ndarray], log: bool) -> tuple[float, float] | None:
    """Limits that show the bulk of the values: a few exploding steps should not flatten all."""
    finite = np.concatenate([v[np.isfinite(v)] for v in values] or [np.zeros(0)])
    if log:
        finite = finite[finite > 0]
    if not finite.size:
        return None
    high = float(np.percentile(finite, 99))
    if log:
        return float(finite.min()) * 0.9, high * 1.1
    return min(0.0, float(finite.min())), high * 1.05 + 1e-12


def plot_step_losses(
    panels: dict[str, Sequence[RunRecord]],
    path: str | Path,
    *,
    title: str,
    ylabel: str = "training loss per step",
    log: bool = False,
    sharey: bool = True,
) -> Path:
    """Per-step loss against epochs: one panel per group, one colour per run.

    Each run's raw per-step losses are drawn faintly and their moving average (over a fifth of
    an epoch) on top, so batch sizes and step counts compare on one axis. The y axis shows the
    bulk of the losses (up to their 99th percentile); exploding ones leave it at the top.

    Args:
        panels: `{panel title: records}`; one panel: `{"": records}`.
        path: the PNG to write (atomically).
        title: the figure's title.
        ylabel: the y axis's label.
        log: log-scale y axis.
        sharey: one y scale for all panels (False for losses of different kinds).
    """
    plt = pyplot()
    figure, axes = plt.subplots(
        1, len(panels), figsize=(5.0 * len(panels), 3.6), squeeze=False, sharey=sharey
    )
    every_loss = [r.step_losses for records in panels.values() for r in records]
    for axis, (panel, records) in zip(axes[0], panels.items(), strict=True):
        limits = _y_limits(every_loss if sharey else [r.step_losses for r in records], log)
        # Values far off the axis are drawn at its edge: Agg mangles lines to 1e30 and beyond.
        top = 10 * limits[1] if limits else None
        for color, record in enumerate(records):
            x, y = record.step_epochs(), np.minimum(record.step_losses, top or np.inf)
            window = smoothing_window(record.steps_per_epoch)
            axis.plot(x, y, color=f"C{color}", alpha=0.2, linewidth=0.6)
            axis.plot(
                x,
                moving_average(y, window),
                color=f"C{color}",
                marker="o" if len(x) <= 30 else None,  # a few steps (full batch) stay visible
                markersize=3,
                label=record.name,
            )
        axis.set_title(panel, fontsize=10)
        axis.set_xlabel("epochs")
        if log:
            axis.set_yscale("log")
        if limits:
            axis.set_ylim(*limits)
        axis.legend(fontsize=7)
    axes[0][0].set_ylabel(ylabel)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    return _save(figure, path)


def plot_epoch_curves(
    records: Sequence[RunRecord],
    keys: dict[str, str],
    path: str | Path,
    *,
    title: str,
    ylabel: str,
) -> Path:
    """Per-epoch curves from Keras's History: one colour per run, one line style per key.

    Args:
        records: the runs.
        keys: `{History key: label}`, e.g. `{"accuracy": "train", "val_accuracy": "test"}`.
        path: the PNG to write (atomically).
        title, ylabel: the figure's title and y label.
    """
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6.0, 3.8))
    styles = ["-", "--", ":", "-."]
    for color, record in enumerate(records):
        for style, (key, label) in zip(styles, keys.items(), strict=False):
            values = record.history.get(key, [])
            axis.plot(
                np.arange(1, len(values) + 1),
                values,
                style,
                marker="o",
                markersize=3,
                color=f"C{color}",
                label=f"{record.name}, {label}",
            )
    axis.set_xlabel("epoch")
    axis.set_ylabel(ylabel)
    axis.legend(fontsize=7)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    return _save(figure, path)


def plot_lines(
    lines: dict[str, tuple[Sequence[float], Sequence[float]]],
    path: str | Path,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    log: bool = False,
) -> Path:
    """Named `(x, y)` lines on one axis, as PNG (atomically).

    Args:
        lines: `{legend label: (x values, y values)}`.
        path: the PNG to write (its directory is created).
        title, xlabel, ylabel: the labels.
        log: log-scale y axis.

    Example:
    >>> plot_lines({"a": ([1, 2], [3, 1])}, "out/a.png", title="", xlabel="step", ylabel="loss")
    PosixPath('out/a.png')
    """
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6.0, 3.8))
    for name, (x, y) in lines.items():
        axis.plot(x, y, marker="o", markersize=3, label=name)
    if log:
        axis.set_yscale("log")
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.legend(fontsize=7)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    return _save(figure, path)


def plot_ablation(
    variants: Sequence[AblationVariant],
    summaries: dict[str, dict],
    threshold: float,
    path: str | Path,
    *,
    title: str,
) -> Path:
    """An ablation's arms, a bar each: the final test accuracy (median, whiskers min-max over
    the seeds, the fast recipe's and plain's medians as lines) and the median training seconds
    to `threshold` (hatched to all the training seconds where not reached).

    Args:
        variants: `ablation_variants`'s, drawn top to bottom in their order.
        summaries: `{variant name: summarize_seeds(its runs)}`.
        threshold: the accuracy timed.
        path: the PNG to write (atomically).
        title: the figure's title.
    """
    plt = pyplot()
    names = [v.name for v in variants]
    colors = {group: f"C{i}" for i, group in enumerate(GROUPS)}
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(11.0, max(3.8, 1.6 + 0.36 * len(names))), sharey=True
    )
    rows = range(len(names))[::-1]  # the first variant on top
    finals = [summaries[n]["final_test_accuracy"] for n in names]
    low = min(f["min"] for f in finals)
    high = max(f["max"] for f in finals)
    margin = max(0.01, 0.1 * (high - low))
    left.barh(
        rows,
        [f["median"] - (low - margin) for f in finals],
        left=low - margin,
        xerr=[[f["median"] - f["min"] for f in finals], [f["max"] - f["median"] for f in finals]],
        color=[colors[v.group] for v in variants],
        alpha=0.8,
        capsize=3,
    )
    for name, style in ((FAST, "--"), (PLAIN, ":")):
        left.axvline(
            summaries[name]["final_test_accuracy"]["median"],
            color="black",
            linestyle=style,
            linewidth=0.8,
            label=name,
        )
    left.legend(fontsize=7, loc="lower right")
    left.set_xlim(low - margin, high + margin)
    left.set_yticks(list(rows), names, fontsize=8)
    left.set_xlabel("final test accuracy\n(median; whiskers: min–max over the seeds)")
    key = threshold_key(threshold)
    for row, variant in zip(rows, variants, strict=True):
        summary = summaries[variant.name]
        found = summary["thresholds"][key]
        if found["seconds"] is None:  # drawn to all the training seconds, hatched
            right.barh(row, summary["train_seconds"], color="white", edgecolor="grey", hatch="//")
            right.text(
                summary["train_seconds"],
                row,
                f" not reached ({found['reached']}/{summary['seeds']})",
                va="center",
                fontsize=7,
            )
        else:
            right.barh(row, found["seconds"], color=colors[variant.group], alpha=0.8)
    right.set_xlabel(
        f"training seconds to test accuracy {threshold:g}\n(median over the seeds; hatched: "
        "not reached)"
    )
    right.margins(x=0.25)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return save_figure(figure, path, dpi=90)


__all__ = ["plot_ablation", "plot_epoch_curves", "plot_lines", "plot_step_losses"]
