"""Optimizers by their textbook names, built from Keras's own classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.settings import DECAY_FACTOR, FRACTION, NON_NEGATIVE_NUMBER, POSITIVE_NUMBER

if TYPE_CHECKING:
    import keras

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
# Batch-norm scales/offsets and biases are not decayed: decay there only shrinks the model's
# freedom without regularizing (the usual practice, e.g. in the AdamW paper's experiments).
NO_DECAY_NAMES = ("bias", "gamma", "beta")


def make_optimizer(
    name: str,
    learning_rate: float | keras.optimizers.schedules.LearningRateSchedule,
    *,
    weight_decay: float = 0.0,
    momentum: float = 0.9,
    ema_momentum: float | None = None,
) -> keras.optimizers.Optimizer:
    """Returns a Keras optimizer by name.

    `sgd` is plain SGD; `momentum` is SGD with momentum; `nesterov` is SGD with Nesterov
    momentum; `rmsprop` and `adam` are Keras's (Adam with bias correction). `weight_decay` is
    Keras's decoupled decay `w -= lr * weight_decay * w`, which for the SGD family equals L2
    regularization with coefficient `weight_decay / 2`; biases and BatchNorm parameters are
    excluded. `ema_momentum` turns on Keras's moving average of the weights (`use_ema`), which
    `components.callbacks.weight_average` validates and keeps through a run.

    Args:
        name: one of `OPTIMIZERS`.
        learning_rate: a positive float or a Keras learning-rate schedule.
        weight_decay: decoupled weight decay, >= 0.
        momentum: momentum of `momentum` and `nesterov`.
        ema_momentum: the moving average's momentum, in (0, 1); None: no average.

    Example:
    >>> opt = make_optimizer("nesterov", 0.05, weight_decay=5e-4)
    """
    import keras  # here: the names above serve the flags, read before Keras loads

    if name not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer {name!r}. Valid optimizers: {', '.join(OPTIMIZERS)}.")
    # The checks of the command's flags (components.settings), here for the Python API.
    if isinstance(learning_rate, (int, float)):  # else a schedule
        POSITIVE_NUMBER.check("learning_rate", learning_rate)
    NON_NEGATIVE_NUMBER.check("weight_decay", weight_decay)
    FRACTION.check("momentum", momentum)
    options = {"weight_decay": weight_decay} if weight_decay else {}
    if ema_momentum is not None:
        DECAY_FACTOR.check("ema_momentum", ema_momentum)
        options.update(use_ema=True, ema_momentum=ema_momentum)
    if name == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate, **options)
    elif name in ("momentum", "nesterov"):
        optimizer = keras.optimizers.SGD(
            learning_rate, momentum=momentum, nesterov=name == "nesterov", **options
        )
    elif name == "rmsprop":
        optimizer = keras.optimizers.RMSprop(learning_rate, **options)
    else:
        optimizer = keras.optimizers.Adam(learning_rate, **options)
    if weight_decay:
        optimizer.exclude_from_weight_decay(var_names=list(NO_DECAY_NAMES))
    return optimizer
