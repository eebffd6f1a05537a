"""Loss and accuracy that padding cannot bend: for data-parallel evaluation on NumPy batches.

A data-parallel run splits every batch evenly over its devices, so `ArrayBatches` pads a last
evaluation batch with copies weighted 0. Keras's compiled metrics ignore those weights and its
loss tracker weighs each batch by its padded size: 10 examples in batches of 4 padded to a
multiple of 3 report loss 1.019 and accuracy 0.333 where the truth is 1.529 and 0.300. Keras
has no switch for it, so here the figures are computed from the model's logits of the real
examples alone: the mean softmax cross-entropy plus the regularization losses (what Keras's
`loss` holds) and the accuracy.
"""

from __future__ import annotations

import keras
import numpy as np

from components.callbacks.weight_average import averaged_weights
from components.data.array_batches import ArrayBatches


def _main_logits(outputs) -> np.ndarray:
    outputs = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
    return np.asarray(keras.ops.convert_to_numpy(outputs), np.float64)


def exact_figures(model: keras.Model, batches: ArrayBatches) -> dict[str, float]:
    """`{"loss", "accuracy"}` of `model`'s main head on `batches` (class-id labels), counting
    only the examples whose weight is not 0.

    Args:
        model: a classifier that outputs logits (or `[logits, aux...]`).
        batches: evaluation batches (no shuffle, class ids), padded or not.

    Example:
    >>> exact_figures(model, ArrayBatches(x, y, prep, batch_size=4, multiple_of=3))
    ... # doctest: +SKIP
    {'loss': 1.529..., 'accuracy': 0.3}
    """
    if batches.one_hot_classes is not None:
        raise ValueError("exact_figures takes batches of class ids (one_hot_classes=None).")
    loss_sum, correct, count = 0.0, 0, 0
    for index in range(len(batches)):
        x, labels, *weights = batches[index]
        labels = np.asarray(labels[0] if isinstance(labels, tuple) else labels)
        logits = _main_logits(model.predict_on_batch(x))
        real = np.ones(len(labels), bool) if not weights else np.asarray(weights[0]) > 0
        logits, labels = logits[real], labels[real]
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss_sum -= log_probabilities[np.arange(len(labels)), labels].sum()
        correct += int((logits.argmax(axis=1) == labels).sum())
        count += len(labels)
    regularization = sum(float(keras.ops.convert_to_numpy(loss)) for loss in model.losses)
    return {"loss": loss_sum / count + regularization, "accuracy": correct / count}


class ExactValidation(keras.callbacks.Callback):
    """Validates at every epoch end with `exact_figures`, writing `val_loss` and the
    validation accuracy into the epoch's logs (for the callbacks after it and the History):
    `fit`'s own `validation_data` where its batches are padded.

    Args:
        batches: the validation batches.
        accuracy_key: the name the run reads the validation accuracy under.
    """

    def __init__(self, batches: ArrayBatches, accuracy_key: str = "val_accuracy"):
        super().__init__()
        self.batches = batches
        self.accuracy_key = accuracy_key

    def on_epoch_end(self, epoch, logs=None):
        with averaged_weights(self.model):  # as AveragedWeightsValidation does in fit's
            figures = exact_figures(self.model, self.batches)
        logs["val_loss"] = figures["loss"]
        logs[self.accuracy_key] = figures["accuracy"]


__all__ = ["ExactValidation", "exact_figures"]
