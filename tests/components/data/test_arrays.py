"""NumPy data for runs on other backends: the IDX files read and checked, tfds-style splits,
and `ArrayBatches` (the epoch's order, a resume's tail, data-parallel sizes, normalization)."""

from __future__ import annotations

import numpy as np
import pytest

from components.data.array_batches import ArrayBatches
from components.data.arrays import (
    FASHION_MNIST_CLASS_NAMES,
    ArrayData,
    load_array_splits,
    load_fashion_mnist_arrays,
    select_split,
)
from components.data.preprocessing import Preprocessing
from tests.conftest import read_idx

pytestmark = pytest.mark.backends


def test_fashion_mnist_arrays_are_the_idx_files(fashion_mnist_files):
    arrays = load_fashion_mnist_arrays()
    x, y = arrays["train"]
    assert x.shape == (60_000, 28, 28, 1) and x.dtype == np.uint8
    np.testing.assert_array_equal(
        x[:100, ..., 0], read_idx(fashion_mnist_files["train_data"])[:100]
    )
    np.testing.assert_array_equal(y, read_idx(fashion_mnist_files["train_labels"]))
    assert arrays["test"][0].shape == (10_000, 28, 28, 1)
    assert len(FASHION_MNIST_CLASS_NAMES) == 10


def test_splits_slice_as_tfds_and_validation_is_the_first_examples(fashion_mnist_files):
    data = load_array_splits(train_split="train[:1000]", test_split="test[10%:20%]", val_split=0.1)
    full = load_fashion_mnist_arrays()
    np.testing.assert_array_equal(data.x_validation, full["train"][0][:100])
    np.testing.assert_array_equal(data.x_train, full["train"][0][100:1000])
    np.testing.assert_array_equal(data.y_test, full["test"][1][1000:2000])
    assert data.splits["validation"] == "first 100 examples of train[:1000]"


def test_select_split_against_numpy():
    x = np.arange(50)
    parts = {"train": (x, x * 2), "test": (x[:10], x[:10])}
    got, labels = select_split("train[-5:]+test[:20%]+train[10:12]", parts)
    np.testing.assert_array_equal(got, np.r_[x[-5:], x[:2], x[10:12]])
    np.testing.assert_array_equal(labels[:5], x[-5:] * 2)
    with pytest.raises(ValueError, match="valid are train, test"):
        select_split("validation[:5]", parts)


@pytest.mark.parametrize(
    "data,message",
    [
        (
            (np.zeros((4, 8, 8)), np.zeros(4, int), np.zeros((2, 8, 8, 1)), np.zeros(2, int)),
            "N, H, W, C",
        ),
        (
            (
                np.full((4, 8, 8, 1), 300.0),
                np.zeros(4, int),
                np.zeros((2, 8, 8, 1)),
                np.zeros(2, int),
            ),
            "0..255",
        ),
        (
            (np.zeros((4, 8, 8, 1)), np.zeros(4), np.zeros((2, 8, 8, 1)), np.zeros(2, int)),
            "class ids",
        ),
        ((np.zeros((4, 8, 8, 1)),), "x_train, y_train"),
    ],
)
def test_bad_arrays_are_refused_saying_what_is_valid(data, message):
    with pytest.raises(ValueError, match=message):
        load_array_splits(data=data)


def _batches(n=10, **options):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (n, 4, 4, 1)).astype(np.uint8)
    labels = np.arange(n)
    prep = Preprocessing.from_arrays(images)
    return images, labels, prep, ArrayBatches(images, labels, prep, batch_size=4, **options)


def test_preprocessing_from_arrays_against_numpy():
    images, _, prep, _ = _batches()
    assert prep.mean[0] == pytest.approx(images.mean() / 255, rel=1e-9)
    assert prep.std[0] == pytest.approx(images.std() / 255, rel=1e-9)


def test_an_epoch_is_a_permutation_and_a_resume_yields_its_tail():
    images, labels, prep, batches = _batches(seed=3)
    batches.set_epoch(2)
    seen = np.concatenate([np.asarray(batches[i][1]) for i in range(len(batches))])
    assert sorted(seen) == list(range(10)) and len(batches) == 3
    tail = ArrayBatches(images, labels, prep, batch_size=4, seed=3, epoch=2, skip=1)
    assert len(tail) == 2
    np.testing.assert_array_equal(np.asarray(tail[0][1]), np.asarray(batches[1][1]))
    batches.set_epoch(3)
    other = np.concatenate([np.asarray(batches[i][1]) for i in range(len(batches))])
    assert list(other) != list(seen)  # each epoch its own order
    x, y = batches[0]
    expected = (images[np.sort(y)].astype(np.float32) / 255 - prep.mean[0]) / prep.std[0]
    np.testing.assert_allclose(np.asarray(x), expected, atol=1e-5)


