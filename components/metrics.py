"""Accuracy for class ids and for target distributions alike."""

from __future__ import annotations

import keras
from keras import ops

from components.losses import is_target


def argmax_accuracy(y_true, y_pred):
    """1 where the top score is the label (a class id, or a target's largest entry), else 0."""
    y_pred = ops.convert_to_tensor(y_pred)
    predicted = ops.argmax(y_pred, axis=-1)
    if is_target(y_true, y_pred):  # targets [N, K]: their largest entry
        labels = ops.argmax(y_true, axis=-1)
    else:
        labels = ops.reshape(y_true, ops.shape(predicted))
    return ops.cast(ops.equal(ops.cast(labels, "int64"), ops.cast(predicted, "int64")), "float32")


@keras.saving.register_keras_serializable(package="classiczoo")
class ArgmaxAccuracy(keras.metrics.MeanMetricWrapper):
    """Keras's `SparseCategoricalAccuracy` for class ids, `CategoricalAccuracy` for targets
    `[N, K]` (MixUp, CutMix, label smoothing: the class with the largest share), by the labels'
    rank; what `components.losses.SoftmaxCrossentropy` is to Keras's two losses.

    Args:
        name, dtype: as for any Keras metric.

    Example:
    >>> metric = ArgmaxAccuracy()
    >>> metric.update_state(np.array([[0.7, 0.3], [0.2, 0.8]]), np.array([[2.0, 0.0], [3.0, 0.0]]))
    >>> float(metric.result())
    0.5
    """

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(fn=argmax_accuracy, name=name, dtype=dtype)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


__all__ = ["ArgmaxAccuracy", "argmax_accuracy"]
