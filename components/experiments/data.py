"""The lessons' data: the first images of Fashion-MNIST's train and test splits, as arrays."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from components.experiments.arguments import FASHION_MNIST_TEST, FASHION_MNIST_TRAIN


@dataclasses.dataclass(frozen=True)
class LessonData:
    """Images `[N, 28, 28, 1]` float32 and int labels of a train and a test slice."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    description: str


def load_fashion_mnist_slice(
    train_images: int,
    test_images: int,
    *,
    data_dir: str | Path | None = None,
    standardize: bool = True,
) -> LessonData:
    """The first images of Fashion-MNIST's train and test splits, as arrays.

    Loaded with `components.data.load_image_classification` (tfds slicing `train[:N]`) and
    preprocessed by the training pipeline's own `Preprocessing`: standardized with the slice's
    mean and std, or (`standardize=False`) only scaled to [0, 1], the "raw" input.

    Args:
        train_images: N, the first N training images (1..60000).
        test_images: the first M test images (1..10000).
        data_dir: tfds data dir; default tfds's own.
        standardize: standardize (else pixels / 255).

    Example:
    >>> data = load_fashion_mnist_slice(2000, 1000)  # doctest: +SKIP
    >>> data.x_train.shape  # doctest: +SKIP
    (2000, 28, 28, 1)
    """
    from components.data import Preprocessing, load_image_classification, make_pipeline

    if not 1 <= train_images <= FASHION_MNIST_TRAIN:
        raise ValueError(f"train_images must be in 1..{FASHION_MNIST_TRAIN}, got {train_images}.")
    if not 1 <= test_images <= FASHION_MNIST_TEST:
        raise ValueError(f"test_images must be in 1..{FASHION_MNIST_TEST}, got {test_images}.")
    data = load_image_classification(
        "fashion_mnist",
        data_dir=data_dir,
        train_split=f"train[:{train_images}]",
        test_split=f"test[:{test_images}]",
    )
    if standardize:
        preprocessing = Preprocessing.fit(data.train)
    else:
        preprocessing = Preprocessing(mean=(0.0,), std=(1.0,))

    def arrays(dataset):
        batches = list(
            make_pipeline(
                dataset, preprocessing, batch_size=4096, training=False, cache=False
            ).as_numpy_iterator()
        )
        return np.concatenate([x for x, _ in batches]), np.concatenate([y for _, y in batches])

    x_train, y_train = arrays(data.train)
    x_test, y_test = arrays(data.test)
    kind = "standardized" if standardize else "pixels / 255"
    return LessonData(
        x_train,
        y_train,
        x_test,
        y_test,
        data.class_names,
        f"Fashion-MNIST train[:{train_images}], test[:{test_images}], {kind}",
    )


__all__ = ["LessonData", "load_fashion_mnist_slice"]
