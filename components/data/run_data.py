"""The data of a training run, whatever holds it: one interface, two implementations.

A run (`components.training.fitting`) asks its data for the same things on every backend: the
training batches of epochs `(first, end)` less the first `skip` (what Keras's `fit` resumes
on, through `fit_from`), the batches of a part to measure, and one batch for the monitors.
`NormalizedData` (`components.data.normalized`) answers with tf.data pipelines: tfds datasets
and tf.distribute strategies, TensorFlow only. `NormalizedArrays` (here) answers with
`ArrayBatches`, a Keras `PyDataset` of NumPy arrays, on any backend. Both make each batch that
reaches the model the same way: augment the pixels, then normalize them with the run's
`Preprocessing`, which is what the exported model computes in its graph.
"""

from __future__ import annotations

import abc
import dataclasses

import keras
import numpy as np

from components.data.array_batches import ArrayBatches
from components.data.arrays import ArraySplits
from components.data.augmentation import Augmenter, parse_augment
from components.data.preprocessing import Preprocessing

# What a run measures: its held-out parts, and its training part (the diagnosis's training
# error, on the first images, unshuffled and unaugmented).
MEASURED_PARTS = ("train", "validation", "test")


@dataclasses.dataclass(frozen=True)
class BatchPlan:
    """How a run batches its training part.

    Args:
        batch_size: the global batch size.
        seed: the shuffle's and the augmentation's seed.
        augment: an augmentation policy (`components.data.augmentation`); `"none"`: none.
        soft_labels: one-hot targets (label smoothing, MixUp, CutMix) instead of class ids.
        heads: the model's outputs; each gets the labels (GoogLeNet's auxiliary heads).
    """

    batch_size: int
    seed: int
    augment: str = "none"
    soft_labels: bool = False
    heads: int = 1


class RunData(abc.ABC):
    """The splits of a run, their normalization, and their batches.

    Subclasses hold the splits and give `name`, `splits`, `class_names`, `image_shape`,
    `num_train`, `num_validation`, `num_test` and `preprocessing`.
    """

    preprocessing: Preprocessing
    # Evaluation batches padded with copies weighted 0 (a data-parallel run on arrays): Keras's
    # compiled metrics count them, so a run measures such batches itself (`exact_figures`).
    padded: bool = False

    @property
    def model_input_shape(self) -> tuple[int, int, int]:
        """The shape the model sees (after the resize, if any)."""
        return self.preprocessing.output_shape(self.image_shape)

    @abc.abstractmethod
    def describe(self) -> str:
        """One line: the splits' sizes, the image shape, the classes and the normalization."""

    @abc.abstractmethod
    def batches_per_epoch(self, plan: BatchPlan) -> int:
        """The training batches of one epoch."""

    @abc.abstractmethod
    def training_batches(self, plan: BatchPlan, epoch: int, skip: int, end: int):
        """`(batches, steps, callbacks)`, what `fit_from` trains on: the shuffled, augmented,
        normalized training batches of epochs `epoch` to `end - 1` less the first `skip` of
        the first, each epoch's order and augmentation a function of `(plan.seed, epoch)`;
        `fit`'s steps per epoch (None: the batches know) and the callbacks that go with them."""

    @abc.abstractmethod
    def batches(self, part: str, batch_size: int, *, limit: int | None = None, heads: int = 1):
        """The batches of `part` (`MEASURED_PARTS`) as the model serves: unshuffled,
        unaugmented, normalized, class ids (once per head of `heads`); only its first `limit`
        examples if given; None for a validation or test part that is empty."""

    @abc.abstractmethod
    def look_batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """`(images, labels)` as NumPy: the first batch of the validation part (else of the
        training part) as the model sees it, for the monitors."""


def check_part(part: str) -> None:
    """Refuses a part that is none of `MEASURED_PARTS`, naming them."""
    if part not in MEASURED_PARTS:
        raise ValueError(f"part must be one of {', '.join(MEASURED_PARTS)}, got {part!r}.")


class NormalizedArrays(RunData):
    """Splits held as NumPy arrays, batched by `ArrayBatches` on any Keras backend.

    Args:
        arrays: the splits.
        resize: resize images to `resize` x `resize`, or None.
        devices: the devices a data-parallel run splits each batch over: a training batch is
            cut to a multiple of them, an evaluation batch padded (`ArrayBatches`).

    Example:
    >>> splits = load_array_splits("fashion_mnist", val_split=0.1)  # doctest: +SKIP
    >>> data = NormalizedArrays(splits)  # doctest: +SKIP
    >>> model.evaluate(data.batches("validation", 256))  # doctest: +SKIP
    """

    def __init__(self, arrays: ArraySplits, *, resize: int | None = None, devices: int = 1):
        self.arrays = arrays
        sides = (resize, resize) if resize else None
        self.preprocessing = Preprocessing.from_arrays(arrays.x_train, resize=sides)
        self.devices = devices
        self.padded = devices > 1

    name = property(lambda self: self.arrays.name)
    splits = property(lambda self: self.arrays.splits)
    class_names = property(lambda self: list(self.arrays.class_names))
    image_shape = property(lambda self: self.arrays.image_shape)
    num_train = property(lambda self: len(self.arrays.x_train))
    num_validation = property(lambda self: len(self.arrays.x_validation))
    num_test = property(lambda self: len(self.arrays.x_test))

    def describe(self) -> str:
        return self.arrays.describe()

    def _part(self, part: str) -> tuple[np.ndarray, np.ndarray]:
        check_part(part)
        arrays = self.arrays
        return getattr(arrays, f"x_{part}"), getattr(arrays, f"y_{part}")

    def _training(self, plan: BatchPlan, epoch: int = 0, skip: int = 0) -> ArrayBatches:
        steps = parse_augment(plan.augment)
        x, y = self._part("train")
        return ArrayBatches(
            x,
            y,
            self.preprocessing,
            batch_size=plan.batch_size,
            seed=plan.seed,
            augmenter=Augmenter(steps, self.model_input_shape, seed=plan.seed) if steps else None,
            one_hot_classes=len(self.arrays.class_names) if plan.soft_labels else None,
            num_outputs=plan.heads,
            multiple_of=self.devices,
            epoch=epoch,
            skip=skip,
        )

    def batches_per_epoch(self, plan: BatchPlan) -> int:
        return self._training(plan).batches_per_epoch

    def training_batches(self, plan: BatchPlan, epoch: int, skip: int, end: int):
        # One epoch's dataset, moved to each later epoch by its callback as fit begins it.
        train = self._training(plan, epoch=epoch, skip=skip)
        return train, None, [train.epoch_setter()]

    def batches(self, part: str, batch_size: int, *, limit: int | None = None, heads: int = 1):
        x, y = self._part(part)
        if not len(x) and part != "train":
            return None
        return ArrayBatches(
            x[:limit], y[:limit], self.preprocessing, batch_size=batch_size, num_outputs=heads,
            multiple_of=self.devices,
        )  # fmt: skip

    def look_batch(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        part = "validation" if self.num_validation else "train"
        x, y = self._part(part)
        x, y = x[:batch_size], y[:batch_size]
        batch = ArrayBatches(x, y, self.preprocessing, batch_size=batch_size)
        return keras.ops.convert_to_numpy(batch[0][0]), np.asarray(y)


__all__ = ["MEASURED_PARTS", "BatchPlan", "NormalizedArrays", "RunData", "check_part"]
