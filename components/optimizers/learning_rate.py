"""The learning rate of a running optimizer: read it, and set it from the next step on.

A rate set mid-run (at a pause, or by a person) composes with a schedule by one rule: a
`components.schedules.ScaledSchedule` is rescaled so that it passes through the new rate at the
current step and keeps its shape afterwards.
"""

from __future__ import annotations

import keras

from components.schedules import ScaledSchedule


def inner_optimizer(optimizer: keras.optimizers.Optimizer) -> keras.optimizers.Optimizer:
    """The optimizer itself, unwrapped from a `LossScaleOptimizer` (mixed_float16)."""
    return getattr(optimizer, "inner_optimizer", optimizer)


def scaled_schedule(optimizer: keras.optimizers.Optimizer) -> ScaledSchedule | None:
    """The optimizer's `ScaledSchedule`, whose scale a checkpoint keeps (a rate set at a pause
    must survive a resume), or None where its rate is no such schedule.

    Example:
    >>> scaled_schedule(keras.optimizers.SGD(0.1)) is None
    True
    """
    schedule = getattr(inner_optimizer(optimizer), "_learning_rate", None)
    return schedule if isinstance(schedule, ScaledSchedule) else None


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    """The rate the next step uses (a schedule evaluated at the optimizer's step).

    Example:
    >>> current_learning_rate(keras.optimizers.SGD(0.05))
    0.05...
    """
    return float(keras.ops.convert_to_numpy(inner_optimizer(optimizer).learning_rate))


def set_learning_rate(optimizer: keras.optimizers.Optimizer, rate: float) -> str:
    """Sets the rate from the next step on, without recompiling; returns what was done.

    A constant rate is assigned to the optimizer's variable; a `ScaledSchedule` is rescaled so
    that it passes through `rate` at the current step (see `components.schedules`).

    Raises:
        ValueError: the rate follows a schedule that is not a `ScaledSchedule`.

    Example:
    >>> optimizer = keras.optimizers.SGD(0.1)
    >>> set_learning_rate(optimizer, 0.01)
    'learning rate 0.01'
    """
    optimizer = inner_optimizer(optimizer)
    schedule = optimizer._learning_rate
    if isinstance(schedule, ScaledSchedule):
        step = int(optimizer.iterations.numpy())
        schedule.set_rate(rate, step)
        return f"learning rate {rate:g} at step {step}; the schedule is rescaled from here on"
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        raise ValueError(
            f"The learning rate follows a {type(schedule).__name__}, which cannot be changed "
            "mid-run; wrap it in components.schedules.ScaledSchedule."
        )
    optimizer.learning_rate = rate
    return f"learning rate {rate:g}"


__all__ = ["current_learning_rate", "inner_optimizer", "scaled_schedule", "set_learning_rate"]
