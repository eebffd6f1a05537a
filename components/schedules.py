"""Learning-rate schedules by name, from Keras's own `keras.optimizers.schedules`."""

from __future__ import annotations

import keras

LR_SCHEDULES = ("constant", "cosine")


def make_schedule(
    name: str, learning_rate: float, total_steps: int
) -> float | keras.optimizers.schedules.LearningRateSchedule:
    """Returns the learning rate for an optimizer: a float, or a Keras schedule.

    `constant` keeps `learning_rate`; `cosine` is Keras's `CosineDecay` from `learning_rate`
    to 0 over `total_steps` (Loshchilov & Hutter 2017, without restarts).

    Args:
        name: one of `LR_SCHEDULES`.
        learning_rate: the initial learning rate, > 0.
        total_steps: optimizer steps of the whole run, > 0.
    """
    if name not in LR_SCHEDULES:
        raise ValueError(
            f"Unknown learning-rate schedule {name!r}. Valid: {', '.join(LR_SCHEDULES)}."
        )
    if learning_rate <= 0 or total_steps <= 0:
        raise ValueError(
            f"learning_rate and total_steps must be positive, got {learning_rate}, {total_steps}."
        )
    if name == "constant":
        return learning_rate
    return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=total_steps)
