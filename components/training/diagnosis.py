"""The bias vs variance diagnosis at the end of a run: measured, stored, described.

The training error is measured as the model is used, in inference mode (no dropout, no
augmentation, BatchNorm's moving statistics) on the first `TRAIN_ERROR_IMAGES` images of the
training part: Keras's running training accuracy is taken under augmentation and dropout and
mixes the weights of a whole epoch, so it overstates the bias. The dev error is the
validation error of the weights kept. See `components.diagnostics.bias_variance`.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

from components.data.normalized import NormalizedData
from components.diagnostics.bias_variance import TRAIN_ERROR_IMAGES


def training_error(
    evaluate: Callable[[tf.data.Dataset], dict], data: NormalizedData, batch_size: int
) -> tuple[float, int]:
    """`(error, images)`: the inference-mode error on the first images of the training part.

    Args:
        evaluate: the model's figures (`accuracy` among them) on a batched dataset.
        data: the run's data.
        batch_size: of the pipeline.
    """
    images = min(TRAIN_ERROR_IMAGES, data.data.num_train)
    batches = -(-images // batch_size)
    figures = evaluate(data.pipeline("train", batch_size).take(batches))
    return 1.0 - float(figures["accuracy"]), min(batches * batch_size, data.data.num_train)


__all__ = [
    "TRAIN_ERROR_IMAGES",
    "training_error",
]
