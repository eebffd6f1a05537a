"""Bias vs variance against human-level error: what to work on next.

deeplearning.ai, "Structuring machine learning projects" (lesson 5 of the notes): human-level
error stands in for the Bayes error, the lowest error any classifier can reach. Then

- avoidable bias = training error - human-level error: the model does not even fit its
  training data as well as it could. Fix: a bigger network, training longer, a better
  optimizer or architecture.
- variance = dev (validation) error - training error: what it learned does not carry over.
  Fix: regularization (L2, dropout), more data (augmentation).
- dev->test mismatch = test error - dev error: the dev set was tuned on (overfit) or differs
  from the test set. Fix: a bigger dev set, dev and test from one distribution.

Work on the bigger of the first two. Once the training error is below the human-level error,
human-level no longer bounds the Bayes error: the avoidable bias is not known any more (it is
at most the training error), and progress is harder to judge. Written here because neither
Keras nor TensorFlow has such a diagnosis.
"""

from __future__ import annotations

import dataclasses
import math

# Fashion-MNIST's published crowd-sourced human accuracy: 0.835 on 1,000 test images with 3
# labels each, by people without fashion expertise (the dataset's README, "Benchmark":
# https://github.com/zalandoresearch/fashion-mnist#benchmark).
PUBLISHED_HUMAN_ERROR = {
    "fashion_mnist": (
        round(1.0 - 0.835, 3),
        "Fashion-MNIST's published crowd figure, 0.835 accuracy",
    )
}
QUADRANTS = ("high bias", "high variance", "high bias and high variance", "neither")
DEFAULT_TOLERANCE = 0.01


# A run's training error is measured on its first this many training images, in inference
# mode: enough for the error to within about +-0.3 points (binomial, at 5%), at a fraction of
# the cost of a pass over 60,000 images.
TRAIN_ERROR_IMAGES = 10_000


def check_error_rate(name: str, value, optional: bool = False) -> None:
    """Raises a ValueError naming `name` unless `value` is a finite number in [0, 1] (or None,
    where `optional`)."""
    if value is None and optional:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not 0.0 <= value <= 1.0
    ):
        raise ValueError(f"{name} must be an error rate in [0, 1], got {value!r}.")


@dataclasses.dataclass(frozen=True)
class BiasVarianceDiagnosis:
    """The errors given, the gaps between them, and what to work on.

    Args:
        train_error, dev_error, human_error, test_error: as given (None where not).
        avoidable_bias: `train_error - human_error` (`train_error` without a human-level
            error: the Bayes error taken as 0); None when the model is better than human-level
            on its training data (then it is not known).
        variance: `dev_error - train_error`.
        mismatch: `test_error - dev_error`, or None without a test error.
        quadrant: one of `QUADRANTS`: which gaps exceed `tolerance`.
        focus: `"bias"` or `"variance"`: the bigger gap; `"mismatch"` when the dev->test gap
            is bigger than both.
        beyond_human: the training error is below the human-level error.
        tolerance: the gap above which bias, variance or mismatch counts as high.
        recommendation: what to do next, in plain words.
    """

    train_error: float
    dev_error: float
    human_error: float | None
    test_error: float | None
    avoidable_bias: float | None
    variance: float
    mismatch: float | None
    quadrant: str
    focus: str
    beyond_human: bool
    tolerance: float
    recommendation: str

    def to_json(self) -> dict:
        """The diagnosis as a JSON-ready dict (rounded to 6 digits)."""
        return {
            k: round(v, 6) if isinstance(v, float) else v
            for k, v in dataclasses.asdict(self).items()
        }

    @classmethod
    def from_json(cls, payload: dict) -> BiasVarianceDiagnosis:
        """The inverse of `to_json`."""
        return cls(**payload)

    def describe(self) -> str:
        """Several lines: the errors, the gaps and the recommendation."""
        human = "not given" if self.human_error is None else f"{self.human_error:.4f}"
        lines = [
            f"Bias vs variance: train error {self.train_error:.4f}, dev error "
            f"{self.dev_error:.4f}, human-level error {human}"
            + ("" if self.test_error is None else f", test error {self.test_error:.4f}")
            + ".",
        ]
        if self.avoidable_bias is None:
            lines.append("  avoidable bias: unknown (training error below human-level)")
        else:
            lines.append(f"  avoidable bias: {self.avoidable_bias:+.4f}")
        lines.append(f"  variance:       {self.variance:+.4f}")
        if self.mismatch is not None:
            lines.append(f"  dev->test:      {self.mismatch:+.4f}")
        lines.append(f"  -> {self.quadrant} (tolerance {self.tolerance:g}). {self.recommendation}")
        return "\n".join(lines)


