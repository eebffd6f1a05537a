"""The VGG block (Simonyan & Zisserman 2014): 3x3 convolutions, then 2x2 max pooling."""

from __future__ import annotations

import keras
from keras import layers

from components.initializers import layer_initializer
from components.layers.batch_norm import BN_MOMENTUM


@keras.saving.register_keras_serializable(package="classiczoo")
class VGGBlock(keras.layers.Layer):
    """`num_convs` x (3x3 'same' conv [+ BatchNorm] + ReLU), then 2x2 max pooling, stride 2.

    Stacked 3x3 convolutions see as far as one larger kernel (two: 5x5, three: 7x7) with fewer
    parameters and more non-linearities, the paper's central argument.

    Args:
        num_convs: number of convolutions, >= 1.
        filters: output channels of each convolution.
        batch_norm: BatchNorm after each convolution (then without conv bias), as in `vgg*_bn`.
        pool_padding: `"valid"` (the paper: halves even sizes, floors odd ones) or `"same"`
            (rounds up, so 7 -> 4; used by the small-image models).
        kernel_initializer: of the convolutions; He for ReLU by default.
        activation: after each convolution (a Keras activation name; the paper: `"relu"`).

    Example:
    >>> block = VGGBlock(num_convs=2, filters=64)
    >>> tuple(block(keras.ops.zeros((1, 32, 32, 3))).shape)
    (1, 16, 16, 64)
    """

    def __init__(
        self,
        num_convs: int,
        filters: int,
        batch_norm: bool = False,
        pool_padding: str = "valid",
        kernel_initializer="he_normal",
        activation="relu",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if num_convs < 1 or filters < 1:
            raise ValueError(f"num_convs and filters must be >= 1, got {num_convs}, {filters}.")
        if pool_padding not in ("valid", "same"):
            raise ValueError(f"pool_padding must be 'valid' or 'same', got {pool_padding!r}.")
        self.num_convs = num_convs
        self.filters = filters
        self.batch_norm = batch_norm
        self.pool_padding = pool_padding
        self.kernel_initializer = layer_initializer(kernel_initializer)
        self.activation = keras.activations.get(activation)
        # Sublayers take the block's dtype policy: under mixed_float16 they compute in float16
        # too (a block built with its own policy, not the global one, would otherwise not).
        self.convs = [
            layers.Conv2D(
                filters,
                3,
                padding="same",
                use_bias=not batch_norm,
                kernel_initializer=layer_initializer(self.kernel_initializer),
                name=f"conv{i + 1}",
                dtype=self.dtype_policy,
            )
            for i in range(num_convs)
        ]
        self.norms = (
            [
                layers.BatchNormalization(
                    momentum=BN_MOMENTUM, name=f"bn{i + 1}", dtype=self.dtype_policy
                )
                for i in range(num_convs)
            ]
            if batch_norm
            else []
        )
        self.pool = layers.MaxPooling2D(
            2, strides=2, padding=pool_padding, name="pool", dtype=self.dtype_policy
        )

    def get_config(self):
        return {
            **super().get_config(),
            "num_convs": self.num_convs,
            "filters": self.filters,
            "batch_norm": self.batch_norm,
            "pool_padding": self.pool_padding,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "activation": keras.activations.serialize(self.activation),
        }

    def build(self, input_shape):
        shape = tuple(input_shape)
        for i, conv in enumerate(self.convs):
            conv.build(shape)
            shape = conv.compute_output_shape(shape)
            if self.batch_norm:
                self.norms[i].build(shape)

    def call(self, inputs, training=None):
        x = inputs
        for i, conv in enumerate(self.convs):
            x = conv(x)
            if self.batch_norm:
                x = self.norms[i](x, training=training)
            x = self.activation(x)
        return self.pool(x)

    def compute_output_shape(self, input_shape):
        shape = (*input_shape[:-1], self.filters)
        return self.pool.compute_output_shape(shape)
