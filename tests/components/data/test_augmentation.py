"""Augmentation: Keras's layers in the training pipeline only, policies by name."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from components.data import Augmenter, Preprocessing, make_pipeline, parse_augment
from components.data.augmentation import POLICIES, crop_padding, needs_soft_labels

PREP = Preprocessing(mean=(0.3,), std=(0.4,))


def _dataset(n=64, shape=(28, 28, 1)):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, *shape), dtype=np.uint8)
    images[:, :, : shape[1] // 2] = 0  # left half black: a mirror image is told apart
    return tf.data.Dataset.from_tensor_slices((images, np.arange(n) % 10))


@pytest.mark.parametrize(
    "text,steps",
    [
        ("none", ()),
        ("flip", ("flip",)),
        ("standard", ("flip", "crop")),
        ("erasing,standard", ("flip", "crop", "erasing")),
        ("crop, mixup", ("crop", "mixup")),
        ("cutmix", ("cutmix",)),
    ],
)
def test_policies_by_name(text, steps):
    assert parse_augment(text) == steps


@pytest.mark.parametrize(
    "text,message",
    [
        ("rotate", "unknown augmentation 'rotate'; valid: none, flip, crop, standard"),
        ("flip,none", "'none' cannot be combined"),
        ("mixup,cutmix", "choose one of mixup and cutmix"),
        (" , ", "unknown augmentation ' , '"),
    ],
)
def test_bad_policies_are_refused_with_the_valid_ones(text, message):
    with pytest.raises(ValueError, match=message):
        parse_augment(text)


def test_every_named_policy_parses():
    for name in POLICIES:
        parse_augment(name)


def test_augmented_batches_differ_between_epochs_and_plain_ones_do_not():
    plain = make_pipeline(_dataset(), PREP, batch_size=32, training=False)
    augmented = make_pipeline(
        _dataset(), PREP, batch_size=32, training=False,
        augment=Augmenter(parse_augment("standard,erasing"), (28, 28, 1), seed=0),
    )  # fmt: skip
    first, second = (np.concatenate([x for x, _ in augmented.as_numpy_iterator()]) for _ in "ab")
    assert not np.allclose(first, second)  # new random draws every epoch
    reference = np.concatenate([x for x, _ in plain.as_numpy_iterator()])
    again = np.concatenate([x for x, _ in plain.as_numpy_iterator()])
    np.testing.assert_array_equal(reference, again)
    assert first.shape == reference.shape
    # Augmented pixels are normalized after the augmentation, as the plain ones are.
    assert abs(first.mean() - reference.mean()) < 0.5 and 0.5 < first.std() < 2.0


def test_per_batch_seeds_repeat_an_epochs_augmentation_after_a_restart():
    def pipeline():
        return make_pipeline(
            _dataset(), PREP, batch_size=32, training=True, seed=5,
            augment=Augmenter(parse_augment("standard,erasing"), (28, 28, 1), seed=0),
            augment_seed=5,
        )  # fmt: skip

    def epoch(dataset):
        return np.concatenate([x for x, _ in dataset.as_numpy_iterator()])

    uninterrupted = pipeline()
    epochs = [epoch(uninterrupted) for _ in range(3)]
    assert not np.allclose(epochs[1], epochs[2])  # new draws (and order) every epoch
    restarted = pipeline()  # a new process: its generators start afresh
    for _ in range(2):
        iter(restarted)  # the replay of two finished epochs, as the loop does on resume
    np.testing.assert_array_equal(epoch(restarted), epochs[2])


def test_flip_mirrors_and_crop_shifts_with_black_borders():
    images = np.full((16, 28, 28, 1), 200.0, np.float32)
    images[:, :, :14] = 0.0
    flip = Augmenter(("flip",), (28, 28, 1), seed=1)
    flipped, _ = flip(tf.constant(images), tf.zeros(16, tf.int64))
    flipped = flipped.numpy()
    mirrored = [np.array_equal(f, images[0][:, ::-1]) for f in flipped]
    unchanged = [np.array_equal(f, images[0]) for f in flipped]
    assert all(m or u for m, u in zip(mirrored, unchanged, strict=True))
    assert 0 < sum(mirrored) < 16  # half of them, more or less
    crop = Augmenter(("crop",), (28, 28, 1), seed=2)
    shifted, _ = crop(tf.constant(np.full((16, 28, 28, 1), 255.0, np.float32)), tf.zeros(16))
    shifted = shifted.numpy()
    assert shifted.shape == (16, 28, 28, 1) and set(np.unique(shifted)) <= {0.0, 255.0}
    black_rows = (shifted == 0).all(axis=(2, 3)).sum(axis=1)  # per image: all-black rows
    assert black_rows.max() <= crop_padding((28, 28, 1)) and black_rows.max() > 0
    # Each image its own shift (Keras's RandomCrop would shift the whole batch alike).
    white = shifted[..., 0] > 0
    windows = {
        (*np.flatnonzero(w.any(axis=1))[[0, -1]], *np.flatnonzero(w.any(axis=0))[[0, -1]])
        for w in white
    }
    assert len(windows) > 4


def test_mixing_gives_target_labels_that_sum_to_one():
    assert needs_soft_labels(parse_augment("mixup")) and needs_soft_labels((), 0.1)
    assert not needs_soft_labels(parse_augment("standard"))
    pipeline = make_pipeline(
        _dataset(), PREP, batch_size=32, training=True, seed=0, one_hot_classes=10,
        augment=Augmenter(parse_augment("cutmix"), (28, 28, 1), seed=0),
    )  # fmt: skip
    _, labels = next(iter(pipeline))
    assert labels.shape == (32, 10)
    np.testing.assert_allclose(labels.numpy().sum(axis=1), 1.0, atol=1e-5)
    assert (labels.numpy().max(axis=1) < 1.0).any()  # some are mixed


def test_only_the_training_part_is_augmented(fashion_mnist_data_dir):
    from components.data import load_normalized

    data = load_normalized(
        "fashion_mnist", data_dir=fashion_mnist_data_dir, train_split="train[:256]",
        test_split="test[:64]",
    )  # fmt: skip
    assert data.pipeline("train", 64, augment="standard") is not None
    for part in ("validation", "test"):
        with pytest.raises(ValueError, match="for the training part only"):
            data.pipeline(part, 64, augment="flip")


@pytest.mark.parametrize("augment_seed", [None, 5], ids=["running-generators", "seed-per-batch"])
def test_augmented_batches_reach_the_model_normalized_as_serving_normalizes(augment_seed):
    # The independent truth is NumPy's `(pixels * scale - mean) / std` of the raw image or of
    # its mirror: whatever the seeding, a flipped batch must be what serving would compute.
    images = np.stack([image for image, _ in _dataset().as_numpy_iterator()]).astype(np.float32)
    expected = (images * PREP.scale - np.array(PREP.mean)) / np.array(PREP.std)
    mirrored = expected[:, :, ::-1]
    pipeline = make_pipeline(
        _dataset(), PREP, batch_size=32, training=False,
        augment=Augmenter(parse_augment("flip"), (28, 28, 1), seed=0), augment_seed=augment_seed,
    )  # fmt: skip
    seen = np.concatenate([x for x, _ in pipeline.as_numpy_iterator()])
    as_is = np.isclose(seen, expected, atol=1e-5).all(axis=(1, 2, 3))
    flipped = np.isclose(seen, mirrored, atol=1e-5).all(axis=(1, 2, 3))
    assert (as_is | flipped).all(), "an image reached the model other than serving computes it"
    assert as_is.any() and flipped.any()


@pytest.mark.parametrize(
    "text,steps,message",
    [
        ("altflip,translate", ("altflip", "translate"), None),
        ("translate,erasing,altflip", ("altflip", "translate", "erasing"), None),
        ("flip,altflip", None, "choose one of flip and altflip, not both"),
        ("standard,translate", None, "choose one of crop and translate, not both"),
    ],
)
def test_airbench_policies_parse_and_exclude_their_twins(text, steps, message):
    if message is None:
        assert parse_augment(text) == steps
    else:
        with pytest.raises(ValueError, match=message):
            parse_augment(text)


def _shift(image, dy, dx):
    """NumPy's shift of `image` by (dy, dx) whole pixels, black where nothing came in."""
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def test_translate_shifts_each_image_by_up_to_2_pixels_with_black_borders():
    rng = np.random.default_rng(0)
    images = rng.uniform(1.0, 255.0, size=(96, 12, 10, 1)).astype(np.float32)  # no black pixel
    augment = Augmenter(parse_augment("translate"), (12, 10, 1), seed=3)
    shifted, _ = augment(tf.constant(images), tf.zeros(96, tf.int64), seed=tf.constant([4, 5]))
    shifted = shifted.numpy()
    found = []
    for image, out in zip(images, shifted, strict=True):
        matches = [
            (dy, dx)
            for dy in range(-3, 4)
            for dx in range(-3, 4)
            if np.array_equal(out, _shift(image, dy, dx))
        ]
        assert len(matches) == 1, "an output is no whole-pixel shift of its image"
        found.append(matches[0])
    found = np.array(found)
    assert np.abs(found).max() <= 2
    for axis in (0, 1):  # every amount, about equally often (airbench's randint(-2, 3))
        counts = np.bincount(found[:, axis] + 2, minlength=5)
        assert counts.min() >= 8, counts
    again, _ = augment(tf.constant(images), tf.zeros(96, tf.int64), seed=tf.constant([4, 5]))
    np.testing.assert_array_equal(again.numpy(), shifted)  # the batch's seed decides
    assert augment.describe() == "RandomTranslation(-2..2 px, black borders)"


