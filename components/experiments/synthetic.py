"""Generated data whose Bayes error is known: a noisy circle among irrelevant inputs.

The class of a point is whether its first two coordinates lie outside the circle of radius
`sqrt(2 ln 2)` (half the points do, for standard normal inputs); each label is then flipped with
probability `label_noise`. The best any classifier can do is to predict the circle, so the
Bayes error is exactly `label_noise`: the stand-in for human-level error that a real dataset
only estimates. The other `noise_dims` inputs are noise: a model with few examples can fit
them, which is how variance is made here. Written for the bias vs variance lesson: no library
has such a set with a known Bayes error.
"""

from __future__ import annotations

import numpy as np

CIRCLE_RADIUS_SQUARED = 2.0 * np.log(2.0)  # P(|x|^2 > r^2) = exp(-r^2 / 2) = 1/2 in 2-D


def noisy_circle(
    examples: int, *, noise_dims: int = 0, label_noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """`(x [examples, 2 + noise_dims] float32, y [examples] int64)`; Bayes error `label_noise`.

    Args:
        examples: how many points, >= 1.
        noise_dims: irrelevant standard normal inputs after the two that matter, >= 0.
        label_noise: probability that a label is flipped, in [0, 0.5).
        seed: NumPy's seed.

    Example:
    >>> x, y = noisy_circle(20_000, noise_dims=3, label_noise=0.1)
    >>> x.shape, round(float(y.mean()), 1)
    ((20000, 5), 0.5)
    >>> circle = (np.sum(x[:, :2] ** 2, axis=1) > CIRCLE_RADIUS_SQUARED).astype(int)
    >>> round(float(np.mean(circle != y)), 2)  # the Bayes classifier's error
    0.1
    """
    if isinstance(examples, bool) or not isinstance(examples, int) or examples < 1:
        raise ValueError(f"examples must be a positive integer, got {examples!r}.")
    if isinstance(noise_dims, bool) or not isinstance(noise_dims, int) or noise_dims < 0:
        raise ValueError(f"noise_dims must be an integer >= 0, got {noise_dims!r}.")
    if not 0 <= label_noise < 0.5:
        raise ValueError(f"label_noise must be in [0, 0.5), got {label_noise!r}.")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((examples, 2 + noise_dims)).astype(np.float32)
    outside = np.sum(x[:, :2].astype(np.float64) ** 2, axis=1) > CIRCLE_RADIUS_SQUARED
    flipped = rng.random(examples) < label_noise
    return x, np.where(flipped, ~outside, outside).astype(np.int64)


__all__ = ["CIRCLE_RADIUS_SQUARED", "noisy_circle"]
