"""A run's data (`components.data.run_data.RunData`): its tf.data implementation
(`NormalizedData`, under TensorFlow) and its NumPy one (`NormalizedArrays`, any backend) keep
one contract, each checked against NumPy: the measured parts normalized in order, the first
`limit` examples, the labels once per head, an epoch of training batches that is a
permutation of the training part, a resume that yields the epoch's tail, the monitors' batch."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from components.data.arrays import ArraySplits
from components.data.run_data import BatchPlan, NormalizedArrays, RunData

pytestmark = pytest.mark.backends


def _splits(train=21, validation=6, test=9) -> ArraySplits:
    rng = np.random.default_rng(0)

    def part(n, first):  # labels count up, so each example is known by its label
        return rng.integers(0, 256, (n, 5, 5, 1)).astype(np.uint8), np.arange(first, first + n)

    x_train, y_train = part(train, 0)
    x_validation, y_validation = part(validation, 100)
    x_test, y_test = part(test, 200)
    return ArraySplits(
        "generated", x_train, y_train, x_validation, y_validation, x_test, y_test,
        class_names=[str(i) for i in range(300)], splits={},
    )  # fmt: skip


def _implementations(splits: ArraySplits) -> list[RunData]:
    found = [NormalizedArrays(splits)]
    if keras.backend.backend() == "tensorflow":
        from components.data.normalized import normalized_arrays

        found.append(normalized_arrays(splits))
    return found


def _examples(batches) -> tuple[np.ndarray, object]:
    """All `(images, labels)` of batches from either implementation, in order."""
    if hasattr(batches, "as_numpy_iterator"):  # tf.data
        pairs = list(batches.as_numpy_iterator())
    else:  # a Keras PyDataset
        pairs = [batches[i][:2] for i in range(len(batches))]
    images = np.concatenate([np.asarray(x) for x, _ in pairs])
    if isinstance(pairs[0][1], tuple):
        heads = len(pairs[0][1])
        return images, [np.concatenate([y[h] for _, y in pairs]) for h in range(heads)]
    return images, np.concatenate([np.asarray(y) for _, y in pairs])


def _normalized(images: np.ndarray, splits: ArraySplits) -> np.ndarray:
    """NumPy's normalization: the training part's pixel mean and std, in 0..1."""
    mean, std = splits.x_train.mean() / 255, splits.x_train.std() / 255
    return (images.astype(np.float64) / 255 - mean) / std


@pytest.mark.parametrize("part", ["train", "validation", "test"])
def test_a_measured_part_is_normalized_as_numpy_computes_it_in_its_order(part):
    splits = _splits()
    x, y = getattr(splits, f"x_{part}"), getattr(splits, f"y_{part}")
    for data in _implementations(splits):
        images, labels = _examples(data.batches(part, 4))
        np.testing.assert_array_equal(labels, y)
        np.testing.assert_allclose(images, _normalized(x, splits), atol=1e-5)
        first, _ = _examples(data.batches(part, 4, limit=5))
        assert len(first) == 5
        np.testing.assert_allclose(first, _normalized(x[:5], splits), atol=1e-5)
        _, per_head = _examples(data.batches(part, 4, heads=2))
        assert len(per_head) == 2 and all((head == y).all() for head in per_head)


def test_an_empty_held_out_part_has_no_batches():
    splits = _splits(validation=0)
    for data in _implementations(splits):
        assert data.batches("validation", 4) is None
        with pytest.raises(ValueError, match="part must be one of"):
            data.batches("dev", 4)


def test_an_epoch_is_a_permutation_of_the_training_part_and_a_resume_yields_its_tail():
    splits = _splits()
    plan = BatchPlan(batch_size=4, seed=3)
    for data in _implementations(splits):
        per_epoch = data.batches_per_epoch(plan)
        assert per_epoch == math.ceil(len(splits.x_train) / 4)
        epoch, steps, _ = data.training_batches(plan, 2, 0, 3)
        images, labels = _examples(epoch)
        assert sorted(labels) == list(range(len(splits.x_train)))
        np.testing.assert_allclose(images, _normalized(splits.x_train[labels], splits), atol=1e-5)
        assert steps in (None, per_epoch)  # None: the batches know their epoch
        tail, tail_steps, _ = data.training_batches(plan, 2, 2, 3)
        _, tail_labels = _examples(tail)
        np.testing.assert_array_equal(tail_labels, labels[8:])
        assert tail_steps in (None, per_epoch - 2)
        _, next_labels = _examples(data.training_batches(plan, 3, 0, 4)[0])
        assert list(next_labels) != list(labels)  # each epoch its own order


def test_soft_labels_are_one_hot_rows_of_the_classes():
    splits = _splits()
    plan = BatchPlan(batch_size=4, seed=0, soft_labels=True)
    for data in _implementations(splits):
        _, one_hot = _examples(data.training_batches(plan, 0, 0, 1)[0])
        assert one_hot.shape == (len(splits.x_train), 300)
        assert sorted(one_hot.argmax(axis=1)) == list(range(len(splits.x_train)))
        np.testing.assert_array_equal(one_hot.sum(axis=1), 1.0)


def test_the_monitors_batch_is_the_first_validation_images_normalized():
    splits = _splits()
    for data in _implementations(splits):
        images, labels = data.look_batch(4)
        np.testing.assert_array_equal(labels, splits.y_validation[:4])
        np.testing.assert_allclose(images, _normalized(splits.x_validation[:4], splits), atol=1e-5)