def test_uint8_batches_by_table_equal_the_arithmetic_to_the_bit_and_numpy():
    """uint8 images are normalized by a lookup table, float ones by the arithmetic: the same
    model input, and NumPy's float64 figure, channel by channel."""
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (9, 5, 5, 3)).astype(np.uint8)
    labels = np.arange(9)
    prep = Preprocessing.from_arrays(images)
    by_table = ArrayBatches(images, labels, prep, batch_size=4, seed=2)
    by_arithmetic = ArrayBatches(images.astype(np.float32), labels, prep, batch_size=4, seed=2)
    for i in range(len(by_table)):
        (x, y), (x_float, y_float) = by_table[i], by_arithmetic[i]
        np.testing.assert_array_equal(x, x_float)
        np.testing.assert_array_equal(y, y_float)
        expected = (images[np.sort(y)] / 255 - np.asarray(prep.mean)) / np.asarray(prep.std)
        assert x.dtype == np.float32
        np.testing.assert_allclose(x, expected, atol=1e-5)


def test_data_parallel_sizes_drop_in_training_and_pad_with_zero_weights_in_evaluation():
    _, _, _, train = _batches(seed=0, multiple_of=3)
    assert [len(np.asarray(train[i][1])) for i in range(len(train))] == [3, 3]
    _, labels, _, evaluation = _batches(multiple_of=3)
    x, y, weights = evaluation[2]  # the last batch: 2 examples, padded to 3
    assert len(x) == 3 and list(weights) == [1.0, 1.0, 0.0]
    np.testing.assert_array_equal(np.asarray(y)[:2], labels[8:])


def test_one_hot_targets_and_one_copy_per_head():
    _, labels, _, batches = _batches(one_hot_classes=10, num_outputs=2)
    _, (main, aux) = batches[0]
    np.testing.assert_array_equal(np.asarray(main), np.eye(10)[labels[:4]])
    np.testing.assert_array_equal(np.asarray(aux), np.asarray(main))


def _labelled(y_train, y_test, train_max=255, test_max=255):
    rng = np.random.default_rng(0)
    x_train = rng.uniform(0, train_max, (len(y_train), 4, 4, 1))
    x_test = rng.uniform(0, test_max, (len(y_test), 4, 4, 1))
    x_train.flat[0], x_test.flat[0] = train_max, test_max  # the maximum is reached
    return x_train, np.asarray(y_train), x_test, np.asarray(y_test)


def test_the_class_count_comes_from_num_classes_or_the_training_labels():
    data = _labelled([0, 1, 2, 1], [2, 0])
    assert len(load_array_splits(data=data).class_names) == 3
    # Classes the data does not show yet: the model still gets num_classes outputs.
    assert len(load_array_splits(data=ArrayData(*data, num_classes=5)).class_names) == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # One stray label 10 in ten classes built an 11-class model before.
        (ArrayData(*_labelled([0, 1, 10], [0, 1]), num_classes=10),
         r"train labels \[10\] lie outside 0..9 \(num_classes 10\)"),
        (ArrayData(*_labelled([0, 1], [0, 3]), num_classes=3), r"test labels \[3\] lie outside"),
        # A class only in the test arrays added outputs that were never trained.
        (_labelled([0, 1, 1], [0, 2]), r"test labels \[2\] never occur in the training labels"),
        (ArrayData(*_labelled([0, 1], [0, 1]), num_classes=1), "num_classes must be an integer"),
        # Training images in 0..1 and test images in 0..255 (test loss 392 before).
        (_labelled([0, 1], [0, 1], train_max=1.0), r"train images reach 1 and test images 255"),
    ],
)  # fmt: skip
def test_labels_and_pixel_scales_that_do_not_fit_are_refused(data, message):
    with pytest.raises(ValueError, match=message):
        load_array_splits(data=data)


def test_num_classes_goes_with_data():
    import zoo

    with pytest.raises(TypeError, match="num_classes goes with data"):
        zoo.train(num_classes=3)


def test_an_inverted_slice_and_a_validation_split_out_of_range_are_explained():
    from components.data.validation_split import held_out_count

    # tfds counts `train[5:2]` as -3 examples (a raw FailedPreconditionError mid-run before).
    with pytest.raises(
        ValueError, match=r"'train\[5:2\]' holds no examples \(-3\): a slice's end"
    ):
        held_out_count(-3, 0.0, "train[5:2]")
    # Both bounds, not only the lower one.
    with pytest.raises(ValueError, match=r"holds out 100: .* \(between 0.01 and 0.99 here\)"):
        held_out_count(100, 0.9999, "train[:100]")
    assert held_out_count(100, 0.99, "train[:100]") == 99
