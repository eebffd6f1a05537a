"""A small convolutional net for the lessons that need one (augmentation works on images)."""

from __future__ import annotations

import keras

from components.layers import BN_MOMENTUM


def make_small_cnn(
    input_shape: tuple[int, int, int],
    num_classes: int,
    *,
    widths: tuple[int, ...] = (32, 64),
    dense: int = 128,
    batch_norm: bool = True,
    preprocessing: keras.layers.Layer | None = None,
    name: str = "small_cnn",
) -> keras.Model:
    """`[3x3 conv -> [BatchNorm] -> ReLU -> 2x2 max pool] per width -> dense ReLU -> logits`.

    No dropout and no weight decay: with a small training slice it overfits, which is what
    the augmentation lesson sets out to show.

    Args:
        input_shape: one image's shape.
        num_classes: outputs of the last Dense layer.
        widths: filters of each convolution block.
        dense: units of the hidden dense layer.
        batch_norm: BatchNorm after each convolution (it also regularizes a little; the
            capacity lesson leaves it out).
        preprocessing: an (adapted) layer applied to the input first (standardization).
        name: the model's name.

    Example:
    >>> make_small_cnn((28, 28, 1), 10).output_shape
    (None, 10)
    """
    inputs = keras.Input(input_shape)
    x = preprocessing(inputs) if preprocessing is not None else inputs
    for i, filters in enumerate(widths, start=1):
        x = keras.layers.Conv2D(
            filters, 3, padding="same", use_bias=not batch_norm, name=f"conv{i}"
        )(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"conv{i}_bn")(x)
        x = keras.layers.ReLU(name=f"conv{i}_relu")(x)
        x = keras.layers.MaxPooling2D(2, name=f"pool{i}")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense, activation="relu", name="fc")(x)
    outputs = keras.layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


__all__ = ["make_small_cnn"]
