"""The alternating flip: which images are mirrored in each epoch, against NumPy; a pure
function of (seed, epoch, index), whatever the batch; the layer's config; in `Augmenter`."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.data import Augmenter, parse_augment
from components.data.alternating_flip import AlternatingFlip, _seed_key, alternating_flip_mask

pytestmark = pytest.mark.backends  # runs in the JAX pass too

MODULUS = 2**31 - 1


def numpy_mask(indices, epoch, seed):
    """The documented hash in NumPy's int64 (the MINSTD product taken directly, not by
    Schrage's int32 method as the module does), XOR the epoch's parity."""
    x = (np.asarray(indices, np.int64) ^ _seed_key(seed)) % (MODULUS - 1) + 1
    for _ in range(3):
        x = x * 48271 % MODULUS
        x = (x ^ (x >> 16)) % (MODULUS - 1) + 1
    return (x >= 2**30) ^ (epoch % 2 == 1)


def _mask(indices, epoch, seed):
    return keras.ops.convert_to_numpy(alternating_flip_mask(np.asarray(indices), epoch, seed))


@pytest.mark.parametrize("seed", [0, 7, 2**40 + 3])
def test_the_mask_is_numpys_and_alternates_between_epochs(seed):
    indices = np.concatenate([np.arange(5000), [MODULUS - 2, 123_456_789]])
    epochs = [_mask(indices, epoch, seed) for epoch in range(4)]
    for epoch, mask in enumerate(epochs):
        np.testing.assert_array_equal(mask, numpy_mask(indices, epoch, seed))
    assert 0.47 < epochs[0][:5000].mean() < 0.53  # a random half in epoch 0
    np.testing.assert_array_equal(epochs[1], ~epochs[0])  # every image seen both ways
    np.testing.assert_array_equal(epochs[2], epochs[0])
    np.testing.assert_array_equal(epochs[3], epochs[1])


def test_the_half_depends_on_the_seed_and_not_on_the_batch():
    indices = np.arange(4000)
    a, b = _mask(indices, 0, seed=1), _mask(indices, 0, seed=2)
    assert 0.45 < (a == b).mean() < 0.55  # another seed, another half
    # Any order, any batch: an image's fate is its own.
    order = np.random.default_rng(0).permutation(4000)
    np.testing.assert_array_equal(_mask(order[:37], 0, 1), a[order[:37]])
    # Neighbouring indices are not correlated (the hash is not a stride pattern).
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.05


def test_the_layer_mirrors_exactly_the_masked_images():
    rng = np.random.default_rng(0)
    images = rng.normal(size=(16, 5, 6, 2)).astype("float32")
    indices = rng.choice(10_000, 16, replace=False)
    layer = AlternatingFlip(seed=3)
    for epoch in (0, 1, 6):
        out = keras.ops.convert_to_numpy(layer(images, indices=indices, epoch=epoch))
        expected = np.where(
            numpy_mask(indices, epoch, 3)[:, None, None, None], images[:, :, ::-1], images
        )
        np.testing.assert_array_equal(out, expected)
    as_is = layer(images, indices=indices, epoch=1, training=False)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(as_is), images)


def test_the_layer_config_round_trips():
    layer = AlternatingFlip(seed=11, name="altflip")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is AlternatingFlip and restored.get_config() == layer.get_config()
    assert restored.seed == 11
    with pytest.raises(ValueError, match="seed must be an integer, got 1.5"):
        AlternatingFlip(seed=1.5)


def test_the_augmenter_needs_the_epoch_and_the_indices():
    images = np.random.default_rng(1).normal(size=(8, 4, 4, 1)).astype("float32")
    labels = np.zeros(8, "int64")
    augment = Augmenter(parse_augment("altflip"), (4, 4, 1), seed=4)
    assert augment.needs_epoch and not Augmenter(("flip",), (4, 4, 1)).needs_epoch
    indices = np.arange(100, 108)
    out, _ = augment(images, labels, epoch=1, indices=indices)
    expected = np.where(
        numpy_mask(indices, 1, 4 + 5)[:, None, None, None], images[:, :, ::-1], images
    )  # the Augmenter seeds altflip with seed + 5 (components.data.augmentation.SEED_OFFSETS)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(out), expected)
    with pytest.raises(ValueError, match="needs each batch's epoch and its images' indices"):
        augment(images, labels)
    assert augment.describe().startswith("AlternatingFlip(")
