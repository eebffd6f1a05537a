"""Maxout (Goodfellow et al. 2013, "Maxout Networks")."""

from __future__ import annotations

import keras
from keras import ops

from components.settings import POSITIVE_INT


@keras.saving.register_keras_serializable(package="classiczoo")
class Maxout(keras.layers.Layer):
    """The maximum over groups of `pieces` consecutive features of the last axis.

    `h_i(x) = max_{j in 1..k} z_{ij}` where the last axis (size `num_units * k`) is split into
    `num_units` groups of k pieces. Put it after a Dense or Conv2D with `num_units * k` outputs
    to get a maxout unit: a learned piecewise-linear convex activation that generalizes ReLU
    (k=2 with one piece fixed at 0) and leaky ReLU, and never dies. Keras has no such layer.

    Args:
        num_units: number of outputs; the input's last axis must be a multiple of it.

    Example:
    >>> x = keras.layers.Dense(4 * 3)(keras.Input((8,)))  # 4 maxout units of 3 pieces
    >>> Maxout(num_units=4)(x).shape
    (None, 4)
    """

    def __init__(self, num_units: int, **kwargs):
        super().__init__(**kwargs)
        POSITIVE_INT.check("num_units", num_units)
        self.num_units = int(num_units)

    def get_config(self):
        return {**super().get_config(), "num_units": self.num_units}

    def build(self, input_shape):
        features = input_shape[-1]
        if features is None or features % self.num_units:
            raise ValueError(
                f"Maxout(num_units={self.num_units}) needs a last axis that is a multiple of "
                f"{self.num_units}; got input shape {tuple(input_shape)}."
            )
        self.pieces = features // self.num_units

    def call(self, inputs):
        shape = ops.shape(inputs)
        grouped = ops.reshape(inputs, (*shape[:-1], self.num_units, self.pieces))
        return ops.max(grouped, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.num_units)
