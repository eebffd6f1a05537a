"""Pictures of an evaluation report: confusion matrix, reliability diagram, confident mistakes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from components.figures import pyplot, save_figure


def plot_confusion_matrix(
    matrix: np.ndarray, class_names: list[str], path: str | Path, *, title: str = ""
) -> Path:
    """The confusion matrix as a heat map, rows normalized to recall, counts written in cells.

    Example:
    >>> plot_confusion_matrix(np.array([[5, 1], [2, 4]]), ["cat", "dog"], "confusion.png")
    PosixPath('confusion.png')
    """
    plt = pyplot()
    matrix = np.asarray(matrix)
    rows = matrix.sum(axis=1, keepdims=True)
    fractions = np.divide(matrix, rows, out=np.zeros(matrix.shape), where=rows > 0)
    n = len(class_names)
    figure, axis = plt.subplots(figsize=(1.0 + 0.65 * n, 0.8 + 0.6 * n))
    image = axis.imshow(fractions, cmap="Blues", vmin=0.0, vmax=1.0)
    axis.set_xticks(range(n), class_names, rotation=45, ha="right", fontsize=8)
    axis.set_yticks(range(n), class_names, fontsize=8)
    axis.set_xlabel("predicted")
    axis.set_ylabel("true")
    for i in range(n):
        for j in range(n):
            color = "white" if fractions[i, j] > 0.5 else "black"
            axis.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7, color=color)
    figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04, label="fraction of the true class")
    axis.set_title(title or "Confusion matrix", fontsize=10)
    figure.tight_layout()
    return save_figure(figure, path)


def plot_reliability_diagram(calibration: dict, path: str | Path, *, title: str = "") -> Path:
    """Accuracy per confidence bin against the diagonal of perfect calibration, with counts.

    Args:
        calibration: the `calibration` entry of `components.evaluation.classification_report`.
        path: the PNG to write.
    """
    plt = pyplot()
    bins = calibration["bins"]
    filled = [b for b in bins if b["count"]]  # empty bins have no accuracy to draw
    centers = [(b["lower"] + b["upper"]) / 2 for b in filled]
    widths = [b["upper"] - b["lower"] for b in filled]
    accuracy = [b["accuracy"] for b in filled]
    confidence = [b["confidence"] for b in filled]
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(5, 6), gridspec_kw={"height_ratios": [3, 1]}, sharex=True
    )
    top.bar(centers, accuracy, width=widths, edgecolor="black", color="tab:blue", label="accuracy")
    top.bar(
        centers,
        [abs(a - c) for a, c in zip(accuracy, confidence, strict=True)],
        bottom=[min(a, c) for a, c in zip(accuracy, confidence, strict=True)],
        width=widths,
        color="tab:red",
        alpha=0.3,
        label="gap to the mean confidence",
    )
    top.plot([0, 1], [0, 1], "k--", label="perfect calibration")
    top.set_ylabel("accuracy")
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.legend(loc="upper left", fontsize=8)
    top.set_title(
        f"{title + ': ' if title else ''}reliability, ECE {calibration['ece']:.4f}", fontsize=10
    )
    bottom.bar(
        centers, [b["count"] for b in filled], width=widths, color="gray", edgecolor="black"
    )
    bottom.set_yscale("log")
    bottom.set_xlabel("confidence (top-1 probability)")
    bottom.set_ylabel("examples")
    figure.tight_layout()
    return save_figure(figure, path)


def plot_confident_mistakes(
    mistakes: list[dict], class_names: list[str], path: str | Path, *, columns: int = 8
) -> Path:
    """A grid of the most confident mistakes: each image titled `true → predicted (p)`.

    Args:
        mistakes: `components.evaluation.ConfidentMistakes.sorted()`.
        class_names: names in class-id order.
        path: the PNG to write.
    """
    plt = pyplot()
    count = max(len(mistakes), 1)
    columns = min(columns, count)
    rows = -(-count // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(1.7 * columns, 1.9 * rows), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    if not mistakes:
        axes[0][0].text(0.5, 0.5, "no mistakes", ha="center", va="center")
    for axis, item in zip(axes.flat, mistakes, strict=False):
        image = np.asarray(item["image"])
        if image.ndim == 3 and image.shape[-1] == 1:
            axis.imshow(image[..., 0], cmap="gray", vmin=0, vmax=255)
        else:
            axis.imshow(np.clip(image, 0, 255).astype(np.uint8))
        axis.set_title(
            f"{class_names[item['label']]}\n→ {class_names[item['predicted']]} "
            f"({item['confidence']:.2f})",
            fontsize=7,
        )
    figure.suptitle("Most confident mistakes (true → predicted, probability)", fontsize=9)
    figure.tight_layout()
    return save_figure(figure, path)
