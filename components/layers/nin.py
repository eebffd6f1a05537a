"""The NiN "mlpconv" block (Lin, Chen & Yan 2013, "Network In Network")."""

from __future__ import annotations

import keras
from keras import layers

from components.initializers import layer_initializer
from components.layers.batch_norm import BN_MOMENTUM


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
        batch_norm: BatchNorm between each convolution and its activation, the convolution
            then without a bias (not in the paper, which predates it; for the high learning
            rates of the fast recipe). A last convolution without activation keeps its bias
            and gets none: its maps are the logits.

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
        batch_norm: bool = False,
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
        self.batch_norm = batch_norm
        # Sublayers take the block's dtype policy: under mixed_float16 they compute in float16
        # too (a block built with its own policy, not the global one, would otherwise not).
        # Each convolution gets its own initializer: a shared one would repeat its values.
        init = self.kernel_initializer
        shapes = [(kernel_size, strides, padding, "conv")]
        shapes += [(1, 1, "valid", f"conv1x1_{i + 1}") for i in range(num_1x1)]
        self.convs = [
            layers.Conv2D(
                filters,
                kernel,
                stride,
                pad,
                use_bias=not self._normalized(i),
                kernel_initializer=layer_initializer(init),
                name=name,
                dtype=self.dtype_policy,
            )
            for i, (kernel, stride, pad, name) in enumerate(shapes)
        ]
        self.norms = [
            layers.BatchNormalization(
                momentum=BN_MOMENTUM, name=f"{conv.name}_bn", dtype=self.dtype_policy
            )
            for i, conv in enumerate(self.convs)
            if self._normalized(i)
        ]

    def _activated(self, i: int) -> bool:
        """Whether convolution `i` is followed by the activation."""
        return self.activate_output or i < self.num_1x1

    def _normalized(self, i: int) -> bool:
        """Whether convolution `i` is followed by BatchNorm (only activated ones are)."""
        return self.batch_norm and self._activated(i)

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
            "batch_norm": self.batch_norm,
        }

    def build(self, input_shape):
        shape = tuple(input_shape)
        for conv, norm in zip(self.convs, self._norm_of_each_conv(), strict=True):
            conv.build(shape)
            shape = conv.compute_output_shape(shape)
            if norm is not None:
                norm.build(shape)

    def call(self, inputs, training=None):
        x = inputs
        for i, (conv, norm) in enumerate(zip(self.convs, self._norm_of_each_conv(), strict=True)):
            x = conv(x)
            if norm is not None:
                x = norm(x, training=training)
            if self._activated(i):
                x = self.activation(x)
        return x

    def _norm_of_each_conv(self) -> list:
        """`self.norms` aligned with `self.convs` (None where a convolution has none)."""
        norms = iter(self.norms)
        return [next(norms) if self._normalized(i) else None for i in range(len(self.convs))]

    def compute_output_shape(self, input_shape):
        return self.convs[0].compute_output_shape(tuple(input_shape))
