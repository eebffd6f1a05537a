"""The bias vs variance diagnosis at the end of a run: measured, stored, described.

The training error is measured as the model is used, in inference mode (no dropout, no
augmentation, BatchNorm's moving statistics) on the first `TRAIN_ERROR_IMAGES` images of the
training part: Keras's running training accuracy is taken under augmentation and dropout and
mixes the weights of a whole epoch, so it overstates the bias. The dev error is the
validation error of the weights kept. See `components.diagnostics.bias_variance`.
"""

from __future__ import annotations

from components.data.normalized import NormalizedData
from components.diagnostics.bias_variance import diagnose_bias_variance, human_error_for
from components.training.config import TrainConfig
from components.training.fitting import FittedModel, inference_figures

# Enough for the error to within about +-0.3 points (binomial, at 5%), at a fraction of the
# cost of a pass over 60,000 images.
TRAIN_ERROR_IMAGES = 10_000


def training_error(
    fitted: FittedModel, data: NormalizedData, batch_size: int
) -> tuple[float, int]:
    """`(error, images)`: the inference-mode error on the first images of the training part."""
    images = min(TRAIN_ERROR_IMAGES, data.data.num_train)
    batches = -(-images // batch_size)
    figures = inference_figures(fitted, data.pipeline("train", batch_size).take(batches))
    return 1.0 - figures["accuracy"], min(batches * batch_size, data.data.num_train)


def diagnose_run(
    fitted: FittedModel,
    data: NormalizedData,
    config: TrainConfig,
    *,
    dev_error: float,
    test_error: float | None = None,
) -> dict:
    """The diagnosis of a fitted run as metadata.json stores it (`diagnosis`).

    Args:
        fitted: the fitted model.
        data: its data (the training part is measured again, in inference mode).
        config: the run's config (`human_error`, `dataset`, `batch_size`).
        dev_error: the validation error of the weights kept.
        test_error: the test error, if measured.

    Returns:
        `BiasVarianceDiagnosis.to_json()` (read back by `diagnosis_from_entry`) plus
        `train_error_images` (images the training error was measured on) and
        `human_error_source`.
    """
    train_error, images = training_error(fitted, data, config.batch_size)
    human_error, source = human_error_for(config.dataset, config.human_error)
    diagnosis = diagnose_bias_variance(
        min(max(train_error, 0.0), 1.0), dev_error, human_error, test_error
    )
    return {**diagnosis.to_json(), "train_error_images": images, "human_error_source": source}


__all__ = [
    "TRAIN_ERROR_IMAGES",
    "diagnose_run",
    "training_error",
]
