"""Data preprocessing from the notes: standardization, PCA and ZCA whitening, as layers.

Per-channel standardization is Keras's own `keras.layers.Normalization(axis=-1)` (mean and
variance from `adapt()`), re-exported as `Standardization`. Keras has no whitening layer; the
two below learn the mean and the covariance's eigen-decomposition in `adapt()` and keep them as
non-trainable weights, so they travel in `.keras` files and exported SavedModels.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from components.settings import POSITIVE_INT, POSITIVE_NUMBER

Standardization = keras.layers.Normalization


# The most features a covariance is estimated for: 8,192 features make a 0.5 GB covariance
# and an eigendecomposition of seconds; 30,000 (100 x 100 x 3) would take 7.2 GB and minutes.
MAX_FEATURES = 8192


def covariance_eigh(data, caller: str = "covariance_eigh") -> tuple[np.ndarray, ...]:
    """The mean of the rows of `data` and its covariance's eigen-decomposition, in float64.

    Each row (the first axis) is one sample, flattened to D features. The covariance is the
    biased one (divided by N), as the whitening layers and the patch whitening use it.

    Args:
        data: `[N, ...]` samples, N >= 2, finite.
        caller: named in the error messages.

    Returns:
        `mean [D]`, `eigenvalues [D]` (largest first) and `eigenvectors [D, D]` (its columns,
        in the same order).

    Example:
    >>> x = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [0.0, -0.5]])
    >>> mean, eigenvalues, eigenvectors = covariance_eigh(x)
    >>> eigenvalues.round(3).tolist(), np.abs(eigenvectors[:, 0]).tolist()
    ([0.5, 0.125], [1.0, 0.0])
    """
    try:
        x = np.asarray(data, np.float64)
    except (TypeError, ValueError):  # text, or rows of different lengths
        raise ValueError(
            f"{caller}: data must be an array of numbers [N, ...], got {type(data).__name__} "
            "holding values that are not numbers (or rows of different lengths)."
        ) from None
    if x.ndim < 2:
        raise ValueError(
            f"{caller}: data must be samples along the first axis with their features after "
            f"it ([N, ...]), got shape {x.shape}; N one-feature samples are [N, 1]."
        )
    if len(x) < 2:
        raise ValueError(
            f"{caller} needs at least 2 samples to estimate a covariance (rows of data, the "
            f"first axis), got {len(x)}."
        )
    features = int(np.prod(x.shape[1:]))
    if features > MAX_FEATURES:
        gigabytes = features**2 * 8 / 1e9
        raise ValueError(
            f"{caller}: {features} features per sample ({' x '.join(map(str, x.shape[1:]))}) "
            f"make a {features} x {features} covariance ({gigabytes:.1f} GB) and an "
            f"eigendecomposition that runs for minutes; at most {MAX_FEATURES} are whitened. "
            "Resize the images (32 x 32 x 3 is 3,072 features), or whiten small patches "
            "(components.layers.PatchWhitening)."
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{caller}: data holds NaN or infinite values.")
    x = x.reshape(len(x), -1)
    mean = x.mean(axis=0)
    covariance = np.cov(x - mean, rowvar=False, bias=True).reshape(x.shape[1], x.shape[1])
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues)[::-1]  # largest variance first
    return mean, eigenvalues[order], eigenvectors[:, order]


class _Whitening(keras.layers.Layer):
    """Flattens each example to D features; learns the mean and a D x K projection."""

    def __init__(self, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        POSITIVE_NUMBER.check("epsilon", epsilon)  # inf whitened everything to zeros
        self.epsilon = float(epsilon)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}

    def build(self, input_shape):
        features = int(np.prod(input_shape[1:]))
        self.mean = self.add_weight(
            shape=(features,), initializer="zeros", trainable=False, name="mean"
        )
        self.projection = self.add_weight(
            shape=(features, self._components(features)),
            initializer="identity",
            trainable=False,
            name="projection",
        )

    def _components(self, features: int) -> int:
        return features

    def adapt(self, data) -> None:
        """Learns the mean and covariance of `data` (an array or a dataset of batches)."""
        if hasattr(data, "as_numpy_iterator"):
            data = np.concatenate(
                [b[0] if isinstance(b, tuple) else b for b in data.as_numpy_iterator()]
            )
        x = np.asarray(data)  # checked and converted to float64 by covariance_eigh
        mean, eigenvalues, eigenvectors = covariance_eigh(x, f"{type(self).__name__}.adapt")
        if not self.built:
            self.build((None, *x.shape[1:]))
        elif self.mean.shape[0] != mean.shape[0]:
            raise ValueError(
                f"{type(self).__name__} was built for {self.mean.shape[0]} features per sample; "
                f"this data has {mean.shape[0]} ({x.shape[1:]}). Adapt a new layer to it."
            )
        self.mean.assign(mean.astype(np.float32))
        self.projection.assign(self._projection(eigenvalues, eigenvectors).astype(np.float32))

    def call(self, inputs):
        x = ops.reshape(ops.cast(inputs, self.compute_dtype), (ops.shape(inputs)[0], -1))
        return ops.matmul(x - self.mean, self.projection)


@keras.saving.register_keras_serializable(package="classiczoo")
class PCAWhitening(_Whitening):
    """`x -> (x - mean) U / sqrt(lambda + epsilon)`: decorrelated, unit-variance components.

    The output is a flat vector of the principal components, largest variance first
    (`num_components` of them, or all). CS231n, "Data preprocessing".

    Args:
        num_components: keep the first K components (None: all D).
        epsilon: added to the eigenvalues; bounds the gain of near-zero-variance directions.

    Example:
    >>> x_train = np.random.default_rng(0).normal(size=(500, 100)).astype("float32")
    >>> pca = PCAWhitening(num_components=64)
    >>> pca.adapt(x_train)
    >>> tuple(pca(x_train[:2]).shape)
    (2, 64)
    """

    def __init__(self, num_components: int | None = None, epsilon: float = 1e-5, **kwargs):
        super().__init__(epsilon=epsilon, **kwargs)
        if num_components is not None:
            POSITIVE_INT.check("num_components", num_components)
            num_components = int(num_components)
        self.num_components = num_components

    def get_config(self):
        return {**super().get_config(), "num_components": self.num_components}

    def _components(self, features: int) -> int:
        return min(self.num_components or features, features)

    def _projection(self, eigenvalues, eigenvectors):
        k = self.projection.shape[1]
        return eigenvectors[:, :k] / np.sqrt(eigenvalues[:k] + self.epsilon)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self._components(int(np.prod(input_shape[1:]))))


@keras.saving.register_keras_serializable(package="classiczoo")
class ZCAWhitening(_Whitening):
    """`x -> (x - mean) U diag(1/sqrt(lambda + epsilon)) U^T`, back in the input's shape.

    Whitened like PCA, then rotated back, so the result stays closest to the original image
    (Bell & Sejnowski 1997); the output has the input's shape.

    Args:
        epsilon: added to the eigenvalues (the usual regularizer; larger keeps more contrast).

    Example:
    >>> x_train = np.random.default_rng(0).normal(size=(500, 10)).astype("float32")
    >>> zca = ZCAWhitening(epsilon=0.1)
    >>> zca.adapt(x_train)
    >>> tuple(zca(x_train[:2]).shape)
    (2, 10)
    """

    def _projection(self, eigenvalues, eigenvectors):
        return (eigenvectors / np.sqrt(eigenvalues + self.epsilon)) @ eigenvectors.T

    def call(self, inputs):
        return ops.reshape(super().call(inputs), ops.shape(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape
