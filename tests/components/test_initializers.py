"""Dirac (identity) kernels against a NumPy loop and a NumPy convolution; serialization."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.initializers import INITIALIZERS, Dirac, get_initializer, layer_initializer

pytestmark = pytest.mark.backends  # runs in the JAX pass too


def numpy_dirac(shape):
    """PyTorch's `nn.init.dirac_` rule, in Keras's kernel layout, one entry at a time."""
    kernel = np.zeros(shape, np.float32)
    centre = tuple(d // 2 for d in shape[:-2])
    for i in range(min(shape[-2], shape[-1])):
        kernel[centre + (i, i)] = 1.0
    return kernel


@pytest.mark.parametrize(
    "shape", [(3, 3, 4, 4), (3, 3, 4, 6), (3, 3, 6, 4), (5, 2, 3), (2, 2, 3, 3), (4, 4)]
)
def test_dirac_kernels_match_the_numpy_rule(shape):
    got = keras.ops.convert_to_numpy(Dirac()(shape))
    np.testing.assert_array_equal(got, numpy_dirac(shape))
    assert got.dtype == np.float32


def test_a_dirac_convolution_copies_its_input_channels():
    x = np.random.default_rng(0).normal(size=(2, 7, 7, 4)).astype("float32")
    conv = keras.layers.Conv2D(4, 3, padding="same", kernel_initializer=Dirac())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(conv(x)), x, atol=1e-6)
    wider = keras.layers.Conv2D(6, 3, padding="same", use_bias=False, kernel_initializer=Dirac())
    out = keras.ops.convert_to_numpy(wider(x))
    np.testing.assert_allclose(out[..., :4], x, atol=1e-6)
    np.testing.assert_array_equal(out[..., 4:], 0.0)


def test_the_remainder_fills_the_outputs_beyond_the_identity():
    shape = (3, 3, 4, 10)
    seeded = keras.initializers.HeNormal(seed=3)
    got = keras.ops.convert_to_numpy(Dirac(remainder=seeded)(shape))
    drawn = keras.ops.convert_to_numpy(keras.initializers.HeNormal(seed=3)(shape))
    np.testing.assert_array_equal(got[..., :4], numpy_dirac(shape)[..., :4])
    np.testing.assert_array_equal(got[..., 4:], drawn[..., 4:])
    # Equal channel counts: the remainder is never drawn.
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(Dirac(remainder="he_normal")((3, 3, 4, 4))),
        numpy_dirac((3, 3, 4, 4)),
    )


def test_dirac_by_name_and_refusals():
    assert "dirac" in INITIALIZERS
    named = get_initializer("dirac", seed=1)
    assert isinstance(named, Dirac) and isinstance(named.remainder, keras.initializers.HeNormal)
    assert isinstance(layer_initializer("dirac"), Dirac)
    with pytest.raises(ValueError, match=r"shape \(\*spatial, in, out\), got shape \(5,\)"):
        Dirac()((5,))


def test_dirac_config_round_trip_and_keras_file(tmp_path):
    initializer = Dirac(remainder=keras.initializers.HeNormal(seed=7))
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(initializer)
    )
    assert type(restored) is Dirac and restored.get_config() == initializer.get_config()
    assert Dirac.from_config(Dirac().get_config()).remainder is None

    inputs = keras.Input((8, 8, 2))
    x = keras.layers.Conv2D(2, 3, padding="same", kernel_initializer=Dirac(), name="ident")(inputs)
    x = keras.layers.Conv2D(3, 3, padding="same", kernel_initializer=initializer)(x)
    model = keras.Model(inputs, x)
    model.save(tmp_path / "dirac.keras")
    reloaded = keras.saving.load_model(tmp_path / "dirac.keras")  # no custom_objects
    layer = reloaded.get_layer("ident")
    assert isinstance(layer.kernel_initializer, Dirac)
    batch = np.random.default_rng(1).normal(size=(2, 8, 8, 2)).astype("float32")
    np.testing.assert_allclose(reloaded.predict(batch, verbose=0), model.predict(batch, verbose=0))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(layer.kernel), numpy_dirac((3, 3, 2, 2))
    )
