"""A classifier's full evaluation from its logits and the true labels: the numbers of a report.

Loss, top-1 and top-k accuracy, per-class precision / recall / F1, the confusion matrix and
calibration (expected calibration error with the bins of a reliability diagram, Guo et al. 2017,
"On Calibration of Modern Neural Networks"). Everything works on NumPy arrays gathered from any
model, an exported SavedModel or an ensemble alike.

The confusion matrix is TensorFlow's (`tf.math.confusion_matrix`); precision, recall and F1 follow
from it. Keras's metrics give these one by one, for a compiled Keras model; a SavedModel's
outputs need them all at once, hence this module. Calibration error has no TensorFlow or Keras
implementation.
"""

from __future__ import annotations

import heapq

import numpy as np
import tensorflow as tf


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per-example softmax cross-entropy, computed stably from logits (log-sum-exp)."""
    logits = np.asarray(logits, np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1))
    return log_norm - shifted[np.arange(len(labels)), labels]


def top_k_accuracy(logits: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Fraction of examples whose label is among the `k` highest scores (ties count as hits)."""
    logits = np.asarray(logits)
    k = min(k, logits.shape[1])
    true_scores = logits[np.arange(len(labels)), labels]
    # Rank of the true class = number of classes scored strictly higher.
    rank = (logits > true_scores[:, None]).sum(axis=1)
    return float((rank < k).mean())


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray, num_classes: int) -> np.ndarray:
    """`[true, predicted]` counts (rows: true class), TensorFlow's `tf.math.confusion_matrix`."""
    return tf.math.confusion_matrix(labels, predictions, num_classes=num_classes).numpy()


