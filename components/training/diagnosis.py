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
from components.diagnostics.bias_variance import TRAIN_ERROR_IMAGES, diagnosis_entry


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


def diagnose_model(
    evaluate: Callable[[tf.data.Dataset], dict],
    data: NormalizedData,
    *,
    dataset: str,
    batch_size: int,
    human_error: float | None,
    dev_error: float,
    test_error: float | None = None,
) -> dict:
    """The diagnosis of a trained model as metadata.json stores it (`diagnosis`).

    Args:
        evaluate: the model's figures on a batched dataset, in inference mode.
        data: its data (the training part is measured again).
        dataset: the tfds name (for its published human-level error).
        batch_size: of the pipeline.
        human_error: the human-level error given (None: the dataset's published one).
        dev_error: the validation error of the weights kept.
        test_error: the test error, if measured.

    Returns:
        `BiasVarianceDiagnosis.to_json()` (read back by `diagnosis_from_entry`) plus
        `train_error_images` (images the training error was measured on) and
        `human_error_source`.
    """
    train_error, images = training_error(evaluate, data, batch_size)
    return diagnosis_entry(
        train_error,
        images,
        dataset=dataset,
        human_error=human_error,
        dev_error=dev_error,
        test_error=test_error,
    )


__all__ = [
    "TRAIN_ERROR_IMAGES",
    "diagnose_model",
    "training_error",
]
