"""Learning-rate schedules by their textbook names, built from `keras.optimizers.schedules`.

Keras has them all but two: step decay is `ExponentialDecay(staircase=True)`, 1/t decay is
`InverseTimeDecay`, cosine with linear warm-up is `CosineDecay(warmup_target=...)`, and decay on
plateau is Keras's `ReduceLROnPlateau` callback on a constant rate (`plateau_callback`): it
follows the validation loss, not the step, so it is no schedule and `make_schedule("plateau")`
refuses it rather than return a constant rate that never decays. Keras's linear decay,
`PolynomialDecay(power=1)`, has no warm-up: `LinearDecay` is `CosineDecay`'s warm-up with a
straight line down (airbench's and "How to train your ResNet"'s shape). What Keras lacks too is a
schedule whose level a person can change mid-run: `ScaledSchedule` multiplies any schedule by a
variable, so a learning rate set at a pause rescales the schedule from that step on (the
schedule keeps its shape, through the new point). Every non-constant schedule comes wrapped in
one.
"""

from __future__ import annotations

import keras

from components.callbacks.resumable_plateau import ResumableReduceLROnPlateau
from components.schedule_names import LR_SCHEDULES
from components.settings import DECAY_FACTOR, NON_NEGATIVE_INT, POSITIVE_INT, POSITIVE_NUMBER

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


@keras.saving.register_keras_serializable(package="classiczoo")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """A linear warm-up, then a linear decay to a floor: `CosineDecay` with straight lines.

    Without `warmup_target`, the rate falls from `initial_learning_rate` to
    `alpha * initial_learning_rate` over `decay_steps` (`PolynomialDecay(power=1)`). With it,
    the rate first rises linearly from `initial_learning_rate` to `warmup_target` over
    `warmup_steps`, then falls to `alpha * warmup_target` over the next `decay_steps`; it stays
    at the floor afterwards. airbench's triangle (Keller Jordan, arXiv 2404.00498: 0.2 of the
    peak at the start, the peak at 23 % of the run, 0.07 of it at the end) is
    `LinearDecay(0.2 * lr, 0.77 * steps, alpha=0.07, warmup_target=lr, warmup_steps=0.23 *
    steps)`; D. Page's "How to train your ResNet" (myrtle.ai) uses the same piecewise-linear
    shape. Keras has the cosine form (`CosineDecay(warmup_target=...)`) but not this one.

    Args:
        initial_learning_rate: the rate at step 0.
        decay_steps: steps of the decay (after the warm-up), > 0.
        alpha: the final rate as a fraction of the peak, in [0, 1].
        name: the name scope of the computation.
        warmup_target: the peak reached by the warm-up; None: no warm-up.
        warmup_steps: steps of the warm-up (used with `warmup_target`).

    Example:
    >>> schedule = LinearDecay(0.0, 80, alpha=0.1, warmup_target=1.0, warmup_steps=20)
    >>> [round(float(schedule(step)), 4) for step in (0, 10, 20, 60, 100, 200)]
    [0.0, 0.5, 1.0, 0.55, 0.1, 0.1]
    """

    def __init__(
        self,
        initial_learning_rate: float,
        decay_steps: int,
        alpha: float = 0.0,
        name: str = "LinearDecay",
        warmup_target: float | None = None,
        warmup_steps: int = 0,
    ):
        if not decay_steps > 0:
            raise ValueError(f"decay_steps must be positive, got {decay_steps}.")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha}.")
        if warmup_steps < 0:
            raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}.")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }

    def __call__(self, step):
        ops = keras.ops
        with keras.name_scope(self.name):
            step = ops.cast(step, "float32")
            initial = ops.cast(self.initial_learning_rate, "float32")
            decay_steps = ops.cast(self.decay_steps, "float32")
            if self.warmup_target is None:
                peak, warmup_steps = initial, 0.0
            else:
                peak = ops.cast(self.warmup_target, "float32")
                warmup_steps = float(self.warmup_steps)
            done = ops.clip((step - warmup_steps) / decay_steps, 0.0, 1.0)
            decayed = peak * ((1.0 - self.alpha) * (1.0 - done) + self.alpha)
            if not warmup_steps:
                return decayed
            warming = initial + (peak - initial) * step / warmup_steps
            return ops.where(step < warmup_steps, warming, decayed)


def make_schedule(
    name: str,
    learning_rate: float,
    total_steps: int,
    *,
    steps_per_epoch: int | None = None,
    decay_rate: float | None = None,
    warmup_steps: int | None = None,
    alpha: float = 0.0,
) -> float | ScaledSchedule:
    """Returns the learning rate for an optimizer: a float, or a `ScaledSchedule`.

    - `constant`: the rate.
    - `step`: times `decay_rate` (default 0.1) after each third of the run.
    - `exponential`: `lr * decay_rate ** (step / total_steps)`, default 0.01 at the end.
    - `inverse_time` (1/t): `lr / (1 + step / steps_per_epoch)`.
    - `cosine`: cosine from `lr` to `alpha * lr` over the run (Loshchilov & Hutter 2017, no
      restarts).
    - `warmup_cosine`: linear from 0 to `lr` over `warmup_steps` (default one epoch, at most
      a tenth of the run), then cosine to `alpha * lr` (Goyal et al. 2017).
    - `warmup_linear`: the same warm-up, then a straight line to `alpha * lr` (`LinearDecay`;
      airbench, "How to train your ResNet").

    `plateau` is refused: its decay is a callback (`plateau_callback`) on a constant rate.

    Args:
        name: one of `STEP_SCHEDULES`.
        learning_rate: the initial (peak, with warm-up) learning rate, > 0.
        total_steps: optimizer steps of the whole run, > 0.
        steps_per_epoch: for `inverse_time` and the warm-up length; default a tenth of the run.
        decay_rate: for `step` and `exponential`, in (0, 1).
        warmup_steps: for `warmup_cosine` and `warmup_linear`, fewer than `total_steps`.
        alpha: the final rate as a fraction of `learning_rate`, for `cosine`,
            `warmup_cosine` and `warmup_linear`.

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
    # The checks of the command's flags (components.settings), here for the Python API.
    POSITIVE_NUMBER.check("learning_rate", learning_rate)
    POSITIVE_INT.check("total_steps", total_steps)
    if steps_per_epoch is not None:
        POSITIVE_INT.check("steps_per_epoch", steps_per_epoch)
    if decay_rate is not None:
        DECAY_FACTOR.check("decay_rate", decay_rate)
    if warmup_steps is not None:
        NON_NEGATIVE_INT.check("warmup_steps", warmup_steps)
        if warmup_steps >= total_steps:
            raise ValueError(
                f"warmup_steps ({warmup_steps}) must be fewer than total_steps ({total_steps}): "
                "the warm-up would leave no steps to decay over."
            )
    if not (isinstance(alpha, (int, float)) and 0.0 <= alpha <= 1.0):  # NaN fails too
        raise ValueError(f"alpha (the final rate's fraction) must be in [0, 1], got {alpha}.")
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
        schedule = schedules.CosineDecay(learning_rate, total_steps, alpha=alpha)
    else:
        warmup = warmup_steps if warmup_steps is not None else min(epoch, total_steps // 10)
        decay = schedules.CosineDecay if name == "warmup_cosine" else LinearDecay
        schedule = decay(
            0.0,
            max(1, total_steps - warmup),
            alpha=alpha,
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
