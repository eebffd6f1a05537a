"""Evaluation numbers against independent computations, and the report's pictures."""

from __future__ import annotations

import matplotlib.image
import numpy as np
import pytest

from components.export.evaluation import (
    ConfidentMistakes,
    calibration,
    classification_report,
    cross_entropy,
    format_confusion_matrix,
    per_class_scores,
    top_k_accuracy,
)
from components.export.evaluation_plots import (
    plot_confident_mistakes,
    plot_confusion_matrix,
    plot_reliability_diagram,
)

NAMES = ["ant", "bee", "cat", "dog", "eel", "fox"]


@pytest.fixture
def predictions():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, len(NAMES), 500)
    logits = rng.normal(size=(500, len(NAMES))) * 2
    logits[np.arange(500), labels] += 1.5  # better than chance
    return logits, labels


def test_cross_entropy_is_the_log_softmax_and_stable():
    logits = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]])
    labels = np.array([2, 1])
    expected_first = -np.log(np.exp(3) / np.exp([1, 2, 3]).sum())
    got = cross_entropy(logits, labels)
    assert got[0] == pytest.approx(expected_first)
    assert got[1] == pytest.approx(1000.0)  # finite where a naive exp overflows


def test_top_k_accuracy_counts_labels_among_the_k_best(predictions):
    logits, labels = predictions
    order = np.argsort(-logits, axis=1)
    for k in (1, 3, 5):
        expected = np.mean([labels[i] in order[i, :k] for i in range(len(labels))])
        assert top_k_accuracy(logits, labels, k) == pytest.approx(expected)
    assert top_k_accuracy(logits, labels, 50) == 1.0  # k capped at the number of classes


def test_per_class_scores_against_counting(predictions):
    logits, labels = predictions
    predicted = logits.argmax(1)
    report = classification_report(logits, labels, NAMES)
    matrix = np.array(report["confusion_matrix"])
    for true in range(len(NAMES)):
        for guess in range(len(NAMES)):
            assert matrix[true, guess] == np.sum((labels == true) & (predicted == guess))
    for c, row in enumerate(report["per_class"]):
        tp = np.sum((predicted == c) & (labels == c))
        precision = tp / np.sum(predicted == c)
        recall = tp / np.sum(labels == c)
        assert row["class"] == NAMES[c]
        assert row["precision"] == pytest.approx(precision)
        assert row["recall"] == pytest.approx(recall)
        assert row["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
        assert row["support"] == np.sum(labels == c)
    assert report["accuracy"] == pytest.approx(np.mean(predicted == labels))
    assert report["examples"] == 500


def test_undefined_scores_are_zero_not_nan():
    scores = per_class_scores(np.array([[3, 0], [2, 0]]))  # class 1 never predicted
    assert scores["precision"].tolist() == [0.6, 0.0]
    assert scores["recall"].tolist() == [1.0, 0.0]
    assert scores["f1"][1] == 0.0


def test_calibration_against_a_loop(predictions):
    logits, labels = predictions
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    result = calibration(probabilities, labels, num_bins=10)
    confidence = probabilities.max(1)
    correct = probabilities.argmax(1) == labels
    ece = 0.0
    for b in range(10):
        lower, upper = b / 10, (b + 1) / 10
        members = (confidence > lower) & (confidence <= upper)
        assert result["bins"][b]["count"] == members.sum()
        if members.any():
            gap = abs(correct[members].mean() - confidence[members].mean())
            ece += members.sum() / len(labels) * gap
    assert result["ece"] == pytest.approx(ece)
    assert sum(b["count"] for b in result["bins"]) == len(labels)


def test_calibration_of_a_calibrated_and_an_overconfident_model():
    # 80 % confident and right 80 % of the time: ECE 0. Always 100 % sure, right half the time:
    # ECE 0.5.
    labels = np.array([0] * 8 + [1] * 2)
    probabilities = np.tile([0.8, 0.2], (10, 1))
    assert calibration(probabilities, labels)["ece"] == pytest.approx(0.0)
    sure = np.tile([1.0, 0.0], (10, 1))
    assert calibration(sure, np.array([0, 1] * 5))["ece"] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="num_bins"):
        calibration(sure, labels, num_bins=0)


def test_given_probabilities_drive_the_predictions():
    logits = np.array([[2.0, 0.0], [2.0, 0.0]])
    votes = np.array([[0.4, 0.6], [0.9, 0.1]])
    report = classification_report(logits, np.array([1, 0]), ["a", "b"], probabilities=votes)
    assert report["accuracy"] == 1.0  # from the probabilities, not the logits
    assert report["top2_accuracy"] == 1.0


def test_bad_report_input_is_named():
    with pytest.raises(ValueError, match="3 class names for 2 classes"):
        classification_report(np.zeros((4, 2)), np.zeros(4, int), ["a", "b", "c"])
    with pytest.raises(ValueError, match=r"N = len\(labels\) = 3"):
        classification_report(np.zeros((4, 2)), np.zeros(3, int), ["a", "b"])
    with pytest.raises(ValueError, match="no examples"):
        classification_report(np.zeros((0, 2)), np.zeros(0, int), ["a", "b"])


def test_confident_mistakes_keeps_the_most_confident_across_batches(predictions):
    logits, labels = predictions
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    images = np.arange(500, dtype=np.float32).reshape(500, 1, 1, 1) * np.ones((1, 4, 4, 1))
    kept = ConfidentMistakes(7)
    for start in range(0, 500, 64):
        end = start + 64
        kept.add(images[start:end], labels[start:end], probabilities[start:end])
    wrong = np.flatnonzero(probabilities.argmax(1) != labels)
    expected = wrong[np.argsort(-probabilities[wrong].max(1))][:7]
    got = kept.sorted()
    assert [m["index"] for m in got] == expected.tolist()
    assert all(m["image"][0, 0, 0] == m["index"] for m in got)  # the right image is kept
    assert all(m["predicted"] != m["label"] for m in got)


def _non_blank(path):
    image = matplotlib.image.imread(path)
    assert image.shape[0] > 100 and image.shape[1] > 100
    assert image[..., :3].std() > 0.05
    return image


def test_report_plots_are_written(predictions, tmp_path):
    logits, labels = predictions
    report = classification_report(logits, labels, NAMES)
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    mistakes = ConfidentMistakes(5)
    images = np.random.default_rng(1).integers(0, 256, (500, 8, 8, 1)).astype(np.uint8)
    mistakes.add(images, labels, probabilities)
    _non_blank(plot_confusion_matrix(report["confusion_matrix"], NAMES, tmp_path / "cm.png"))
    _non_blank(plot_reliability_diagram(report["calibration"], tmp_path / "rel.png"))
    _non_blank(plot_confident_mistakes(mistakes.sorted(), NAMES, tmp_path / "m.png"))
    _non_blank(plot_confident_mistakes([], NAMES, tmp_path / "none.png"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cm.png", "m.png", "none.png", "rel.png"]


def test_confusion_matrix_text_has_a_row_per_class(predictions):
    logits, labels = predictions
    matrix = classification_report(logits, labels, NAMES)["confusion_matrix"]
    lines = format_confusion_matrix(matrix, NAMES).splitlines()
    assert len(lines) == len(NAMES) + 1
    for name, line, row in zip(NAMES, lines[1:], matrix, strict=True):
        assert line.split()[0] == name
        assert [int(v) for v in line.split()[1:]] == row
