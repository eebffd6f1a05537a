"""A layer test in Keras's manner (`keras/src/testing/test_case.py::run_layer_test`)."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def check_layer(layer_factory, input_shape, expected_output_shape, tmp_path, seed=0):
    """Builds, calls, round-trips config, `.keras` file and SavedModel, and takes a fit step.

    Returns the layer as used in the checks, and its output on the test input.
    """
    keras.utils.set_random_seed(seed)
    x = np.random.default_rng(seed).normal(size=input_shape).astype("float32")
    layer = layer_factory()

    # Eager call and declared output shape.
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == tuple(expected_output_shape)
    assert tuple(layer.compute_output_shape(input_shape)) == tuple(expected_output_shape)

    # Config round trip: the same config, and a clone computes the same after copying weights.
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    clone(x)
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(x)), y, atol=1e-6)

    # Symbolic use in a functional model, saved to and reloaded from a .keras file
    # (registered classes, so no custom_objects are needed).
    inputs = keras.Input(input_shape[1:])
    model = keras.Model(inputs, layer_factory()(inputs))
    expected = model.predict(x, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), expected, atol=1e-6)

    # Inside an exported SavedModel, run by TensorFlow alone (a SavedModel is written under
    # the TensorFlow backend; a JAX-trained layer gets there through its .keras file).
    if keras.backend.backend() == "tensorflow":
        export_dir = tmp_path / "exported"
        model.export(str(export_dir), verbose=False)
        loaded = tf.saved_model.load(str(export_dir))  # kept referenced: it owns the variables
        served = loaded.serve(tf.constant(x))
        np.testing.assert_allclose(served.numpy(), expected, atol=1e-5)

    # A training step in model.fit runs and, where the layer has weights, changes them.
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.fit(x, np.zeros_like(expected), epochs=1, batch_size=len(x), verbose=0)
    if model.trainable_weights:
        assert any(not np.allclose(b, a) for b, a in zip(before, model.get_weights(), strict=True))
    return layer, y