def diagnose_bias_variance(
    train_error: float,
    dev_error: float,
    human_error: float | None = None,
    test_error: float | None = None,
    *,
    tolerance: float = DEFAULT_TOLERANCE,
) -> BiasVarianceDiagnosis:
    """Avoidable bias, variance and dev->test mismatch, with what to work on next.

    Args:
        train_error: the error on the training data, measured as the model is used (inference
            mode: no dropout, no augmentation).
        dev_error: the error on the dev (validation) set.
        human_error: human-level error, the proxy for the Bayes error (None: taken as 0).
        test_error: the error on the test set, if measured.
        tolerance: a gap above it is high (default 0.01, one point of error).

    Returns:
        A `BiasVarianceDiagnosis`.

    Raises:
        ValueError: an error outside [0, 1] or not a finite number; a tolerance not in [0, 1).

    Example:
    >>> d = diagnose_bias_variance(0.08, 0.10, human_error=0.01)
    >>> d.quadrant, d.focus, round(d.avoidable_bias, 2), round(d.variance, 2)
    ('high bias and high variance', 'bias', 0.07, 0.02)
    >>> diagnose_bias_variance(0.02, 0.07, human_error=0.165).beyond_human
    True
    """
    check_error_rate("train_error", train_error)
    check_error_rate("dev_error", dev_error)
    check_error_rate("human_error", human_error, optional=True)
    check_error_rate("test_error", test_error, optional=True)
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, (int, float))
        or not 0 <= tolerance < 1
    ):
        raise ValueError(f"tolerance must be in [0, 1), got {tolerance!r}.")
    train_error, dev_error = float(train_error), float(dev_error)
    beyond_human = human_error is not None and train_error < human_error
    if beyond_human:
        avoidable_bias = None
    else:
        avoidable_bias = train_error - (human_error or 0.0)
    # Rounded so that 0.16 - 0.15 is 0.01, not 0.01000000000000001 (above a 0.01 tolerance).
    if avoidable_bias is not None:
        avoidable_bias = round(avoidable_bias, 9)
    variance = round(dev_error - train_error, 9)
    mismatch = None if test_error is None else round(float(test_error) - dev_error, 9)
    high_bias = avoidable_bias is not None and avoidable_bias > tolerance
    high_variance = variance > tolerance
    quadrant = {
        (True, False): QUADRANTS[0],
        (False, True): QUADRANTS[1],
        (True, True): QUADRANTS[2],
        (False, False): QUADRANTS[3],
    }[(high_bias, high_variance)]
    focus = "bias" if (avoidable_bias or 0.0) >= variance else "variance"
    if (
        mismatch is not None
        and mismatch > tolerance
        and mismatch > max(avoidable_bias or 0.0, variance)
    ):
        focus = "mismatch"
    return BiasVarianceDiagnosis(
        train_error=train_error,
        dev_error=dev_error,
        human_error=None if human_error is None else float(human_error),
        test_error=None if test_error is None else float(test_error),
        avoidable_bias=avoidable_bias,
        variance=variance,
        mismatch=mismatch,
        quadrant=quadrant,
        focus=focus,
        beyond_human=beyond_human,
        tolerance=float(tolerance),
        recommendation=_recommendation(
            avoidable_bias, variance, mismatch, focus, beyond_human, human_error, tolerance
        ),
    )


BIAS_ADVICE = "a bigger network (deeper or wider), training longer, or a better optimizer"
VARIANCE_ADVICE = "regularization (L2, dropout), more data or data augmentation"


