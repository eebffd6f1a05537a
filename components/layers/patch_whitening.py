"""A first convolution that whitens the image's patches, initialized from training images.

airbench's first layer (Keller Jordan, "94% on CIFAR-10 in 3.29 Seconds on a Single GPU",
arXiv 2404.00498, github.com/KellerJordan/cifar10-airbench): a `p x p` convolution, valid
padding, whose filters are the eigenvectors `u_k` of the covariance of the training images'
`p x p` patches divided by `sqrt(lambda_k + epsilon)`, each with its negative (so a ReLU or
GELU after it keeps both signs): `2 * p * p * C` filters, frozen. The patches' covariance and
its eigen-decomposition are the whitening layers' (`components.layers.whitening`), so the
convolution's outputs are the patches' PCA-whitened components (the notes' "Data
preprocessing"), computed by the network itself at every position.

`patch_whitening_kernel` computes the kernel, `PatchWhitening` holds it as a Keras initializer
(for a layer built after the kernel is known) and `whiten_convolution` sets a built `Conv2D`'s
kernel (and bias) and freezes the layer. Keras has no data-driven initializer of this kind.
"""

from __future__ import annotations

import keras
import numpy as np

from components.layers.whitening import covariance_eigh

# airbench's epsilon for images normalized to unit variance per channel.
PATCH_WHITENING_EPSILON = 5e-4


def _patches(images, patch_size: int) -> np.ndarray:
    """`[N * positions, p * p * C]`: every `p x p` patch (stride 1), flattened in the order of
    a Keras kernel `(p, p, C)`."""
    x = np.asarray(images, np.float64)
    if x.ndim != 4:
        raise ValueError(
            f"images must be [N, H, W, C] (preprocessed as the network sees them), got shape "
            f"{x.shape}."
        )
    if not 1 <= patch_size <= min(x.shape[1:3]):
        raise ValueError(
            f"patch_size must be in [1, {min(x.shape[1:3])}] for images of {x.shape[1]}x"
            f"{x.shape[2]}, got {patch_size}."
        )
    windows = np.lib.stride_tricks.sliding_window_view(x, (patch_size, patch_size), axis=(1, 2))
    # [N, H', W', C, p, p] -> [N, H', W', p, p, C]: a patch in the kernel's (row, column, channel)
    # order, so the dot product with a flattened kernel is the convolution's output.
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, patch_size * patch_size * x.shape[3])


def _patch_whitening(images, patch_size: int, epsilon: float):
    if not epsilon > 0:
        raise ValueError(f"epsilon must be positive, got {epsilon}.")
    channels = np.shape(images)[-1]
    mean, eigenvalues, eigenvectors = covariance_eigh(
        _patches(images, patch_size), "patch_whitening_kernel"
    )
    scaled = eigenvectors / np.sqrt(np.maximum(eigenvalues, 0.0) + epsilon)  # [D, D] columns
    kernel = np.concatenate([scaled, -scaled], axis=1)
    return kernel.reshape(patch_size, patch_size, channels, -1).astype(np.float32), mean


def patch_whitening_kernel(
    images, patch_size: int = 2, epsilon: float = PATCH_WHITENING_EPSILON
) -> np.ndarray:
    """The kernel `(p, p, C, 2 p^2 C)` of a convolution that whitens `p x p` patches.

    Filter k (< `D = p * p * C`) is the covariance's k-th eigenvector (largest variance first)
    divided by `sqrt(lambda_k + epsilon)`; filter `D + k` is its negative. On the patches it
    was computed from, the first D outputs have covariance `diag(lambda / (lambda + epsilon))`,
    the identity but for the directions of variance near `epsilon` or below.

    Args:
        images: `[N, H, W, C]`, preprocessed as the network's input (normalized); a few
            thousand images are plenty (airbench uses 5,000: 4.6 million 2x2 patches).
        patch_size: p, the convolution's kernel size (airbench: 2).
        epsilon: added to the eigenvalues; bounds the gain of low-variance directions.

    Example:
    >>> images = np.random.default_rng(0).normal(size=(64, 8, 8, 1))
    >>> patch_whitening_kernel(images).shape
    (2, 2, 1, 8)
    """
    return _patch_whitening(images, patch_size, epsilon)[0]


