"""The bias vs variance diagnosis at the end of a run: measured, stored, described.

The training error is measured as the model is used, in inference mode (no dropout, no
augmentation, BatchNorm's moving statistics) on the first `TRAIN_ERROR_IMAGES` images of the
training part: Keras's running training accuracy is taken under augmentation and dropout and
mixes the weights of a whole epoch, so it overstates the bias. The dev error is the
validation error of the weights kept. See `components.diagnostics.bias_variance`.
"""

from __future__ import annotations

from collections.abc import Callable

from components.diagnostics.bias_variance import TRAIN_ERROR_IMAGES


def training_error(measure: Callable[[int], dict], num_train: int) -> tuple[float, int]:
    """`(error, images)`: the inference-mode error on the first images of the training part.

    Args:
        measure: the model's figures (`accuracy` among them) on the first `n` training images,
            unshuffled and unaugmented, given `n`.
        num_train: the training part's size.

    Example:
    >>> training_error(lambda n: {"accuracy": 0.75}, num_train=400)
    (0.25, 400)
    """
    images = min(TRAIN_ERROR_IMAGES, num_train)
    return 1.0 - float(measure(images)["accuracy"]), images


__all__ = [
    "TRAIN_ERROR_IMAGES",
    "training_error",
]
