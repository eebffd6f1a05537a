"""A dataset loaded and its normalization fitted: what training, search and the LR range test
start from.

`load_normalized` loads a tfds image-classification dataset (`load_image_classification`) and
fits the per-channel mean and std on its training part (`Preprocessing.fit`); `pipeline` then
gives the batched input pipeline of any part with that normalization.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import tensorflow as tf

from components.data.arrays import ArraySplits
from components.data.augmentation import Augmenter, needs_soft_labels, parse_augment
from components.data.pipeline import Preprocessing, make_pipeline
from components.data.tfds_loading import ImageClassificationData, load_image_classification

PARTS = ("train", "validation", "test")


@dataclasses.dataclass(frozen=True)
class NormalizedData:
    """The loaded splits and the normalization fitted on the training part.

    Args:
        data: the unbatched splits and what describes them.
        preprocessing: the normalization (and resize) of the pipelines and the export.
    """

    data: ImageClassificationData
    preprocessing: Preprocessing

    @property
    def model_input_shape(self) -> tuple[int, int, int]:
        """The shape the model sees (after the resize, if any)."""
        return self.preprocessing.output_shape(self.data.image_shape)

    def pipeline(
        self,
        part: str,
        batch_size: int,
        *,
        training: bool = False,
        seed: int | None = None,
        augment: str | None = None,
        soft_labels: bool = False,
        seed_per_batch: bool = False,
        epochs: tuple[int, int] | None = None,
        skip: int = 0,
    ) -> tf.data.Dataset | None:
        """The batched pipeline of `part` (`train`, `validation`, `test`); None for a
        validation or test part that is empty.

        Args:
            part: one of `PARTS`.
            batch_size: the global batch size.
            training: shuffle every epoch (the training part's pipeline).
            seed: the shuffle's and the augmentation's seed.
            augment: an augmentation policy (`components.data.augmentation`), for the
                training part only.
            soft_labels: one-hot labels (for MixUp, CutMix or label smoothing); the training
                part only.
            seed_per_batch: each batch's augmentation drawn from a seed of its own
                (`make_pipeline`'s `augment_seed`), so that a resumed run repeats it.
            epochs, skip: the training batches of epochs `(first, end)` in one dataset, each
                epoch's order and augmentation a function of `(seed, epoch)`, less the first
                `skip` batches (`make_pipeline`'s): what Keras's fit resumes on.
        """
        if part not in PARTS:
            raise ValueError(f"part must be one of {', '.join(PARTS)}, got {part!r}.")
        steps = parse_augment(augment)
        soft_labels = soft_labels or needs_soft_labels(steps)  # MixUp and CutMix mix labels
        if (steps or soft_labels) and part != "train":
            raise ValueError(
                f"augmentation and soft labels are for the training part only, not {part!r}."
            )
        dataset = getattr(self.data, part)
        if dataset is None:
            return None
        return make_pipeline(
            dataset,
            self.preprocessing,
            batch_size=batch_size,
            training=training,
            seed=seed,
            augment=Augmenter(steps, self.model_input_shape, seed=seed) if steps else None,
            one_hot_classes=len(self.data.class_names) if soft_labels else None,
            augment_seed=seed if (seed_per_batch and steps and epochs is None) else None,
            epochs=epochs,
            skip=skip,
        )

    def describe(self) -> str:
        """One line: the splits' sizes, the image shape, the classes and the normalization."""
        data = self.data
        mean = ", ".join(f"{m:.4f}" for m in self.preprocessing.mean)
        std = ", ".join(f"{s:.4f}" for s in self.preprocessing.std)
        return (
            f"Data: {data.name}: {data.num_train} train, {data.num_validation} validation, "
            f"{data.num_test} test images of {data.image_shape}, {len(data.class_names)} "
            f"classes; normalized with mean ({mean}), std ({std})."
        )


def classification_data(arrays: ArraySplits) -> ImageClassificationData:
    """Splits held as arrays (an image folder, the caller's arrays) as the unbatched tf.data
    datasets a tfds dataset gives (`load_image_classification`'s form).

    Example:
    >>> data = classification_data(load_array_splits(image_dir="flowers"))  # doctest: +SKIP
    """

    def dataset(x, y):
        return tf.data.Dataset.from_tensor_slices((x, y)) if len(x) else None

    return ImageClassificationData(
        name=arrays.name,
        train=dataset(arrays.x_train, arrays.y_train),
        validation=dataset(arrays.x_validation, arrays.y_validation),
        test=dataset(arrays.x_test, arrays.y_test),
        class_names=list(arrays.class_names),
        image_shape=arrays.image_shape,
        num_train=len(arrays.x_train),
        num_validation=len(arrays.x_validation),
        num_test=len(arrays.x_test),
        splits=arrays.splits,
    )


def normalized_arrays(arrays: ArraySplits, *, resize: int | None = None) -> NormalizedData:
    """The `NormalizedData` of splits held as arrays (an image folder, the caller's arrays):
    the same tf.data pipelines as a tfds dataset's, the normalization fitted as `fit` does.

    Example:
    >>> data = normalized_arrays(load_array_splits(image_dir="flowers"))  # doctest: +SKIP
    """
    sides = (resize, resize) if resize else None
    return NormalizedData(
        classification_data(arrays), Preprocessing.from_arrays(arrays.x_train, resize=sides)
    )


def load_normalized(
    dataset: str,
    *,
    data_dir: str | Path | None = None,
    train_split: str = "train",
    test_split: str | None = "test",
    val_split: float = 0.0,
    validation_split: str | None = None,
    resize: int | None = None,
) -> NormalizedData:
    """Loads a tfds image-classification dataset and fits its normalization on the train part.

    Args:
        dataset: the tfds name.
        data_dir: the tfds data dir (None: tfds's own).
        train_split, test_split: tfds splits (slicing allowed); `test_split` None: no test.
        val_split: fraction of `train_split` held out for validation (its first examples).
        validation_split: a tfds split to validate on instead (a cross-validation fold).
        resize: resize images to `resize` x `resize`, or None.

    Example:
    >>> data = load_normalized("fashion_mnist", val_split=0.1)  # doctest: +SKIP
    >>> train = data.pipeline("train", 128, training=True, seed=0)  # doctest: +SKIP
    """
    data = load_image_classification(
        dataset,
        data_dir=data_dir,
        train_split=train_split,
        test_split=test_split,
        val_split=val_split,
        validation_split=validation_split,
    )
    preprocessing = Preprocessing.fit(data.train, resize=(resize, resize) if resize else None)
    return NormalizedData(data, preprocessing)


__all__ = [
    "PARTS",
    "NormalizedData",
    "classification_data",
    "load_normalized",
    "normalized_arrays",
]
