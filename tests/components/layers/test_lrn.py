from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from components.layers import LocalResponseNormalization
from tests.components.layers.layer_checks import check_layer

pytestmark = pytest.mark.backends  # runs in the JAX pass too


def numpy_lrn(x, r, k, alpha, beta):
    out = np.empty_like(x)
    channels = x.shape[-1]
    for c in range(channels):
        lo, hi = max(0, c - r), min(channels, c + r + 1)
        out[..., c] = x[..., c] / (k + alpha * np.sum(x[..., lo:hi] ** 2, axis=-1)) ** beta
    return out


def test_layer_contract(tmp_path):
    check_layer(
        lambda: LocalResponseNormalization(2, 2.0, 1e-4, 0.75),
        (2, 5, 5, 7),
        (2, 5, 5, 7),
        tmp_path,
    )


@pytest.mark.parametrize("r,k,alpha,beta", [(2, 2.0, 1e-4, 0.75), (1, 1.0, 0.5, 0.5)])
def test_values_against_numpy_and_tensorflow(r, k, alpha, beta):
    x = np.random.default_rng(0).normal(scale=3.0, size=(2, 4, 4, 9)).astype("float32")
    got = np.asarray(LocalResponseNormalization(r, k, alpha, beta)(x))
    np.testing.assert_allclose(got, numpy_lrn(x, r, k, alpha, beta), rtol=1e-5)
    reference = tf.nn.local_response_normalization(
        x, depth_radius=r, bias=k, alpha=alpha, beta=beta
    )
    np.testing.assert_allclose(got, reference.numpy(), rtol=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="depth_radius must be an integer >= 0"):
        LocalResponseNormalization(depth_radius=-1)
    with pytest.raises(ValueError, match="bias must be a finite positive number"):
        LocalResponseNormalization(bias=0.0)