def per_class_scores(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and support per class from a confusion matrix (0 where undefined)."""
    matrix = np.asarray(matrix, np.float64)
    true_positives = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, true_positives / predicted, 0.0)
        recall = np.where(actual > 0, true_positives / actual, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return {"precision": precision, "recall": recall, "f1": f1, "support": actual.astype(int)}


def calibration(probabilities: np.ndarray, labels: np.ndarray, num_bins: int = 15) -> dict:
    """Expected calibration error and the reliability-diagram bins of the top-1 confidence.

    ECE = sum over equal-width confidence bins of (bin size / N) * |accuracy - mean confidence|.

    Args:
        probabilities: `[N, classes]` predicted probabilities.
        labels: `[N]` true class ids.
        num_bins: equal-width bins over [0, 1] (15, as in Guo et al.).

    Returns:
        `{"ece": float, "num_bins": int, "bins": [{"lower", "upper", "count", "confidence",
        "accuracy"}, ...]}` (confidence and accuracy are None in empty bins).

    Example:
    >>> calibration(np.array([[0.9, 0.1], [0.6, 0.4]]), np.array([0, 1]), num_bins=2)["ece"]
    0.25
    """
    if num_bins < 1:
        raise ValueError(f"num_bins must be a positive integer, got {num_bins}.")
    probabilities = np.asarray(probabilities, np.float64)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    # Bin i holds (edges[i], edges[i + 1]]; a confidence of exactly 0 joins the first bin.
    index = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, num_bins - 1)
    bins, ece = [], 0.0
    for i in range(num_bins):
        members = index == i
        count = int(members.sum())
        mean_confidence = float(confidence[members].mean()) if count else None
        accuracy = float(correct[members].mean()) if count else None
        if count:
            ece += count / len(labels) * abs(accuracy - mean_confidence)
        bins.append(
            {
                "lower": float(edges[i]),
                "upper": float(edges[i + 1]),
                "count": count,
                "confidence": mean_confidence,
                "accuracy": accuracy,
            }
        )
    return {"ece": round(float(ece), 12), "num_bins": num_bins, "bins": bins}


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, shifted by its maximum for stability."""
    logits = np.asarray(logits, np.float64)
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def classification_report(
    logits: np.ndarray,
    labels: np.ndarray,
    class_names: list[str],
    *,
    probabilities: np.ndarray | None = None,
    top_k: int = 5,
    num_bins: int = 15,
) -> dict:
    """Every number of an evaluation report for `logits` (or given probabilities) vs `labels`.

    Args:
        logits: `[N, classes]` scores; the loss is the softmax cross-entropy of these.
        labels: `[N]` true class ids.
        class_names: names in class-id order.
        probabilities: `[N, classes]`, when they are not `softmax(logits)` (a vote).
        top_k: the k of top-k accuracy (capped at the number of classes).
        num_bins: calibration bins.

    Example:
    >>> logits = np.array([[2.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    >>> r = classification_report(logits, np.array([0, 1, 1]), ["cat", "dog"])
    >>> round(r["accuracy"], 4), r["per_class"][1]["class"], r["per_class"][1]["recall"]
    (0.6667, 'dog', 0.5)
    """
    logits = np.asarray(logits)
    labels = np.asarray(labels).astype(np.int64)
    if logits.ndim != 2 or len(logits) != len(labels):
        raise ValueError(
            f"logits must be [N, classes] with N = len(labels) = {len(labels)}, "
            f"got shape {list(logits.shape)}."
        )
    if len(labels) == 0:
        raise ValueError("Nothing to evaluate: no examples.")
    num_classes = logits.shape[1]
    if len(class_names) != num_classes:
        raise ValueError(f"{len(class_names)} class names for {num_classes} classes.")
    probabilities = softmax(logits) if probabilities is None else np.asarray(probabilities)
    predictions = probabilities.argmax(axis=1)
    matrix = confusion_matrix(labels, predictions, num_classes)
    scores = per_class_scores(matrix)
    k = min(top_k, num_classes)
    return {
        "examples": int(len(labels)),
        "loss": float(cross_entropy(logits, labels).mean()),
        "accuracy": float((predictions == labels).mean()),
        f"top{k}_accuracy": top_k_accuracy(probabilities, labels, k),
        "per_class": [
            {
                "class": name,
                "precision": float(scores["precision"][i]),
                "recall": float(scores["recall"][i]),
                "f1": float(scores["f1"][i]),
                "support": int(scores["support"][i]),
            }
            for i, name in enumerate(class_names)
        ],
        "macro_f1": float(scores["f1"].mean()),
        "confusion_matrix": matrix.tolist(),
        "calibration": calibration(probabilities, labels, num_bins),
    }


def format_confusion_matrix(matrix: np.ndarray, class_names: list[str]) -> str:
    """The confusion matrix as aligned text: rows true classes, columns predicted."""
    matrix = np.asarray(matrix)
    width = max(5, len(str(matrix.max())) + 1)
    short = [name[:width] for name in class_names]
    label_width = max(len(n) for n in class_names) + 1
    lines = [" " * label_width + "".join(s.rjust(width + 1) for s in short) + "  <- predicted"]
    for name, row in zip(class_names, matrix, strict=True):
        lines.append(name.ljust(label_width) + "".join(str(v).rjust(width + 1) for v in row))
    return "\n".join(lines)


def format_per_class(report: dict) -> str:
    """Per-class precision, recall, F1 and support as aligned text."""
    width = max(len(row["class"]) for row in report["per_class"]) + 2
    lines = [f"{'class':<{width}}precision  recall      f1  support"]
    for row in report["per_class"]:
        lines.append(
            f"{row['class']:<{width}}{row['precision']:9.4f}{row['recall']:8.4f}"
            f"{row['f1']:8.4f}{row['support']:9d}"
        )
    return "\n".join(lines)


class ConfidentMistakes:
    """Keeps the `count` most confident wrong predictions seen over a stream of batches.

    Args:
        count: how many mistakes to keep.

    Example:
    >>> mistakes = ConfidentMistakes(16)
    >>> images, labels = np.zeros((3, 2, 2, 1)), np.array([0, 1, 1])
    >>> mistakes.add(images, labels, np.array([[0.9, 0.1], [0.7, 0.3], [0.2, 0.8]]))
    >>> [(m["label"], m["predicted"], m["confidence"]) for m in mistakes.sorted()]
    [(1, 0, 0.7)]
    """

    def __init__(self, count: int = 16):
        if count < 0:
            raise ValueError(f"count must be >= 0, got {count}.")
        self.count = count
        self._heap: list[tuple[float, int, dict]] = []  # min-heap on confidence
        self._seen = 0

    def add(self, images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray) -> None:
        predictions = probabilities.argmax(axis=1)
        confidence = probabilities.max(axis=1)
        for i in np.flatnonzero(predictions != labels):
            item = {
                "image": np.array(images[i]),
                "label": int(labels[i]),
                "predicted": int(predictions[i]),
                "confidence": float(confidence[i]),
                "index": self._seen + int(i),
            }
            entry = (item["confidence"], item["index"], item)
            if len(self._heap) < self.count:
                heapq.heappush(self._heap, entry)
            elif self.count and entry[0] > self._heap[0][0]:
                heapq.heapreplace(self._heap, entry)
        self._seen += len(labels)

    def sorted(self) -> list[dict]:
        """The kept mistakes, most confident first."""
        return [item for _, _, item in sorted(self._heap, key=lambda e: (-e[0], e[1]))]
