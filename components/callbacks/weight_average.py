"""The moving average of the weights that Keras's optimizers keep with `use_ema`, in a run.

An optimizer built with `use_ema=True` keeps an exponential moving average of the trainable
weights: after every step `average = m * average + (1 - m) * weight` (`m` is `ema_momentum`;
the first step copies the weights). Averaging the iterates (Polyak and Juditsky 1992) smooths
the noise of the last steps; airbench (Keller Jordan, arXiv 2404.00498) evaluates such an
average of its weights. The averages are optimizer variables, so a run's checkpoint
(`save_weights` of the compiled model: weights and optimizer) holds them and a resumed run
continues them exactly.

What Keras leaves to its user, this module does:
- `averaged_weights(model)`: the model holds the averages within a block. Keras's own
  `SwapEMAWeights` callback swaps them in around `fit`'s validation, but its swap is private and
  a run also validates outside `evaluate` (`ExactValidation`) and keeps a best epoch's weights
  (`BestWeights`): this is the one swap for all three.
- `AveragedWeightsValidation`: `fit`'s validation measures the averages, the weights the run
  ends with (and that `--restore-best` and the plateau schedule judge).
- `TrainingWeightsKeeper`: at the end of every `fit` call Keras writes the averages into the
  model (`finalize_variable_values`). A run resumed in the middle of an epoch is two `fit`
  calls (`components.training.resumable_fit.fit_from`); the second must go on from the weights
  being trained, not from their average, or the resumed run would leave the uninterrupted one.

BatchNorm's moving statistics are not averaged (Keras averages trainable variables only): they
are already a moving average of the batches' statistics over a horizon like the weights'
(momentum 0.99 in both by default), which the validation figures of the averaged weights
measure as they are.
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np


def _optimizer(model: keras.Model):
    """The model's optimizer; under mixed precision the one its `LossScaleOptimizer` wraps."""
    optimizer = getattr(model, "optimizer", None)
    return getattr(optimizer, "inner_optimizer", optimizer)


def uses_weight_average(model: keras.Model) -> bool:
    """Whether `model`'s optimizer keeps a moving average of the weights (`use_ema`)."""
    return bool(getattr(_optimizer(model), "use_ema", False))


@contextlib.contextmanager
def averaged_weights(model: keras.Model):
    """Within the block `model`'s trainable weights are its optimizer's moving averages; after
    it, the weights it had. Nothing changes where the optimizer keeps no averages or has not
    been built yet.

    Example:
    >>> with averaged_weights(model):  # doctest: +SKIP
    ...     model.evaluate(x_val, y_val)
    """
    optimizer = _optimizer(model)
    # Keras's SwapEMAWeights reads the same attribute: the optimizer has no public accessor.
    averages = getattr(optimizer, "_model_variables_moving_average", None)
    if not uses_weight_average(model) or not averages:
        yield
        return
    variables = model.trainable_variables
    if len(variables) != len(averages):
        raise ValueError(
            f"The optimizer averages {len(averages)} variables and the model trains "
            f"{len(variables)}: it was built for another model."
        )
    trained = [keras.ops.convert_to_numpy(variable) for variable in variables]
    for variable, average in zip(variables, averages, strict=True):
        if average is not None:  # a copy: under JAX two variables must not share one buffer
            variable.assign(keras.ops.convert_to_numpy(average))
    try:
        yield
    finally:
        for variable, value in zip(variables, trained, strict=True):
            variable.assign(value)


def copy_averaged_weights(model: keras.Model) -> None:
    """Gives each trainable weight an array of its own after Keras's `fit` wrote the averages
    into them: under JAX `finalize_variable_values` makes each weight share its average's
    array, and the next jitted step, which donates both, fails ("Attempt to donate the same
    buffer twice"). Harmless on the other backends."""
    for variable in model.trainable_variables:
        variable.assign(keras.ops.convert_to_numpy(variable))


@keras.saving.register_keras_serializable(package="classiczoo")
class AveragedWeightsValidation(keras.callbacks.Callback):
    """`fit`'s validation measures the moving average of the weights (the optimizer's
    `use_ema`), the weights the run ends with; training goes on from the weights it trains.

    Example:
    >>> optimizer = keras.optimizers.SGD(0.1, use_ema=True)  # doctest: +SKIP
    >>> model.compile(optimizer=optimizer, loss="mse")  # doctest: +SKIP
    >>> model.fit(x, y, validation_split=0.1, callbacks=[AveragedWeightsValidation()])
    ... # doctest: +SKIP
    """

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def on_test_begin(self, logs=None):
        self._swap = averaged_weights(self.model)
        self._swap.__enter__()

    def on_test_end(self, logs=None):
        swap, self._swap = getattr(self, "_swap", None), None
        if swap is not None:
            swap.__exit__(None, None, None)


@keras.saving.register_keras_serializable(package="classiczoo")
class TrainingWeightsKeeper(keras.callbacks.Callback):
    """Keeps the weights being trained at every epoch end, before `fit`'s end replaces them
    with their moving average; `put_back()` gives them back for the run's next `fit` call.

    Example:
    >>> keeper = TrainingWeightsKeeper()
    >>> model.fit(x, y, epochs=1, callbacks=[keeper])  # doctest: +SKIP
    >>> keeper.put_back()  # the weights trained, not their average  # doctest: +SKIP
    """

    def __init__(self):
        super().__init__()
        self.weights: list[np.ndarray] | None = None

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def on_epoch_end(self, epoch, logs=None):
        self.weights = [keras.ops.convert_to_numpy(v) for v in self.model.trainable_variables]

    def put_back(self) -> None:
        """Puts the weights kept at the last epoch end back (nothing if none was kept)."""
        if self.weights is not None:
            for variable, value in zip(self.model.trainable_variables, self.weights, strict=True):
                variable.assign(value)


__all__ = [
    "AveragedWeightsValidation",
    "TrainingWeightsKeeper",
    "averaged_weights",
    "copy_averaged_weights",
    "uses_weight_average",
]
