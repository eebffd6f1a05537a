from __future__ import annotations

import keras
import numpy as np
import pytest

from components.layers import PCAWhitening, Standardization, ZCAWhitening
from tests.components.layers.layer_checks import check_layer

pytestmark = pytest.mark.backends  # runs in the JAX pass too

RNG = np.random.default_rng(0)
DATA = (RNG.normal(size=(400, 3, 3, 2)) @ RNG.normal(size=(2, 2)) + 2.0).astype("float32")


def _adapted(cls, **kwargs):
    layer = cls(**kwargs)
    layer.adapt(DATA)
    return layer


def test_zca_against_numpy_and_whitens():
    layer = _adapted(ZCAWhitening, epsilon=1e-3)
    x = DATA.reshape(400, -1).astype(np.float64)
    centered = x - x.mean(0)
    values, vectors = np.linalg.eigh(centered.T @ centered / len(x))
    expected = centered @ vectors @ np.diag(1 / np.sqrt(values + 1e-3)) @ vectors.T
    got = np.asarray(layer(DATA))
    assert got.shape == DATA.shape
    np.testing.assert_allclose(got.reshape(400, -1), expected, atol=1e-3)
    white = _adapted(ZCAWhitening, epsilon=1e-9)(DATA)
    covariance = np.cov(np.asarray(white).reshape(400, -1), rowvar=False, bias=True)
    np.testing.assert_allclose(covariance, np.eye(18), atol=2e-3)


def test_pca_keeps_the_largest_components_decorrelated():
    layer = _adapted(PCAWhitening, num_components=4, epsilon=1e-9)
    y = np.asarray(layer(DATA))
    assert y.shape == (400, 4)
    np.testing.assert_allclose(np.cov(y, rowvar=False, bias=True), np.eye(4), atol=1e-3)
    with pytest.raises(ValueError, match="num_components must be a positive integer"):
        PCAWhitening(num_components=0)


@pytest.mark.parametrize(
    "factory,out",
    [
        (lambda: _adapted(ZCAWhitening, epsilon=0.1), (4, 3, 3, 2)),
        (lambda: _adapted(PCAWhitening, num_components=5), (4, 5)),
    ],
)
def test_layer_contract(factory, out, tmp_path):
    # Config, .keras file and SavedModel all carry the adapted statistics.
    check_layer(factory, (4, 3, 3, 2), out, tmp_path)


def test_standardization_is_keras_normalization_per_channel():
    layer = Standardization(axis=-1)
    layer.adapt(DATA)
    y = np.asarray(layer(DATA))
    np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(y.std(axis=(0, 1, 2)), 1, atol=1e-3)
    assert Standardization is keras.layers.Normalization
