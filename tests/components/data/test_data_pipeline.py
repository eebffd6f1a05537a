"""The tfds loader and input pipeline, on tfds mock data and small generated datasets."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from components.data import Preprocessing, load_image_classification, make_pipeline
from components.data.pipeline import preprocess_images


def _images(n=64, shape=(8, 8, 3), seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, *shape), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n).astype(np.int64)
    return images, labels


def _dataset(images, labels):
    return tf.data.Dataset.from_tensor_slices((images, labels))


def test_mock_cifar10_loads_with_validation_split(tmp_path):
    with tfds.testing.mock_data(num_examples=50):
        data = load_image_classification("cifar10", data_dir=tmp_path, val_split=0.2)
        assert (data.num_train, data.num_validation, data.num_test) == (40, 10, 50)
        assert data.image_shape == (32, 32, 3)
        assert len(data.class_names) == 10
        train = np.stack([x for x, _ in data.train.as_numpy_iterator()])
        val = np.stack([x for x, _ in data.validation.as_numpy_iterator()])
        assert train.dtype == np.uint8 and train.shape == (40, 32, 32, 3)
        # The validation examples are held out: none of them appears in train.
        train_keys = {x.tobytes() for x in train}
        assert not any(x.tobytes() in train_keys for x in val)


def test_unknown_dataset_suggests_names():
    with pytest.raises(ValueError, match="fashion_mnist") as info:
        load_image_classification("fasion_mnist")
    assert "Did you mean" in str(info.value)


def test_bad_val_split_is_refused():
    with pytest.raises(ValueError, match=r"val_split must be in \[0, 1\)"):
        load_image_classification("mnist", val_split=1.0)


def test_preprocessing_fit_matches_numpy():
    images, labels = _images()
    prep = Preprocessing.fit(_dataset(images, labels))
    pixels = images.reshape(-1, 3) / 255.0
    np.testing.assert_allclose(prep.mean, pixels.mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(prep.std, pixels.std(axis=0), rtol=1e-9)


def test_preprocessing_round_trips_and_validates():
    prep = Preprocessing(mean=(0.5,), std=(0.25,), resize=(16, 16))
    assert Preprocessing.from_dict(prep.to_dict()) == prep
    with pytest.raises(ValueError, match="std must be finite and positive"):
        Preprocessing(mean=(0.5,), std=(0.0,))
    with pytest.raises(ValueError, match="resize"):
        Preprocessing(mean=(0.5,), std=(1.0,), resize=(0, 4))


def test_eval_pipeline_values_and_order():
    images, labels = _images(n=50)
    prep = Preprocessing(mean=(0.1, 0.2, 0.3), std=(0.5, 0.6, 0.7))
    batches = list(make_pipeline(_dataset(images, labels), prep, batch_size=16, training=False))
    assert [b[0].shape[0] for b in batches] == [16, 16, 16, 2]
    got = np.concatenate([b[0].numpy() for b in batches])
    expected = (images / 255.0 - np.array(prep.mean)) / np.array(prep.std)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-6)
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), labels)


@pytest.mark.parametrize("budget", [None, 0])  # 0: caches raw images, preprocesses per batch
def test_train_pipeline_shuffles_each_epoch(budget):
    images, labels = _images(n=40)
    labels = np.arange(40, dtype=np.int64)  # unique, to follow the order
    prep = Preprocessing(mean=(0.0,) * 3, std=(1.0,) * 3)
    kwargs = {} if budget is None else {"cache_budget_bytes": budget}
    pipeline = make_pipeline(
        _dataset(images, labels), prep, batch_size=8, training=True, seed=1, **kwargs
    )
    epochs = [np.concatenate([y.numpy() for _, y in pipeline]) for _ in range(2)]
    assert sorted(epochs[0]) == sorted(epochs[1]) == list(range(40))
    assert not np.array_equal(epochs[0], epochs[1])
    assert not np.array_equal(epochs[0], np.arange(40))
    # Images stay paired with their labels.
    for x, y in pipeline:
        np.testing.assert_allclose(x.numpy(), images[y.numpy()] / 255.0, atol=1e-6)


def test_resize_in_pipeline_and_same_math_as_serving():
    images, labels = _images(n=4, shape=(28, 28, 1))
    prep = Preprocessing(mean=(0.3,), std=(0.4,), resize=(32, 32))
    x, _ = next(iter(make_pipeline(_dataset(images, labels), prep, batch_size=4, training=False)))
    assert x.shape == (4, 32, 32, 1)
    direct = preprocess_images(tf.constant(images, tf.float32), prep)
    np.testing.assert_allclose(x.numpy(), direct.numpy(), atol=1e-6)


def test_bad_batch_size_is_refused():
    images, labels = _images(n=4)
    prep = Preprocessing(mean=(0.0,) * 3, std=(1.0,) * 3)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        make_pipeline(_dataset(images, labels), prep, batch_size=0, training=False)


def test_alternating_flip_in_the_epoch_indexed_pipeline_mirrors_each_image_once_in_two_epochs():
    """altflip gets each image's place and the batch's epoch from the pipeline: over epochs 0
    and 1 every image reaches the model once as it is and once mirrored (checked against
    NumPy's normalization of the raw image and of its mirror), about half mirrored in each."""
    from components.data import Augmenter

    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (40, 8, 8, 1), dtype=np.uint8)
    labels = np.arange(40) % 10  # with the image's place below: which image a row is
    prep = Preprocessing(mean=(0.4,), std=(0.3,))
    train = make_pipeline(
        tf.data.Dataset.from_tensor_slices((images, labels)),
        prep,
        batch_size=16,
        training=True,
        seed=5,
        augment=Augmenter(("altflip",), (8, 8, 1), seed=5),
        epochs=(0, 2),
    )

    def normalized(x):
        return (x.astype(np.float32) / 255.0 - 0.4) / 0.3

    mirrored = {0: set(), 1: set()}
    batches_per_epoch = 3  # 40 images in batches of 16
    for step, (x, _) in enumerate(train):
        epoch = step // batches_per_epoch
        for row in x.numpy():
            plain = [i for i in range(40) if np.allclose(row, normalized(images[i]), atol=1e-5)]
            flipped = [
                i for i in range(40) if np.allclose(row, normalized(images[i][:, ::-1]), atol=1e-5)
            ]
            assert len(plain) + len(flipped) == 1  # exactly one image, as it is or mirrored
            if flipped:
                mirrored[epoch].add(flipped[0])
    assert mirrored[0].isdisjoint(mirrored[1])
    assert len(mirrored[0]) + len(mirrored[1]) == 40  # each image mirrored in exactly one
    assert 10 <= len(mirrored[0]) <= 30  # a random half, roughly
