"""A dataset loaded and its normalization fitted: what training, search and the LR range test
start from.

`load_normalized` loads a tfds image-classification dataset (`load_image_classification`) and
fits the per-channel mean and std on its training part (`Preprocessing.fit`); `pipeline` then
gives the batched input pipeline of any part with that normalization. `NormalizedData` is the
tf.data implementation of a run's data (`components.data.run_data.RunData`).
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import tensorflow as tf

from components.data.arrays import ArraySplits
from components.data.augmentation import Augmenter, needs_soft_labels, parse_augment
from components.data.pipeline import Preprocessing, labels_per_head, make_pipeline
from components.data.run_data import MEASURED_PARTS, BatchPlan, RunData, check_part
from components.data.tfds_loading import ImageClassificationData, load_image_classification

PARTS = MEASURED_PARTS  # the parts a run's data has, on either implementation


@dataclasses.dataclass(frozen=True)
class NormalizedData(RunData):
    """The loaded splits and the normalization fitted on the training part, batched by tf.data.

    Args:
        data: the unbatched splits and what describes them.
        preprocessing: the normalization (and resize) of the pipelines and the export.
    """

    data: ImageClassificationData
    preprocessing: Preprocessing

    name = property(lambda self: self.data.name)
    splits = property(lambda self: self.data.splits)
    class_names = property(lambda self: list(self.data.class_names))
    image_shape = property(lambda self: self.data.image_shape)
    num_train = property(lambda self: self.data.num_train)
    num_validation = property(lambda self: self.data.num_validation)
    num_test = property(lambda self: self.data.num_test)

    def batches_per_epoch(self, plan: BatchPlan) -> int:
        return math.ceil(self.data.num_train / plan.batch_size)

    def training_batches(self, plan: BatchPlan, epoch: int, skip: int, end: int):
        train = self._training(plan, epochs=(epoch, end), skip=skip)
        # One dataset holds the epochs one after another: fit needs the steps of each.
        return labels_per_head(train, plan.heads), self.batches_per_epoch(plan) - skip, []

    def shuffled_batches(self, plan: BatchPlan, *, seed_per_batch: bool = False):
        """The training batches of every epoch in one dataset, reshuffled each time it is
        iterated: what the project's multi-worker loop trains on (`seed_per_batch`: each
        batch's augmentation from a seed of its own, so that a resumed run repeats it). Class
        ids once: the loop gives every head the labels itself."""
        return self._training(plan, seed_per_batch=seed_per_batch)

    def _training(self, plan: BatchPlan, **how) -> tf.data.Dataset:
        return self.pipeline(
            "train",
            plan.batch_size,
            training=True,
            seed=plan.seed,
            augment=plan.augment,
            soft_labels=plan.soft_labels,
            **how,
        )

    def batches(self, part: str, batch_size: int, *, limit: int | None = None, heads: int = 1):
        check_part(part)
        if limit is None:
            batches = self.pipeline(part, batch_size)
        elif (dataset := getattr(self.data, part)) is None:
            batches = None
        else:
            batches = make_pipeline(
                dataset.take(limit), self.preprocessing, batch_size=batch_size, training=False
            )
        return None if batches is None else labels_per_head(batches, heads)

    def look_batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        look = self.pipeline("validation", batch_size)
        if look is None:
            look = self.pipeline("train", batch_size)
        x, y = next(iter(look))
        return x.numpy(), y.numpy()

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
        check_part(part)
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
