from __future__ import annotations

import numpy as np
import pytest

from components.layers import Maxout
from tests.components.layers.layer_checks import check_layer

pytestmark = pytest.mark.backends  # runs in the JAX pass too


def test_layer_contract_and_values(tmp_path):
    layer, y = check_layer(lambda: Maxout(4), (3, 5, 12), (3, 5, 4), tmp_path)
    x = np.random.default_rng(0).normal(size=(3, 5, 12)).astype("float32")
    np.testing.assert_allclose(y, x.reshape(3, 5, 4, 3).max(axis=-1))


def test_maxout_of_x_and_zero_is_relu():
    x = np.random.default_rng(1).normal(size=(10, 6)).astype("float32")
    pieces = np.stack([x, np.zeros_like(x)], axis=-1).reshape(10, 12)
    np.testing.assert_allclose(np.asarray(Maxout(6)(pieces)), np.maximum(x, 0))


def test_bad_arguments():
    with pytest.raises(ValueError, match="num_units must be a positive integer"):
        Maxout(0)
    with pytest.raises(ValueError, match=r"multiple of 4; got input shape \(None, 10\)"):
        Maxout(4).build((None, 10))
