"""The numbers the lessons' tables report: steps to a target loss, per-step loss noise, and the
moving averages their curves draw."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def steps_to_target(step_losses: Sequence[float], target: float, window: int = 1) -> int | None:
    """The first step at which the mean loss of the last `window` steps is at most `target`.

    Steps count from 1; the first candidate is step `window` (a full window). None: never.

    Args:
        step_losses: the loss of each step.
        target: the loss to reach.
        window: steps averaged, >= 1 (single batches are noisy).

    Example:
    >>> steps_to_target([3.0, 1.0, 1.0, 0.5], target=1.0, window=2)  # (1.0 + 1.0) / 2
    3
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}.")
    losses = np.asarray(step_losses, np.float64)
    if len(losses) < window:
        return None
    means = np.convolve(losses, np.ones(window), mode="valid") / window  # a NaN spoils its own
    reached = np.flatnonzero(means <= target)
    return int(reached[0]) + window if len(reached) else None


def step_loss_noise(step_losses: Sequence[float]) -> float:
    """The noise of a per-step loss curve: `std(l_t - l_{t-1}) / sqrt(2)`.

    For a slowly falling trend plus independent noise of std s, successive differences have
    std `s sqrt(2)`; the trend, which a plain std would count as noise, mostly cancels. NaN
    with fewer than 3 steps.

    Example:
    >>> step_loss_noise([3.0, 2.5, 2.0, 1.5])  # a steady fall is no noise
    0.0
    """
    losses = np.asarray(step_losses, np.float64)
    if len(losses) < 3:
        return float("nan")
    return float(np.std(np.diff(losses)) / np.sqrt(2.0))


def smoothing_window(steps_per_epoch: int) -> int:
    """Steps averaged in curves and in `steps_to_target`: a fifth of an epoch, at least 1."""
    return max(1, steps_per_epoch // 5)


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The trailing mean of up to `window` values at each position (as many values out)."""
    values = np.asarray(values, np.float64)
    sums = np.convolve(values, np.ones(window))[: len(values)]  # a NaN spoils its windows only
    return sums / np.minimum(np.arange(1, len(values) + 1), window)


__all__ = ["moving_average", "smoothing_window", "step_loss_noise", "steps_to_target"]
