"""BatchNorm settings: airbench's frozen scale and momentum 0.6, checked against NumPy's batch
statistics and moving averages; a `.keras` round trip keeps them."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.layers import BN_MOMENTUM, DEFAULT_BN, FAST_BN, BatchNormSettings

pytestmark = pytest.mark.backends  # runs in the JAX pass too


def test_the_fast_settings_freeze_the_scale_and_follow_numpys_moving_average():
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(16, 4, 4, 3)).astype("float32")
    layer = FAST_BN.layer(name="bn")
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    assert [w.name for w in layer.weights] == ["beta", "moving_mean", "moving_variance"]
    assert [w.name for w in layer.trainable_weights] == ["beta"]
    mean, variance = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))  # Keras: biased variance
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(variance + 1e-3), atol=1e-4)
    moving_mean = keras.ops.convert_to_numpy(layer.moving_mean)
    moving_variance = keras.ops.convert_to_numpy(layer.moving_variance)
    np.testing.assert_allclose(moving_mean, 0.6 * 0.0 + 0.4 * mean, rtol=1e-5)
    np.testing.assert_allclose(moving_variance, 0.6 * 1.0 + 0.4 * variance, rtol=1e-5)


def test_the_default_settings_are_the_zoos():
    layer = DEFAULT_BN.layer(name="bn")
    assert layer.momentum == BN_MOMENTUM and layer.scale and layer.center
    assert DEFAULT_BN.layer().get_config()["epsilon"] == 1e-3
    assert FAST_BN.layer(axis=1).axis == 1  # Keras's own arguments pass through


def test_settings_reload_from_a_keras_file(tmp_path):
    inputs = keras.Input((4, 4, 3))
    model = keras.Model(inputs, FAST_BN.layer(name="bn")(inputs))
    model.save(tmp_path / "bn.keras")
    config = keras.saving.load_model(tmp_path / "bn.keras").get_layer("bn").get_config()
    assert (config["momentum"], config["scale"], config["center"]) == (0.6, False, True)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"momentum": 1.0}, r"momentum must be in \[0, 1\), got 1.0"),
        ({"epsilon": 0.0}, "epsilon must be positive, got 0.0"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchNormSettings(**kwargs)
