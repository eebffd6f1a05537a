"""`Preprocessing`: the normalization of a dataset's images, the same in training and serving.

Its statistics are fitted on the training split (`fit` from a tf.data dataset, `from_arrays`
from NumPy), stored in each export's metadata, and applied by the input pipeline and inside the
exported graph (`components.data.pipeline.preprocess_images`). No TensorFlow is needed to make,
store or apply one in NumPy, so runs on other Keras backends use it too.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import tensorflow as tf


@dataclasses.dataclass(frozen=True)
class Preprocessing:
    """`x = (resize(image) * scale - mean) / std`, per channel; stored in each export's metadata.

    Args:
        mean: per-channel mean of `image * scale` over the training set.
        std: per-channel standard deviation of `image * scale` over the training set.
        scale: maps raw pixel values to [0, 1]; `1/255` for uint8 images.
        resize: `(height, width)` to resize to (bilinear), or None to keep the size.
    """

    mean: tuple[float, ...]
    std: tuple[float, ...]
    scale: float = 1.0 / 255.0
    resize: tuple[int, int] | None = None

    def __post_init__(self):
        if len(self.mean) != len(self.std):
            raise ValueError(f"mean {self.mean} and std {self.std} differ in length.")
        if not all(0 < s < math.inf for s in self.std):  # NaN fails too
            raise ValueError(f"std must be finite and positive per channel, got {self.std}.")
        if not all(math.isfinite(m) for m in self.mean):
            raise ValueError(f"mean must be finite per channel, got {self.mean}.")
        if self.resize is not None and (len(self.resize) != 2 or min(self.resize) <= 0):
            raise ValueError(f"resize must be (height, width) > 0 or None, got {self.resize}.")

    def normalize(self, pixels):
        """`(pixels * scale - mean) / std` per channel, of float pixels in 0..255 (after any
        resize). The one definition of the math: NumPy arrays, TensorFlow tensors (the input
        pipeline, the SavedModel's graph) and Keras tensors (`components.layers.
        ImageNormalization`) alike, by their own arithmetic.

        Example:
        >>> Preprocessing(mean=(0.5,), std=(0.25,), scale=0.5).normalize(np.full((1, 1), 2.0))
        array([[2.]])
        """
        mean = np.asarray(self.mean, np.float32)
        std = np.asarray(self.std, np.float32)
        return (pixels * np.float32(self.scale) - mean) / std

    @classmethod
    def fit(
        cls,
        images: tf.data.Dataset,
        *,
        resize: tuple[int, int] | None = None,
        max_examples: int | None = None,
    ) -> Preprocessing:
        """Computes per-channel mean and std from a dataset of `(image, label)` or images.

        Statistics are taken before resizing (bilinear resizing barely changes them).
        """
        if max_examples is not None:
            images = images.take(max_examples)
        if isinstance(images.element_spec, tuple):
            images = images.map(lambda image, label: image)
        return cls._from_batches(images.batch(4096).as_numpy_iterator(), resize)

    @classmethod
    def from_arrays(
        cls, images: np.ndarray, *, resize: tuple[int, int] | None = None
    ) -> Preprocessing:
        """Per-channel mean and std of uint8 images `[N, H, W, C]` (NumPy, no TensorFlow),
        computed as `fit` computes them."""
        images = np.asarray(images)
        if images.ndim != 4:
            raise ValueError(f"Need images [N, H, W, C], got shape {images.shape}.")
        # In chunks, as `fit` reads them: the float64 copies stay small.
        chunks = (images[start : start + 4096] for start in range(0, len(images), 4096))
        return cls._from_batches(chunks, resize)

    @classmethod
    def _from_batches(cls, batches, resize) -> Preprocessing:
        total = total_sq = count = 0.0
        for batch in batches:
            pixels = batch.astype(np.float64).reshape(-1, batch.shape[-1]) / 255.0
            total = total + pixels.sum(axis=0)
            total_sq = total_sq + np.square(pixels).sum(axis=0)
            count += pixels.shape[0]
        if not count:
            raise ValueError("Cannot fit preprocessing statistics on an empty dataset.")
        mean = total / count
        std = np.sqrt(np.maximum(total_sq / count - np.square(mean), 1e-12))
        return cls(
            mean=tuple(float(m) for m in mean),
            std=tuple(float(s) for s in std),
            resize=tuple(resize) if resize else None,
        )

    def output_shape(self, image_shape: tuple[int, int, int]) -> tuple[int, int, int]:
        """The shape of a preprocessed image of raw shape `image_shape`."""
        if self.resize is None:
            return tuple(image_shape)
        return (*self.resize, image_shape[-1])

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, config: dict) -> Preprocessing:
        resize = config.get("resize")
        return cls(
            mean=tuple(config["mean"]),
            std=tuple(config["std"]),
            scale=config.get("scale", 1.0 / 255.0),
            resize=tuple(resize) if resize else None,
        )


__all__ = ["Preprocessing"]
