"""Raw pixels to a model's input, as a layer: the run's normalization carried by the model."""

from __future__ import annotations

import keras
from keras import ops

from components.data.preprocessing import Preprocessing


@keras.saving.register_keras_serializable(package="classiczoo")
class ImageNormalization(keras.layers.Layer):
    """`(resize(pixels) * scale - mean) / std` per channel: a run's `Preprocessing` as a layer.

    A model saved with this layer in front takes raw images (uint8, or floats in 0..255), as
    KerasHub's `ImageConverter` makes a model take them; the `.keras` file then carries its
    normalization. The statistics are fixed (from the run's training split), not adapted, and
    the arithmetic is `Preprocessing.normalize`, the same the input pipelines and the
    SavedModel's graph apply. It always computes in float32.

    Args:
        mean, std: per channel, of `pixels * scale` over the training split.
        scale: maps raw pixel values to 0..1 (`1/255`).
        resize: `(height, width)` to resize to (bilinear) first, or None.

    Example:
    >>> layer = ImageNormalization(mean=(0.5,), std=(0.25,), scale=0.5)
    >>> float(keras.ops.convert_to_numpy(layer(keras.ops.full((1, 2, 2, 1), 2.0)))[0, 0, 0, 0])
    2.0
    """

    def __init__(self, mean, std, scale=1.0 / 255.0, resize=None, **kwargs):
        kwargs["dtype"] = "float32"  # pixels in 0..255 and their statistics: never float16
        super().__init__(**kwargs)
        self.preprocessing = Preprocessing(
            mean=tuple(float(m) for m in mean),
            std=tuple(float(s) for s in std),
            scale=float(scale),
            resize=None if resize is None else (int(resize[0]), int(resize[1])),
        )

    def get_config(self):
        config = {**super().get_config(), **self.preprocessing.to_dict()}
        config.pop("dtype", None)  # always float32, set by the constructor
        return config

    @classmethod
    def from_preprocessing(cls, preprocessing: Preprocessing, **kwargs) -> ImageNormalization:
        """The layer of a run's `Preprocessing`."""
        return cls(**preprocessing.to_dict(), **kwargs)

    def call(self, images):
        pixels = ops.cast(images, "float32")
        if self.preprocessing.resize is not None:
            pixels = ops.image.resize(pixels, self.preprocessing.resize, interpolation="bilinear")
        return self.preprocessing.normalize(pixels)

    def compute_output_shape(self, input_shape):
        if self.preprocessing.resize is None:
            return tuple(input_shape)
        return (input_shape[0], *self.preprocessing.resize, input_shape[-1])


def with_normalization(
    model: keras.Model, preprocessing: Preprocessing, image_shape: tuple[int, int, int]
) -> keras.Model:
    """`model` (on normalized inputs) behind an `ImageNormalization`: a model of raw images.

    Example:
    >>> raw = with_normalization(model, result.preprocessing, (28, 28, 1))  # doctest: +SKIP
    """
    inputs = keras.Input(tuple(image_shape), name="images")
    normalization = ImageNormalization.from_preprocessing(preprocessing, name="normalization")
    outputs = model(normalization(inputs))
    return keras.Model(inputs, outputs, name=model.name)


def split_normalization(model: keras.Model) -> tuple[keras.Model, Preprocessing | None]:
    """`(the model on normalized inputs, its Preprocessing)` of a model made by
    `with_normalization`; `(model, None)` for any other (a `.keras` saved before the layer)."""
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    if len(layers) == 2 and isinstance(layers[0], ImageNormalization):
        return layers[1], layers[0].preprocessing
    return model, None


__all__ = ["ImageNormalization", "split_normalization", "with_normalization"]
