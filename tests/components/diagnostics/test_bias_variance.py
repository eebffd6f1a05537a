"""`diagnose_bias_variance` on hand-made numbers: each case of the notes, and bad input."""

from __future__ import annotations

import json

import pytest

from components.diagnostics import (
    BiasVarianceDiagnosis,
    diagnose_bias_variance,
    human_error_for,
)


@pytest.mark.parametrize(
    ("train", "dev", "human", "quadrant", "focus"),
    [
        # deeplearning.ai's examples (errors in %, here as fractions).
        (0.15, 0.16, 0.0, "high bias", "bias"),
        (0.01, 0.11, 0.0, "high variance", "variance"),
        (0.15, 0.30, 0.0, "high bias and high variance", "bias"),
        (0.005, 0.01, 0.0, "neither", "bias"),
        (0.08, 0.10, 0.01, "high bias and high variance", "bias"),  # bias 7 > variance 2
        (0.08, 0.10, 0.075, "high variance", "variance"),  # bias 0.5 < variance 2
    ],
)
def test_each_quadrant_and_the_bigger_gap_is_the_focus(train, dev, human, quadrant, focus):
    d = diagnose_bias_variance(train, dev, human_error=human)
    assert d.avoidable_bias == pytest.approx(train - human)
    assert d.variance == pytest.approx(dev - train)
    assert d.quadrant == quadrant
    assert d.focus == focus
    assert not d.beyond_human
    if quadrant == "high bias":
        assert "bigger network" in d.recommendation
    if quadrant == "high variance":
        assert "regularization" in d.recommendation
    if quadrant == "neither":
        assert "Neither" in d.recommendation


def test_without_human_error_the_bayes_error_is_taken_as_zero():
    d = diagnose_bias_variance(0.12, 0.13)
    assert d.human_error is None
    assert d.avoidable_bias == pytest.approx(0.12)
    assert d.quadrant == "high bias"


def test_better_than_human_level_says_so_and_leaves_the_bias_unknown():
    d = diagnose_bias_variance(0.02, 0.07, human_error=0.165)
    assert d.beyond_human
    assert d.avoidable_bias is None
    assert d.quadrant == "high variance" and d.focus == "variance"
    assert "better than human-level" in d.recommendation
    assert "no longer bounds the Bayes error" in d.recommendation
    assert "unknown" in d.describe()


def test_dev_to_test_mismatch_bigger_than_both_becomes_the_focus():
    d = diagnose_bias_variance(0.05, 0.055, human_error=0.045, test_error=0.10)
    assert d.mismatch == pytest.approx(0.045)
    assert d.focus == "mismatch"
    assert "dev set" in d.recommendation
    small = diagnose_bias_variance(0.05, 0.10, human_error=0.0, test_error=0.125)
    assert small.focus == "bias"  # bias 0.05 = variance 0.05 > mismatch 0.025
    assert "Also: the test error exceeds the dev error by 0.0250" in small.recommendation


def test_the_tolerance_decides_what_is_high():
    assert diagnose_bias_variance(0.03, 0.05, 0.0, tolerance=0.05).quadrant == "neither"
    assert diagnose_bias_variance(0.03, 0.05, 0.0, tolerance=0.01).quadrant == (
        "high bias and high variance"
    )


def test_json_round_trip_is_strict_json():
    d = diagnose_bias_variance(0.1, 0.2, human_error=0.05, test_error=0.21)
    text = json.dumps(d.to_json(), allow_nan=False)
    back = BiasVarianceDiagnosis.from_json(json.loads(text))
    assert back.quadrant == d.quadrant and back.variance == pytest.approx(d.variance)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"train_error": -0.1, "dev_error": 0.2}, "train_error must be an error rate in [0, 1]"),
        ({"train_error": 0.1, "dev_error": 1.5}, "dev_error must be an error rate"),
        ({"train_error": float("nan"), "dev_error": 0.2}, "train_error"),
        ({"train_error": 0.1, "dev_error": 0.2, "human_error": "0.1"}, "human_error"),
        ({"train_error": 0.1, "dev_error": 0.2, "test_error": float("inf")}, "test_error"),
        ({"train_error": 0.1, "dev_error": 0.2, "tolerance": 1.0}, "tolerance must be in"),
    ],
)
def test_bad_input_is_refused_with_what_is_valid(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        diagnose_bias_variance(**kwargs)


def test_human_error_for_fashion_mnist_is_the_published_crowd_figure():
    error, source = human_error_for("fashion_mnist")
    assert error == pytest.approx(1 - 0.835)
    assert "0.835" in source
    assert human_error_for("fashion_mnist", 0.05) == (0.05, "given")
    assert human_error_for("cifar10")[0] is None
    with pytest.raises(ValueError, match="human_error"):
        human_error_for("mnist", 2.0)
