"""Losses the lessons compare with softmax cross-entropy.

Softmax cross-entropy itself is Keras's `SparseCategoricalCrossentropy(from_logits=True)`: it
computes `logsumexp(s) - s_y` in the numerically stable form (subtracting the maximum score),
so the project uses it as it is (`components.training.compile_classifier`).
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="classiczoo")
class MulticlassSVM(keras.losses.Loss):
    """The Weston–Watkins multiclass hinge loss (CS231n's "SVM loss").

    `L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)` on the raw class scores `s` (logits),
    averaged over the batch. Keras's `CategoricalHinge` is the Crammer–Singer form (only the
    largest wrong score counts), hence this class.

    Args:
        margin: the required gap between the right score and each wrong one, > 0.
        reduction, name, dtype: as for any Keras loss.

    Example:
    >>> loss = MulticlassSVM()
    >>> round(float(loss([0], [[3.2, 5.1, -1.7]])), 4)  # CS231n: max(0, 5.1-3.2+1) + 0
    2.9
    """

    def __init__(
        self,
        margin: float = 1.0,
        reduction="sum_over_batch_size",
        name="multiclass_svm",
        dtype=None,
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        if not margin > 0:
            raise ValueError(f"margin must be positive, got {margin}.")
        self.margin = float(margin)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        one_hot = ops.one_hot(labels, ops.shape(y_pred)[-1], dtype=y_pred.dtype)
        correct = ops.sum(y_pred * one_hot, axis=-1, keepdims=True)
        margins = ops.relu(y_pred - correct + self.margin) * (1.0 - one_hot)
        return ops.sum(margins, axis=-1)

    def get_config(self):
        return {**super().get_config(), "margin": self.margin}