def test_altflip_in_tf_data_mirrors_by_epoch_and_index():
    # What the pipeline passes: each image's index, numbered by enumerate() before the
    # shuffle, and the epoch, a constant of that epoch's dataset.
    from components.data.alternating_flip import alternating_flip_mask

    images = np.stack([x for x, _ in _dataset(40).as_numpy_iterator()]).astype(np.float32)
    augment = Augmenter(parse_augment("altflip,translate"), (28, 28, 1), seed=2)

    def epoch_batches(epoch):
        def augmented(index, example):
            batch_seed = tf.stack([tf.constant(epoch, tf.int64), index[0]])
            x, _ = augment(
                tf.cast(example[0], tf.float32), example[1], seed=batch_seed,
                epoch=epoch, indices=index,
            )  # fmt: skip
            return index, x

        return _dataset(40).enumerate().shuffle(40, seed=epoch).batch(16).map(augmented)

    for epoch in (0, 1):
        for index, seen in epoch_batches(epoch).as_numpy_iterator():
            mirrored = np.asarray(alternating_flip_mask(index, epoch, 2 + 5))  # seed + offset
            for i, flipped, out in zip(index, mirrored, seen, strict=True):
                source = images[i][:, ::-1] if flipped else images[i]
                # The translation follows the flip: out is a shift of the (mirrored) image.
                assert any(
                    np.array_equal(out, _shift(source, dy, dx))
                    for dy in range(-2, 3)
                    for dx in range(-2, 3)
                ), f"image {i} in epoch {epoch}"
