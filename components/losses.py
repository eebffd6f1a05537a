"""Losses: the multiclass SVM the lessons compare with softmax cross-entropy, and softmax
cross-entropy for class ids and targets alike.

Softmax cross-entropy itself is Keras's `SparseCategoricalCrossentropy(from_logits=True)`: it
computes `logsumexp(s) - s_y` in the numerically stable form (subtracting the maximum score),
so the project uses it as it is (`components.training.compile_classifier`), except where the
training labels are targets (MixUp, CutMix, label smoothing): `SoftmaxCrossentropy`.
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


def is_target(y_true, y_pred) -> bool:
    """Whether labels are targets `[N, K]` (else class ids `[N]` or `[N, 1]`), by their shape."""
    return len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] != 1


@keras.saving.register_keras_serializable(package="classiczoo")
class SoftmaxCrossentropy(keras.losses.Loss):
    """Softmax cross-entropy from logits, for class ids or for target distributions.

    Training with MixUp, CutMix or label smoothing feeds one-hot (or mixed) targets `[N, K]`;
    validation and test keep class ids `[N]`. Keras has a loss for each form
    (`CategoricalCrossentropy`, `SparseCategoricalCrossentropy`) but not one for both, which a
    compiled model needs when its training and validation labels differ in form; this one picks
    by the labels' rank. Label smoothing (Szegedy et al. 2016, section 7: targets
    `(1 - e) y + e / K`) applies to targets only, so validation and test report the plain
    cross-entropy, comparable across runs and with `classiczoo evaluate`.

    Args:
        label_smoothing: e in [0, 1).
        reduction, name, dtype: as for any Keras loss.

    Example:
    >>> loss = SoftmaxCrossentropy()
    >>> logits = np.array([[2.0, 0.0], [0.0, 2.0]])
    >>> bool(np.isclose(loss(np.array([0, 1]), logits), loss(np.eye(2), logits)))
    True
    """

    def __init__(
        self,
        label_smoothing: float = 0.0,
        reduction="sum_over_batch_size",
        name="softmax_crossentropy",
        dtype=None,
    ):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}.")
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        y_pred = ops.convert_to_tensor(y_pred)
        if is_target(y_true, y_pred):
            return keras.losses.categorical_crossentropy(
                ops.cast(y_true, y_pred.dtype),
                y_pred,
                from_logits=True,
                label_smoothing=self.label_smoothing,
            )
        return keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}
