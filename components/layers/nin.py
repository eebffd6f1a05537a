"""The NiN "mlpconv" block (Lin, Chen & Yan 2013, "Network In Network")."""

from __future__ import annotations

import keras
from keras import layers

from components.initializers import layer_initializer


@keras.saving.register_keras_serializable(package="classiczoo")
class NiNBlock(keras.layers.Layer):
    """A convolution followed by 1x1 convolutions, each with ReLU: a tiny MLP at every pixel.

    Args:
        filters: output channels of every convolution in the block.
        kernel_size: size of the first convolution.
        strides: stride of the first convolution.
        padding: padding of the first convolution, `"valid"` or `"same"`.
        num_1x1: number of 1x1 convolutions after it (the paper: 2).
        activate_output: ReLU after the last convolution. NiN's final block produces one map per
            class that global average pooling turns into logits; with False those logits can be
            negative (d2l keeps the ReLU; both train).
        kernel_initializer: of every convolution (Keras's default, Glorot uniform).
        activation: after each convolution (a Keras activation name; the paper: `"relu"`).

    Example:
    >>> block = NiNBlock(96, kernel_size=11, strides=4, padding="valid")
    >>> tuple(block(keras.ops.zeros((1, 224, 224, 3))).shape)
    (1, 54, 54, 96)
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        strides: int = 1,
        padding: str = "same",
        num_1x1: int = 2,
        activate_output: bool = True,
        kernel_initializer="glorot_uniform",
        activation="relu",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if filters < 1 or kernel_size < 1 or strides < 1 or num_1x1 < 0:
            raise ValueError(
                "Need filters, kernel_size, strides >= 1 and num_1x1 >= 0; got "
                f"{filters}, {kernel_size}, {strides}, {num_1x1}."
            )
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}.")
        self.filters = filters
        self.kernel_size = kernel_size
        self.strides = strides
        self.padding = padding
        self.num_1x1 = num_1x1
        self.activate_output = activate_output
        self.kernel_initializer = layer_initializer(kernel_initializer)
        self.activation = keras.activations.get(activation)
        # Sublayers take the block's dtype policy: under mixed_float16 they compute in float16
        # too (a block built with its own policy, not the global one, would otherwise not).
        # Each convolution gets its own initializer: a shared one would repeat its values.
        init = self.kernel_initializer
        self.convs = [
            layers.Conv2D(
                filters,
                kernel_size,
                strides,
                padding,
                kernel_initializer=layer_initializer(init),
                name="conv",
                dtype=self.dtype_policy,
            ),
            *[
                layers.Conv2D(
                    filters,
                    1,
                    kernel_initializer=layer_initializer(init),
                    name=f"conv1x1_{i + 1}",
                    dtype=self.dtype_policy,
                )
                for i in range(num_1x1)
            ],
        ]

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "num_1x1": self.num_1x1,
            "activate_output": self.activate_output,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "activation": keras.activations.serialize(self.activation),
        }

    def build(self, input_shape):
        shape = tuple(input_shape)
        for conv in self.convs:
            conv.build(shape)
            shape = conv.compute_output_shape(shape)

    def call(self, inputs):
        x = inputs
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if self.activate_output or i < len(self.convs) - 1:
                x = self.activation(x)
        return x

    def compute_output_shape(self, input_shape):
        return self.convs[0].compute_output_shape(tuple(input_shape))
