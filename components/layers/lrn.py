"""Local response normalization (Krizhevsky et al. 2012, section 3.3)."""

from __future__ import annotations

import keras
from keras import ops

from components.settings import NON_NEGATIVE_INT, NON_NEGATIVE_NUMBER, POSITIVE_NUMBER


@keras.saving.register_keras_serializable(package="classiczoo")
class LocalResponseNormalization(keras.layers.Layer):
    """Normalizes each activation by the energy of its neighbouring channels.

    `b[c] = a[c] / (k + alpha * sum_{j=c-r}^{c+r} a[j]^2) ** beta`, the sum over channels (last
    axis) within `depth_radius` r, clipped at the edges. AlexNet uses r=2 (n=5), k=2,
    alpha=1e-4, beta=0.75. Alpha is *not* divided by n, as in the paper and
    `tf.nn.local_response_normalization` (PyTorch's `LocalResponseNorm` divides it). Keras has no
    such layer; written with `keras.ops` so it runs on any backend.

    Args:
        depth_radius: half-width r of the channel window (window size 2r + 1), >= 0.
        bias: k, > 0.
        alpha: scale of the sum of squares, >= 0.
        beta: exponent, >= 0.

    Example:
    >>> lrn = LocalResponseNormalization(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
    >>> tuple(lrn(keras.ops.ones((1, 4, 4, 8))).shape)
    (1, 4, 4, 8)
    """

    def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        NON_NEGATIVE_INT.check("depth_radius", depth_radius)
        POSITIVE_NUMBER.check("bias", bias)
        NON_NEGATIVE_NUMBER.check("alpha", alpha)
        NON_NEGATIVE_NUMBER.check("beta", beta)
        self.depth_radius = int(depth_radius)
        self.bias = float(bias)
        self.alpha = float(alpha)
        self.beta = float(beta)

    def get_config(self):
        return {
            **super().get_config(),
            "depth_radius": self.depth_radius,
            "bias": self.bias,
            "alpha": self.alpha,
            "beta": self.beta,
        }

    def call(self, inputs):
        r = self.depth_radius
        squares = ops.square(inputs)
        pad = [[0, 0]] * (len(inputs.shape) - 1) + [[r, r]]
        padded = ops.pad(squares, pad)
        channels = ops.shape(inputs)[-1]
        window_sum = sum(padded[..., i : i + channels] for i in range(2 * r + 1))
        return inputs / ops.power(self.bias + self.alpha * window_sum, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape
