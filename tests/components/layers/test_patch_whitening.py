"""Patch whitening: the convolution's outputs on the training patches have identity covariance
(checked with NumPy's own patches and covariance); the initializer in `.keras` files; freezing."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.layers import PatchWhitening, patch_whitening_kernel, whiten_convolution

pytestmark = pytest.mark.backends  # runs in the JAX pass too


def _images(n=48, size=9, channels=2, seed=0):
    """Correlated pixels: neighbours and channels mixed, an offset per channel."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, size + 1, size + 1, channels))
    x = x[:, 1:, 1:] + 0.8 * x[:, :-1, 1:] + 0.5 * x[:, 1:, :-1]  # smooth: neighbours correlate
    return (x @ np.array([[1.0, 0.6], [0.0, 0.5]])[:channels, :channels] + 0.3).astype("float32")


def numpy_patches(images, p):
    """Every p x p patch (stride 1), flattened in (row, column, channel) order, by loops."""
    n, h, w, _ = images.shape
    return np.array(
        [images[k, i : i + p, j : j + p].reshape(-1) for k in range(n)
         for i in range(h - p + 1) for j in range(w - p + 1)],
        np.float64,
    )  # fmt: skip


def _outputs(conv, images):
    return keras.ops.convert_to_numpy(conv(images)).reshape(-1, conv.filters).astype(np.float64)


@pytest.mark.parametrize("patch_size", [2, 3])
def test_the_convolution_whitens_the_patches(patch_size):
    images, epsilon = _images(), 1e-6
    kernel = patch_whitening_kernel(images, patch_size, epsilon)
    dim = patch_size * patch_size * 2
    assert kernel.shape == (patch_size, patch_size, 2, 2 * dim)
    conv = keras.layers.Conv2D(2 * dim, patch_size, use_bias=False)
    conv.build(images.shape)
    conv.kernel.assign(kernel)
    outputs = _outputs(conv, images)
    # NumPy's patches, covariance and eigenvalues, independently of the module.
    patches = numpy_patches(images, patch_size)
    eigenvalues = np.linalg.eigvalsh(np.cov(patches, rowvar=False, bias=True))[::-1]
    covariance = np.cov(outputs[:, :dim], rowvar=False, bias=True)
    np.testing.assert_allclose(
        covariance, np.diag(eigenvalues / (eigenvalues + epsilon)), atol=1e-4
    )
    np.testing.assert_allclose(covariance, np.eye(dim), atol=1e-3)
    np.testing.assert_allclose(outputs[:, dim:], -outputs[:, :dim], atol=1e-5)  # the +/- pairs
    # The components come largest variance first: each filter's gain grows.
    gains = np.linalg.norm(kernel.reshape(dim, -1)[:, :dim], axis=0)
    assert np.all(np.diff(gains) > 0)


def test_whiten_convolution_sets_the_kernel_centres_the_outputs_and_freezes(tmp_path):
    images = _images()
    model = keras.Sequential(
        [keras.Input(images.shape[1:]), keras.layers.Conv2D(16, 2, name="whiten"),
         keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(3)]
    )  # fmt: skip
    conv = model.get_layer("whiten")
    whiten_convolution(conv, images, epsilon=1e-6)
    assert not conv.trainable and len(model.trainable_weights) == 2  # the Dense's only
    outputs = _outputs(conv, images)
    np.testing.assert_allclose(outputs.mean(axis=0), 0.0, atol=1e-4)  # the bias centres them
    np.testing.assert_allclose(
        np.cov(outputs[:, :8], rowvar=False, bias=True), np.eye(8), atol=1e-3
    )
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(conv.kernel), patch_whitening_kernel(images, 2, 1e-6)
    )
    # A training step leaves the frozen kernel as it was.
    before = keras.ops.convert_to_numpy(conv.kernel).copy()
    model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    model.fit(images, np.arange(len(images)) % 3, epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(conv.kernel), before)


def test_refusals_name_the_bad_value():
    images = _images()
    conv = keras.layers.Conv2D(10, 2)
    conv.build(images.shape)
    with pytest.raises(ValueError, match=r"needs 16 filters, shape \(2, 2, 2, 16\)"):
        whiten_convolution(conv, images)
    strided = keras.layers.Conv2D(16, 2, strides=2)
    strided.build(images.shape)
    with pytest.raises(ValueError, match=r"stride 1, got kernel_size \(2, 2\) and strides"):
        whiten_convolution(strided, images)
    with pytest.raises(ValueError, match="needs a built Conv2D"):
        whiten_convolution(keras.layers.Conv2D(16, 2), images)
    with pytest.raises(ValueError, match=r"images must be \[N, H, W, C\]"):
        patch_whitening_kernel(images[0])
    with pytest.raises(ValueError, match=r"patch_size must be in \[1, 9\]"):
        patch_whitening_kernel(images, 10)
    with pytest.raises(ValueError, match="epsilon must be positive"):
        patch_whitening_kernel(images, 2, 0.0)
    with pytest.raises(ValueError, match="at least 2 samples"):
        patch_whitening_kernel(images[:1, :2, :2], 2)
    with pytest.raises(ValueError, match=r"give the Conv2D 16 filters of size 2"):
        keras.layers.Conv2D(8, 2, kernel_initializer=PatchWhitening.from_images(images))(images)


def test_the_initializer_round_trips_and_reloads_from_a_keras_file(tmp_path):
    images = _images()
    initializer = PatchWhitening.from_images(images, epsilon=1e-4)
    config = keras.saving.serialize_keras_object(initializer)
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is PatchWhitening
    np.testing.assert_array_equal(restored.kernel, initializer.kernel)
    assert restored.get_config() == initializer.get_config()

    inputs = keras.Input(images.shape[1:])
    conv = keras.layers.Conv2D(16, 2, kernel_initializer=initializer, trainable=False)
    model = keras.Model(inputs, conv(inputs))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(conv.kernel), patch_whitening_kernel(images, 2, 1e-4)
    )
    model.save(tmp_path / "whiten.keras")
    reloaded = keras.saving.load_model(tmp_path / "whiten.keras")  # no custom_objects
    np.testing.assert_allclose(
        reloaded.predict(images, verbose=0), model.predict(images, verbose=0)
    )
    assert not reloaded.layers[-1].trainable
    assert isinstance(reloaded.layers[-1].kernel_initializer, PatchWhitening)
