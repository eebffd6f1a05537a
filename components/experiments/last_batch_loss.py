"""A metric holding the loss of the latest batch alone (Keras logs the epoch's running mean)."""

from __future__ import annotations

import keras
import numpy as np  # noqa: F401  (the docstring example uses it)
from keras import ops


@keras.saving.register_keras_serializable(package="classiczoo")
class LastBatchLoss(keras.metrics.Metric):
    """The loss of the latest batch alone, without regularization penalties.

    Keras's logs hold the epoch's running mean of the loss; the per-step loss (its noise, the
    step at which it reaches a target) needs each batch's own value. Computed on the training
    step's own predictions, so it costs one loss evaluation.

    Args:
        loss: the loss (a Keras loss instance or its config).
        name, dtype: as for any Keras metric.

    Example:
    >>> metric = LastBatchLoss(keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    >>> metric.update_state(np.array([0]), np.array([[0.0, 0.0]]))
    >>> round(float(metric.result()), 4)  # log 2
    0.6931
    """

    def __init__(self, loss, name: str = "last_batch_loss", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.loss = keras.losses.get(loss)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value")

    def get_config(self):
        return {"loss": keras.losses.serialize(self.loss), "name": self.name, "dtype": self.dtype}

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.value.assign(ops.cast(self.loss(y_true, y_pred), self.dtype))

    def result(self):
        return ops.convert_to_tensor(self.value)

    def reset_state(self):
        self.value.assign(0.0)


__all__ = ["LastBatchLoss"]