@keras.saving.register_keras_serializable(package="classiczoo")
class PatchWhitening(keras.initializers.Initializer):
    """A computed patch-whitening kernel (`patch_whitening_kernel`) as a Keras initializer.

    Its config holds the kernel's values (`2 p^4 C^2` numbers: 32 for 2x2 grayscale), so a
    `Conv2D` built with it reloads from a `.keras` file without the training images.

    Args:
        kernel: `(p, p, C, filters)` values.

    Example:
    >>> images = np.random.default_rng(0).normal(size=(64, 8, 8, 1))
    >>> conv = keras.layers.Conv2D(
    ...     8, 2, kernel_initializer=PatchWhitening.from_images(images), trainable=False
    ... )
    >>> tuple(conv(images[:2]).shape)
    (2, 7, 7, 8)
    """

    def __init__(self, kernel):
        kernel = np.asarray(kernel, np.float32)
        if kernel.ndim != 4:
            raise ValueError(f"kernel must be (p, p, C, filters), got shape {kernel.shape}.")
        self.kernel = kernel

    def get_config(self):
        return {"kernel": self.kernel.tolist()}

    @classmethod
    def from_images(
        cls, images, patch_size: int = 2, epsilon: float = PATCH_WHITENING_EPSILON
    ) -> PatchWhitening:
        """The initializer of `patch_whitening_kernel(images, patch_size, epsilon)`."""
        return cls(patch_whitening_kernel(images, patch_size, epsilon))

    def __call__(self, shape, dtype=None):
        if tuple(int(d) for d in shape) != self.kernel.shape:
            raise ValueError(
                f"PatchWhitening holds a kernel of shape {self.kernel.shape}, asked for "
                f"{tuple(shape)}: give the Conv2D {self.kernel.shape[-1]} filters of size "
                f"{self.kernel.shape[0]}, on {self.kernel.shape[2]} channels."
            )
        return keras.ops.convert_to_tensor(self.kernel, dtype or keras.config.floatx())


def whiten_convolution(
    conv: keras.layers.Conv2D,
    images,
    epsilon: float = PATCH_WHITENING_EPSILON,
    *,
    freeze: bool = True,
) -> None:
    """Sets a built `Conv2D`'s kernel to whiten its input's patches, and freezes the layer.

    The kernel is `patch_whitening_kernel(images, conv.kernel_size, epsilon)`; a bias, if the
    layer has one, is set to `-mean(patch) @ kernel`, so the outputs on `images` have mean 0
    (airbench starts it at 0 and trains it for a few epochs: unfreeze the layer for that).
    Call it before `compile`: Keras reads `trainable` when it compiles the training step.

    Args:
        conv: a built `Conv2D` with square kernel p, stride 1 (the network's first layer),
            `2 p^2 C` filters and `C` input channels.
        images: `[N, H, W, C]`, preprocessed as the network's input.
        epsilon: as for `patch_whitening_kernel`.
        freeze: set `conv.trainable = False`.

    Example:
    >>> model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(8, 2)])
    >>> whiten_convolution(model.layers[0], np.random.default_rng(0).normal(size=(64, 8, 8, 1)))
    >>> model.layers[0].trainable
    False
    """
    if not isinstance(conv, keras.layers.Conv2D) or not conv.built:
        raise ValueError(f"whiten_convolution needs a built Conv2D layer, got {conv!r}.")
    size = tuple(conv.kernel_size)
    if size[0] != size[1] or tuple(conv.strides) != (1, 1):
        raise ValueError(
            f"whiten_convolution needs a square kernel with stride 1, got kernel_size {size} "
            f"and strides {tuple(conv.strides)} on {conv.name!r}."
        )
    kernel, mean = _patch_whitening(images, size[0], epsilon)
    if tuple(conv.kernel.shape) != kernel.shape:
        raise ValueError(
            f"{conv.name!r} has a kernel of shape {tuple(conv.kernel.shape)}; whitening "
            f"{size[0]}x{size[0]} patches of {kernel.shape[2]} channels needs "
            f"{kernel.shape[-1]} filters, shape {kernel.shape}."
        )
    conv.kernel.assign(kernel)
    if conv.use_bias:
        conv.bias.assign((-mean @ kernel.reshape(len(mean), -1)).astype(np.float32))
    if freeze:
        conv.trainable = False


__all__ = [
    "PATCH_WHITENING_EPSILON",
    "PatchWhitening",
    "patch_whitening_kernel",
    "whiten_convolution",
]
