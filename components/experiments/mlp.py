"""The lessons' small net: a fully connected classifier with the notes' options."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from components.initializers import layer_initializer
from components.layers import BN_MOMENTUM, Maxout

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout")
LEAKY_RELU_SLOPE = 0.01  # the notes' leaky ReLU, max(0.01 x, x); Keras's default slope is 0.3


def make_mlp(
    input_shape: tuple[int, ...],
    num_classes: int,
    *,
    hidden: Sequence[int] = (128, 128),
    activation: str = "relu",
    kernel_initializer: str | keras.initializers.Initializer = "glorot_uniform",
    batch_norm: bool = False,
    dropout: float = 0.0,
    l2: float = 0.0,
    maxout_pieces: int = 2,
    preprocessing: keras.layers.Layer | None = None,
    name: str = "mlp",
) -> keras.Model:
    """A fully connected classifier that outputs logits: the lessons' small net.

    Each hidden layer is `Dense -> [BatchNorm] -> activation -> [Dropout]`; with `maxout`, the
    Dense layer has `maxout_pieces` times the units and `components.layers.Maxout` takes the
    maximum over each group.

    Args:
        input_shape: one example's shape (flattened first).
        num_classes: outputs of the last Dense layer.
        hidden: units per hidden layer.
        activation: one of `ACTIVATIONS`.
        kernel_initializer: initializer of every Dense kernel (a new one per layer).
        batch_norm: BatchNorm between each Dense and its activation.
        dropout: dropout rate after each activation, in [0, 1).
        l2: L2 penalty `l2 * sum(w^2)` on every kernel, >= 0.
        maxout_pieces: pieces per Maxout unit, >= 2.
        preprocessing: an (adapted) layer applied to the raw input first.
        name: the model's name.

    Example:
    >>> model = make_mlp((28, 28, 1), 10, hidden=(64,), activation="maxout")
    >>> model.output_shape
    (None, 10)
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}. Valid: {', '.join(ACTIVATIONS)}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}.")
    if maxout_pieces < 2:
        raise ValueError(f"maxout_pieces must be >= 2, got {maxout_pieces}.")

    def kernel_args():
        return {
            "kernel_initializer": layer_initializer(kernel_initializer),
            "kernel_regularizer": keras.regularizers.L2(l2) if l2 else None,
        }

    inputs = keras.Input(input_shape)
    x = preprocessing(inputs) if preprocessing is not None else inputs
    x = keras.layers.Flatten()(x)
    for i, units in enumerate(hidden, start=1):
        pieces = maxout_pieces if activation == "maxout" else 1
        x = keras.layers.Dense(
            units * pieces, use_bias=not batch_norm, name=f"{name}_dense{i}", **kernel_args()
        )(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn{i}")(x)
        if activation == "maxout":
            x = Maxout(units, name=f"{name}_maxout{i}")(x)
        elif activation == "leaky_relu":
            x = keras.layers.LeakyReLU(LEAKY_RELU_SLOPE, name=f"{name}_leaky_relu{i}")(x)
        elif activation == "elu":
            x = keras.layers.ELU(name=f"{name}_elu{i}")(x)
        else:
            x = keras.layers.Activation(activation, name=f"{name}_{activation}{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_dropout{i}")(x)
    outputs = keras.layers.Dense(num_classes, name=f"{name}_logits", **kernel_args())(x)
    return keras.Model(inputs, outputs, name=name)


__all__ = ["ACTIVATIONS", "LEAKY_RELU_SLOPE", "make_mlp"]
