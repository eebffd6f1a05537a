"""ImageNormalization: a run's normalization as a layer, and the model of raw images a run's
`.keras` file holds."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.data.preprocessing import Preprocessing
from components.layers import ImageNormalization, split_normalization, with_normalization
from tests.components.layers.layer_checks import check_layer

pytestmark = pytest.mark.backends  # runs in the JAX pass too

MEAN, STD = (0.29, 0.41, 0.52), (0.35, 0.2, 0.3)


def test_the_keras_layer_conventions(tmp_path):
    check_layer(lambda: ImageNormalization(MEAN, STD), (4, 6, 6, 3), (4, 6, 6, 3), tmp_path)
    resizing = lambda: ImageNormalization(MEAN, STD, resize=(8, 10))  # noqa: E731
    check_layer(resizing, (2, 6, 6, 3), (2, 8, 10, 3), tmp_path)


def test_it_computes_the_normalization_numpy_computes():
    pixels = np.random.default_rng(0).integers(0, 256, (5, 7, 7, 3)).astype(np.uint8)
    layer = ImageNormalization(MEAN, STD)
    got = keras.ops.convert_to_numpy(layer(pixels))  # uint8 in, float32 out
    expected = (pixels.astype(np.float64) / 255.0 - np.array(MEAN)) / np.array(STD)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_it_stays_float32_under_mixed_precision():
    policy = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        out = ImageNormalization(MEAN, STD)(np.full((1, 2, 2, 3), 255, np.uint8))
    finally:
        keras.mixed_precision.set_dtype_policy(policy)
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


def test_bad_statistics_are_refused():
    with pytest.raises(ValueError, match="std must be finite and positive"):
        ImageNormalization((0.5,), (0.0,))
    with pytest.raises(ValueError, match="differ in length"):
        ImageNormalization((0.5, 0.5), (0.2,))


def test_a_model_of_raw_images_saves_and_splits_back(tmp_path):
    net = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    preprocessing = Preprocessing(mean=(0.3,), std=(0.2,))
    raw = with_normalization(net, preprocessing, (6, 6, 1))
    pixels = np.random.default_rng(1).integers(0, 256, (4, 6, 6, 1)).astype(np.uint8)
    normalized = ((pixels / 255.0 - 0.3) / 0.2).astype(np.float32)
    expected = keras.ops.convert_to_numpy(net(normalized))
    raw.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(reloaded.predict(pixels, verbose=0), expected, atol=1e-5)
    inner, carried = split_normalization(reloaded)
    assert carried == preprocessing
    np.testing.assert_allclose(inner.predict(normalized, verbose=0), expected, atol=1e-5)
    assert split_normalization(net) == (net, None)  # a model without the layer
