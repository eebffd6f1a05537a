"""Learning-rate schedules by their textbook names, built from `keras.optimizers.schedules`.

Keras has them all but one: step decay is `ExponentialDecay(staircase=True)`, 1/t decay is
`InverseTimeDecay`, cosine with linear warm-up is `CosineDecay(warmup_target=...)`, and decay on
plateau is Keras's `ReduceLROnPlateau` callback on a constant rate (`plateau_callback`): it
follows the validation loss, not the step, so it is no schedule and `make_schedule("plateau")`
refuses it rather than return a constant rate that never decays. What Keras lacks is a
schedule whose level a person can change mid-run: `ScaledSchedule` multiplies any schedule by a
variable, so a learning rate set at a pause rescales the schedule from that step on (the
schedule keeps its shape, through the new point). Every non-constant schedule comes wrapped in
one.
"""

from __future__ import annotations

import keras

from components.callbacks.resumable_plateau import ResumableReduceLROnPlateau

LR_SCHEDULES = (
    "constant",
    "step",
    "exponential",
    "inverse_time",
    "cosine",
    "warmup_cosine",
    "plateau",
)
# The schedules that are functions of the step (all but the plateau callback).
STEP_SCHEDULES = tuple(name for name in LR_SCHEDULES if name != "plateau")
# ReduceLROnPlateau's settings for `--lr-schedule plateau`: halve after 2 epochs without gain.
PLATEAU_FACTOR = 0.5
PLATEAU_PATIENCE = 2


@keras.saving.register_keras_serializable(package="classiczoo")
class ScaledSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """`lr(step) = scale * schedule(step)`, with `scale` a variable that `set_rate` changes.

    Setting the rate to r at step t sets `scale = r / schedule(t)`: from t on the rate follows
    the schedule's shape through r. The traced training step reads the variable, so the change
    applies from the next step without recompiling.

    Args:
        schedule: a Keras `LearningRateSchedule` (or its serialized config).
        scale: the initial multiplier.

    Example:
    >>> schedule = ScaledSchedule(keras.optimizers.schedules.CosineDecay(0.1, 1000))
    >>> schedule.set_rate(0.01, step=500)  # half-way the cosine gives 0.05; now 0.01
    >>> round(float(schedule(500)), 6), round(float(schedule(750)), 6)
    (0.01, 0.002929)
    """

    def __init__(self, schedule, scale: float = 1.0):
        if isinstance(schedule, dict):
            schedule = keras.saving.deserialize_keras_object(schedule)
        if not isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
            raise ValueError(f"schedule must be a Keras LearningRateSchedule, got {schedule!r}.")
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale}.")
        self.schedule = schedule
        self.scale = keras.Variable(
            float(scale), trainable=False, dtype="float32", name="lr_scale"
        )

    def __call__(self, step):
        return self.scale * keras.ops.cast(self.schedule(step), "float32")

    def set_rate(self, rate: float, step: int) -> None:
        """Makes the rate at `step` equal `rate`, rescaling the whole schedule."""
        if not rate > 0:
            raise ValueError(f"The learning rate must be positive, got {rate}.")
        base = float(self.schedule(step))
        if base <= 0:
            raise ValueError(
                f"The schedule is at 0 at step {step}, so it cannot be rescaled to {rate}; "
                "use a schedule that stays positive (e.g. cosine with alpha > 0)."
            )
        self.scale.assign(rate / base)

    def get_config(self):
        return {
            "schedule": keras.saving.serialize_keras_object(self.schedule),
            "scale": float(keras.ops.convert_to_numpy(self.scale)),
        }


def make_schedule(
    name: str,
    learning_rate: float,
    total_steps: int,
    *,
    steps_per_epoch: int | None = None,
    decay_rate: float | None = None,
    warmup_steps: int | None = None,
) -> float | ScaledSchedule:
    """Returns the learning rate for an optimizer: a float, or a `ScaledSchedule`.

    - `constant`: the rate.
    - `step`: times `decay_rate` (default 0.1) after each third of the run.
    - `exponential`: `lr * decay_rate ** (step / total_steps)`, default 0.01 at the end.
    - `inverse_time` (1/t): `lr / (1 + step / steps_per_epoch)`.
    - `cosine`: cosine from `lr` to 0 over the run (Loshchilov & Hutter 2017, no restarts).
    - `warmup_cosine`: linear from 0 to `lr` over `warmup_steps` (default one epoch, at most
      a tenth of the run), then cosine to 0 (Goyal et al. 2017).

    `plateau` is refused: its decay is a callback (`plateau_callback`) on a constant rate.

    Args:
        name: one of `STEP_SCHEDULES`.
        learning_rate: the initial (peak, with warm-up) learning rate, > 0.
        total_steps: optimizer steps of the whole run, > 0.
        steps_per_epoch: for `inverse_time` and the warm-up length; default a tenth of the run.
        decay_rate: for `step` and `exponential`.
        warmup_steps: for `warmup_cosine`.

    Example:
    >>> schedule = make_schedule("step", 0.1, total_steps=300)
    >>> [round(float(schedule(step)), 6) for step in (0, 100, 200)]
    [0.1, 0.01, 0.001]
    """
    if name == "plateau":
        raise ValueError(
            "'plateau' is not a function of the step: it lowers a constant rate when the "
            "validation loss stops improving. Use make_schedule('constant', ...) with "
            "components.schedules.plateau_callback() in the callbacks."
        )
    if name not in LR_SCHEDULES:
        raise ValueError(
            f"Unknown learning-rate schedule {name!r}. Valid: {', '.join(LR_SCHEDULES)}."
        )
    if learning_rate <= 0 or total_steps <= 0:
        raise ValueError(
            f"learning_rate and total_steps must be positive, got {learning_rate}, {total_steps}."
        )
    schedules = keras.optimizers.schedules
    epoch = steps_per_epoch or max(1, total_steps // 10)
    if name == "constant":
        return learning_rate
    if name == "step":
        schedule = schedules.ExponentialDecay(
            learning_rate, max(1, total_steps // 3), decay_rate or 0.1, staircase=True
        )
    elif name == "exponential":
        schedule = schedules.ExponentialDecay(learning_rate, total_steps, decay_rate or 0.01)
    elif name == "inverse_time":
        schedule = schedules.InverseTimeDecay(learning_rate, epoch, 1.0)
    elif name == "cosine":
        schedule = schedules.CosineDecay(learning_rate, total_steps)
    else:
        warmup = warmup_steps if warmup_steps is not None else min(epoch, total_steps // 10)
        schedule = schedules.CosineDecay(
            0.0,
            max(1, total_steps - warmup),
            warmup_target=learning_rate,
            warmup_steps=warmup,
        )
    return ScaledSchedule(schedule)


def plateau_callback(monitor: str = "val_loss") -> keras.callbacks.ReduceLROnPlateau:
    """Keras's `ReduceLROnPlateau` (its resumable form): halves the rate after 2 epochs
    without improvement.

    Args:
        monitor: the logged value to watch (`"val_loss"`, or `"loss"` without validation).

    Example:
    >>> plateau_callback("loss").factor
    0.5
    """
    return ResumableReduceLROnPlateau(monitor, factor=PLATEAU_FACTOR, patience=PLATEAU_PATIENCE)
