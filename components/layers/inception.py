"""The Inception block of GoogLeNet (Szegedy et al. 2014, "Going deeper with convolutions")."""

from __future__ import annotations

import keras
from keras import layers

from components.initializers import layer_initializer
from components.layers.batch_norm import BN_MOMENTUM


@keras.saving.register_keras_serializable(package="classiczoo")
class InceptionBlock(keras.layers.Layer):
    """Four parallel branches, concatenated on channels (the paper's Figure 2b).

    1x1 conv | 1x1 reduce -> 3x3 conv | 1x1 reduce -> 5x5 conv | 3x3 max pool -> 1x1 projection;
    every convolution is followed by ReLU; all branches keep the spatial size. The argument
    names are the columns of the paper's Table 1.

    Args:
        filters_1x1: "#1x1".
        filters_3x3_reduce: "#3x3 reduce".
        filters_3x3: "#3x3".
        filters_5x5_reduce: "#5x5 reduce".
        filters_5x5: "#5x5".
        filters_pool_proj: "pool proj".
        batch_norm: BatchNorm before each ReLU (not in the paper; for the small models).
        activation: after each convolution (a Keras activation name; the paper: `"relu"`).
        kernel_initializer: of every convolution (Keras's default, Glorot uniform).

    Example:
    >>> block = InceptionBlock(64, 96, 128, 16, 32, 32)  # inception (3a)
    >>> tuple(block(keras.ops.zeros((1, 28, 28, 192))).shape)
    (1, 28, 28, 256)
    """

    def __init__(
        self,
        filters_1x1: int,
        filters_3x3_reduce: int,
        filters_3x3: int,
        filters_5x5_reduce: int,
        filters_5x5: int,
        filters_pool_proj: int,
        batch_norm: bool = False,
        activation="relu",
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        super().__init__(**kwargs)
        widths = (
            filters_1x1,
            filters_3x3_reduce,
            filters_3x3,
            filters_5x5_reduce,
            filters_5x5,
            filters_pool_proj,
        )
        if min(widths) < 1:
            raise ValueError(f"All filter counts must be >= 1, got {widths}.")
        self.filters_1x1 = filters_1x1
        self.filters_3x3_reduce = filters_3x3_reduce
        self.filters_3x3 = filters_3x3
        self.filters_5x5_reduce = filters_5x5_reduce
        self.filters_5x5 = filters_5x5
        self.filters_pool_proj = filters_pool_proj
        self.batch_norm = batch_norm
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = layer_initializer(kernel_initializer)

        # Sublayers take the block's dtype policy: under mixed_float16 they compute in float16
        # too (a block built with its own policy, not the global one, would otherwise not).
        def conv(filters, size, name):
            return layers.Conv2D(
                filters,
                size,
                padding="same",
                use_bias=not batch_norm,
                kernel_initializer=layer_initializer(self.kernel_initializer),
                name=name,
                dtype=self.dtype_policy,
            )

        self.branches = [
            [conv(filters_1x1, 1, "b1_1x1")],
            [conv(filters_3x3_reduce, 1, "b2_reduce"), conv(filters_3x3, 3, "b2_3x3")],
            [conv(filters_5x5_reduce, 1, "b3_reduce"), conv(filters_5x5, 5, "b3_5x5")],
            [conv(filters_pool_proj, 1, "b4_proj")],
        ]
        self.norms = (
            [
                [
                    layers.BatchNormalization(
                        momentum=BN_MOMENTUM, name=f"{c.name}_bn", dtype=self.dtype_policy
                    )
                    for c in branch
                ]
                for branch in self.branches
            ]
            if batch_norm
            else []
        )
        self.pool = layers.MaxPooling2D(
            3, strides=1, padding="same", name="b4_pool", dtype=self.dtype_policy
        )

    def get_config(self):
        return {
            **super().get_config(),
            "filters_1x1": self.filters_1x1,
            "filters_3x3_reduce": self.filters_3x3_reduce,
            "filters_3x3": self.filters_3x3,
            "filters_5x5_reduce": self.filters_5x5_reduce,
            "filters_5x5": self.filters_5x5,
            "filters_pool_proj": self.filters_pool_proj,
            "batch_norm": self.batch_norm,
            "activation": keras.activations.serialize(self.activation),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }

    @property
    def output_channels(self) -> int:
        return self.filters_1x1 + self.filters_3x3 + self.filters_5x5 + self.filters_pool_proj

    def build(self, input_shape):
        for b, branch in enumerate(self.branches):
            shape = tuple(input_shape)
            for c, conv in enumerate(branch):
                conv.build(shape)
                shape = conv.compute_output_shape(shape)
                if self.batch_norm:
                    self.norms[b][c].build(shape)

    def call(self, inputs, training=None):
        outputs = []
        for b, branch in enumerate(self.branches):
            x = self.pool(inputs) if b == 3 else inputs
            for c, conv in enumerate(branch):
                x = conv(x)
                if self.batch_norm:
                    x = self.norms[b][c](x, training=training)
                x = self.activation(x)
            outputs.append(x)
        return keras.ops.concatenate(outputs, axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.output_channels)
