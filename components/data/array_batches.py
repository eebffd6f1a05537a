"""Batches of NumPy images for Keras's `fit` and `evaluate` on any backend (a `PyDataset`).

What the tf.data pipeline (`components.data.pipeline`) does for TensorFlow runs, for runs on
the other backends: shuffle each epoch, resize, augment with Keras's own layers
(`components.data.augmentation.Augmenter`, computed by the backend on its default device),
normalize, one-hot targets where the loss needs them, one copy of the labels per head. The
order of epoch e is a permutation drawn from `(seed, e)` and each batch's augmentation from
`(seed, e, batch)`, so a run resumed in the middle of an epoch (`skip`) sees every later batch
exactly as the uninterrupted run did. tf.data has no equivalent without TensorFlow; Keras's
array adapter shuffles from a global generator that a resume cannot replay.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from components.data.augmentation import Augmenter
from components.data.preprocessing import Preprocessing


class ArrayBatches(keras.utils.PyDataset):
    """The batches of `(images, labels)` of an epoch; `fit` with `epoch_setter()` among its
    callbacks moves it to each epoch it begins.

    Args:
        images: `[N, H, W, C]` pixels in 0..255 (uint8 or float).
        labels: class ids `[N]`.
        preprocessing: the normalization (and resize) to apply.
        batch_size: examples per batch (the last batch may be smaller).
        seed: shuffle (and augment) from this seed; None: the order as given, every epoch.
        augmenter: Keras's augmentation layers for the training batches, or None.
        one_hot_classes: give targets `[N, K]` over this many classes (MixUp, CutMix, label
            smoothing); None: class ids.
        num_outputs: the model's heads (GoogLeNet's auxiliary heads get the labels too).
        multiple_of: every batch's size is a multiple of this (the devices of a data-parallel
            run, which splits each batch evenly): a shuffled (training) batch drops its last
            examples to fit, an evaluation batch is padded with copies weighted 0. Keras's
            compiled metrics and loss tracker count those copies: measure padded batches with
            `components.training.exact_figures`.
        epoch: the epoch the first batch belongs to (a resumed run's).
        skip: batches of that first epoch already trained on (a resume mid-epoch); this
            dataset then yields that epoch's remaining batches only.

    Example:
    >>> batches = ArrayBatches(x, y, prep, batch_size=128, seed=0)  # doctest: +SKIP
    >>> model.fit(batches, epochs=10, callbacks=[batches.epoch_setter()])  # doctest: +SKIP
    """

    def __init__(
        self,
        images: np.ndarray,
        labels: np.ndarray,
        preprocessing: Preprocessing,
        *,
        batch_size: int,
        seed: int | None = None,
        augmenter: Augmenter | None = None,
        one_hot_classes: int | None = None,
        num_outputs: int = 1,
        multiple_of: int = 1,
        epoch: int = 0,
        skip: int = 0,
    ):
        super().__init__()
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
        if len(images) != len(labels):
            raise ValueError(f"{len(images)} images but {len(labels)} labels.")
        self.images, self.labels = images, np.asarray(labels)
        self.preprocessing = preprocessing
        self.batch_size = batch_size
        self.seed = seed
        self.augmenter = augmenter
        self.one_hot_classes = one_hot_classes
        self.num_outputs = num_outputs
        self.multiple_of = multiple_of
        self.epoch = epoch
        self.skip = skip
        self.batches_per_epoch = math.ceil(len(images) / batch_size)
        if seed is not None and 0 < len(images) % batch_size < multiple_of:
            self.batches_per_epoch -= 1  # a last training batch too small to split: none
        if not 0 <= skip < self.batches_per_epoch:
            raise ValueError(f"skip must be in [0, {self.batches_per_epoch}), got {skip}.")
        self._order = self._permutation()
        # Made once, not per batch: the one-hot rows, and the normalization table.
        if one_hot_classes is not None:
            self._one_hot = np.eye(one_hot_classes, dtype=np.float32)
        self._table = self._normalization_table()

    def _normalization_table(self) -> np.ndarray | None:
        """`[256, C]`: `preprocessing.normalize` of every uint8 value in every channel, where
        the model's input is that alone (uint8 pixels, no resize, no augmentation); else None.

        A batch is then one lookup of its gathered pixels, equal to the bit to normalizing them
        (each value is the same float32 arithmetic) in a quarter of the time: on issue 23's
        benchmark this made the run's loop as fast as Keras's `fit` slicing arrays normalized
        beforehand (docs/BENCHMARKS.md).
        """
        if self.images.dtype != np.uint8 or self.augmenter is not None:
            return None
        if self.preprocessing.resize is not None:
            return None
        channels = self.images.shape[-1]
        values = np.repeat(np.arange(256, dtype=np.float32)[:, None], channels, axis=1)
        return np.asarray(self.preprocessing.normalize(values), np.float32)

    def _permutation(self) -> np.ndarray:
        if self.seed is None:
            return np.arange(len(self.images))
        return np.random.default_rng([self.seed, self.epoch]).permutation(len(self.images))

    def __len__(self) -> int:
        return self.batches_per_epoch - self.skip

    def __getitem__(self, index: int):
        batch = index + self.skip
        chosen = np.sort(self._order[batch * self.batch_size : (batch + 1) * self.batch_size])
        weights = None
        if self.multiple_of > 1:
            extra = -len(chosen) % self.multiple_of
            if self.seed is not None:  # training: drop the few that do not fit
                chosen = chosen[: len(chosen) - len(chosen) % self.multiple_of]
            else:  # evaluation: pad with copies that count 0
                weights = np.concatenate([np.ones(len(chosen)), np.zeros(extra)]).astype("float32")
                chosen = np.concatenate([chosen, np.repeat(chosen[:1], extra)])
        labels = self.labels[chosen]
        if self.one_hot_classes is not None:
            labels = self._one_hot[labels]
        if self._table is not None:
            inputs = self._looked_up(self.images[chosen])
        else:
            inputs, labels = self._augmented_and_normalized(chosen, labels, batch)
        targets = tuple([labels] * self.num_outputs) if self.num_outputs > 1 else labels
        if weights is not None:
            return inputs, targets, weights
        return inputs, targets

    def _looked_up(self, pixels: np.ndarray) -> np.ndarray:
        """Normalized uint8 `pixels`, channel by channel from the table (`np.take` of a 1-D
        table: NumPy's fancy indexing over two axes would cost as much as the arithmetic)."""
        inputs = np.empty(pixels.shape, np.float32)
        for channel in range(pixels.shape[-1]):
            column = self._table[:, channel]
            np.take(column, pixels[..., channel], out=inputs[..., channel], mode="clip")
        return inputs

    def _augmented_and_normalized(self, chosen: np.ndarray, labels, batch: int):
        """The model's inputs from images `chosen` (resized, augmented, normalized) and their
        labels (which MixUp and CutMix mix too)."""
        pixels = self.images[chosen].astype(np.float32)
        if self.preprocessing.resize is not None:
            pixels = keras.ops.image.resize(pixels, self.preprocessing.resize)
        if self.augmenter is not None:
            seed = np.array([self.seed or 0, self.epoch * 1_000_003 + batch], np.int64)
            place = {"epoch": self.epoch, "indices": chosen} if self.augmenter.needs_epoch else {}
            pixels, labels = self.augmenter(pixels, labels, seed=seed, **place)
        # Normalized in NumPy: each eager op of the backend costs more than this arithmetic on
        # a batch (issue 23's benchmark: 0.94 of plain fit with the backend's ops).
        pixels = np.asarray(keras.ops.convert_to_numpy(pixels), np.float32)
        return self.preprocessing.normalize(pixels), labels

    def set_epoch(self, epoch: int) -> None:
        """Draws epoch `epoch`'s order (its permutation of `(seed, epoch)`)."""
        if epoch != self.epoch:
            self.epoch = epoch
            self._order = self._permutation()

    def epoch_setter(self) -> keras.callbacks.Callback:
        """The callback that tells this dataset which epoch `fit` begins: Keras calls a
        PyDataset's `on_epoch_end` before the first epoch too, so counting those calls would
        not name the epoch."""
        batches = self

        class SetEpoch(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                batches.set_epoch(epoch)

        return SetEpoch()


__all__ = ["ArrayBatches"]