def _recommendation(bias, variance, mismatch, focus, beyond_human, human_error, tolerance):
    words = []
    if beyond_human:
        words.append(
            f"The model is already better than human-level ({human_error:g}) on its training "
            "data: human-level no longer bounds the Bayes error, so the avoidable bias is not "
            "known."
        )
    if focus == "mismatch":
        words.append(
            f"The test error exceeds the dev error by {mismatch:.4f}, more than bias or "
            "variance: the dev set was tuned on or differs from the test set; get a bigger "
            "dev set drawn like the test set."
        )
    elif focus == "bias" and bias is not None and bias > tolerance:
        words.append(f"Focus on bias ({bias:.4f} > variance {variance:.4f}): {BIAS_ADVICE}.")
    elif focus == "variance" and variance > tolerance:
        if bias is None:
            words.append(f"Focus on variance ({variance:.4f}): {VARIANCE_ADVICE}.")
        else:
            words.append(
                f"Focus on variance ({variance:.4f} > bias {bias:.4f}): {VARIANCE_ADVICE}."
            )
    else:
        words.append(
            f"Neither bias nor variance exceeds {tolerance:g}: the model is near the "
            "human-level error and generalizes to the dev set"
            + (
                ""
                if human_error is not None
                else " (no human-level error given: Bayes taken as 0)"
            )
            + "."
        )
    if focus != "mismatch" and mismatch is not None and mismatch > tolerance:
        words.append(f"Also: the test error exceeds the dev error by {mismatch:.4f}.")
    return " ".join(words)


def human_error_for(dataset: str, given: float | None = None) -> tuple[float | None, str]:
    """The human-level error to diagnose a run on `dataset` with, and where it comes from.

    Args:
        dataset: the tfds name.
        given: the user's figure (`--human-error`), which wins.

    Example:
    >>> human_error_for("fashion_mnist")
    (0.165, "Fashion-MNIST's published crowd figure, 0.835 accuracy")
    >>> human_error_for("cifar10")
    (None, 'none known')
    """
    if given is not None:
        check_error_rate("human_error", given)
        return float(given), "given"
    if dataset in PUBLISHED_HUMAN_ERROR:
        return PUBLISHED_HUMAN_ERROR[dataset]
    return None, "none known"


_FIELDS = {field.name for field in dataclasses.fields(BiasVarianceDiagnosis)}


def diagnosis_entry(
    train_error: float,
    images: int,
    *,
    dataset: str,
    human_error: float | None,
    dev_error: float,
    test_error: float | None = None,
) -> dict:
    """The diagnosis of a run as metadata.json stores it (`diagnosis`): `to_json()` of
    `diagnose_bias_variance` plus `train_error_images` (what the training error was measured
    on) and `human_error_source` (None `human_error`: the dataset's published figure).
    """
    human, source = human_error_for(dataset, human_error)
    diagnosis = diagnose_bias_variance(
        min(max(train_error, 0.0), 1.0), dev_error, human, test_error
    )
    return {**diagnosis.to_json(), "train_error_images": images, "human_error_source": source}


def diagnosis_from_entry(entry: dict) -> BiasVarianceDiagnosis:
    """The `BiasVarianceDiagnosis` of a metadata.json `diagnosis` entry (its extra keys,
    `train_error_images` and `human_error_source`, set aside)."""
    return BiasVarianceDiagnosis.from_json({k: v for k, v in entry.items() if k in _FIELDS})


def describe_diagnosis_entry(entry: dict) -> str:
    """The diagnosis of a metadata `diagnosis` entry in words, with how it was measured.

    Example:
    >>> entry = {**diagnose_bias_variance(0.03, 0.08, 0.165).to_json(),
    ...          "train_error_images": 10000, "human_error_source": "given"}
    >>> print(describe_diagnosis_entry(entry).splitlines()[0])
    Bias vs variance: train error 0.0300, dev error 0.0800, human-level error 0.1650.
    """
    text = diagnosis_from_entry(entry).describe()
    images = entry.get("train_error_images")
    where = f"the first {images} training images" if images else "the training images"
    source = entry.get("human_error_source", "given")
    return (
        f"{text}\n  (train error on {where} in inference mode; human-level error: {source}; "
        "--human-error to set it)"
    )


__all__ = [
    "TRAIN_ERROR_IMAGES",
    "diagnosis_entry",
    "DEFAULT_TOLERANCE",
    "PUBLISHED_HUMAN_ERROR",
    "QUADRANTS",
    "BiasVarianceDiagnosis",
    "check_error_rate",
    "describe_diagnosis_entry",
    "diagnose_bias_variance",
    "diagnosis_from_entry",
    "human_error_for",
]
