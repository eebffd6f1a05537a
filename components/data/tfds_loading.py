"""Load a tfds image-classification dataset by name, offline-aware.

Order of attempts, so that a machine without network never waits minutes for a foreseeable
failure (tfds retries a failed download for about 3.5 minutes): prepared data in the tfds data
dir; for `fashion_mnist`, local IDX files (see `fashion_mnist_offline`); only then the network.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
import socket
import urllib.parse
from pathlib import Path

import tensorflow as tf
import tensorflow_datasets as tfds

from components.data import fashion_mnist_offline
from components.data.validation_split import held_out_count, split_descriptions

# Image-classification datasets known to work with this pipeline (any tfds dataset with an
# `image` feature and a ClassLabel `label` works; these are suggested in error messages).
KNOWN_IMAGE_DATASETS = (
    "fashion_mnist",
    "mnist",
    "kmnist",
    "emnist",
    "cifar10",
    "cifar100",
    "svhn_cropped",
    "imagenette",
    "imagenet2012",
)


def _is_preparing_notice(record: logging.LogRecord) -> bool:
    """False for tfds's warning about a dataset folder being written right now: while this
    module prepares Fashion-MNIST offline, tfds scans the half-made folder and warns that it
    has no dataset_info.json yet, a line that reads as a failure before "Preparing ..."."""
    return not (
        isinstance(record.msg, str)
        and record.msg.startswith("Variant folder")
        and "dataset_info.json" in str(record.args)
    )


logging.getLogger("absl").addFilter(_is_preparing_notice)


class DataUnavailableError(RuntimeError):
    """The dataset is neither prepared, nor available locally, nor downloadable."""


@dataclasses.dataclass
class ImageClassificationData:
    """Unbatched `(image uint8 [H, W, C], label int64)` datasets and what describes them."""

    name: str
    train: tf.data.Dataset
    validation: tf.data.Dataset | None
    test: tf.data.Dataset | None
    class_names: list[str]
    image_shape: tuple[int, int, int]
    num_train: int
    num_validation: int
    num_test: int
    splits: dict[str, str]


def _unknown_dataset_error(name: str) -> ValueError:
    all_names = tfds.list_builders()
    close = difflib.get_close_matches(name, all_names, n=5, cutoff=0.6)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ValueError(
        f"Unknown dataset {name!r}.{hint} Image-classification datasets that work: "
        f"{', '.join(KNOWN_IMAGE_DATASETS)} (any tfds dataset with `image` and a ClassLabel "
        "`label` feature; `tfds.list_builders()` lists all tfds datasets)."
    )


def _host_reachable(url: str, timeout: float = 5.0) -> bool:
    """A quick TCP probe of a download host, to fail fast where tfds would retry for minutes."""
    parsed = urllib.parse.urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def _fashion_mnist_unavailable_message(data_dir: Path, search_dirs) -> str:
    searched = ", ".join(
        str(d) for d in (search_dirs or fashion_mnist_offline.default_search_dirs())
    )
    return (
        "Fashion-MNIST is not prepared in the tfds data dir "
        f"{data_dir}, no local IDX files were found (searched: {searched}), and the download "
        "host cannot be reached. Get the data either way: (1) offline, install Debian's package "
        "`apt-get install -y dataset-fashion-mnist` (files in /usr/share/datasets/fashion-mnist) "
        "or put the four IDX files in a directory named by "
        f"${fashion_mnist_offline.FASHION_MNIST_DIR_ENV}; "
        "(2) online, run with network access so that tensorflow-datasets can download it."
    )


def ensure_prepared(
    name: str,
    data_dir: str | Path | None = None,
    *,
    search_dirs: list[str | Path] | None = None,
    download: bool = True,
) -> tfds.core.DatasetBuilder:
    """Returns the prepared tfds builder of `name`, preparing it first if needed.

    Args:
        name: tfds dataset name, e.g. `"fashion_mnist"`.
        data_dir: tfds data dir; default tfds's own (`$TFDS_DATA_DIR` or `~/tensorflow_datasets`).
        search_dirs: for `fashion_mnist`, where local IDX files are looked for.
        download: whether the network may be tried as the last resort.
    """
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise _unknown_dataset_error(name) from None
    if builder.is_prepared():
        return builder
    root = Path(data_dir or tfds.core.constants.DATA_DIR).expanduser()
    if name == "fashion_mnist":
        if fashion_mnist_offline.find_fashion_mnist_files(search_dirs) is not None:
            fashion_mnist_offline.prepare_fashion_mnist_offline(root, search_dirs)
            return tfds.builder(name, data_dir=data_dir)
        if not download or not _host_reachable(type(builder).URL):
            raise DataUnavailableError(_fashion_mnist_unavailable_message(root, search_dirs))
    if not download:
        raise DataUnavailableError(
            f"Dataset {name!r} is not prepared in {root}, and this command does not download "
            "(evaluating and ensembling read only what is here): prepare it once where the "
            "network is (`classiczoo train --dataset NAME` does, or tensorflow-datasets' "
            "`tfds build NAME`), or point --data-dir at a prepared copy."
        )
    try:
        builder.download_and_prepare()
    except Exception as err:  # tfds raises many kinds; all mean the same to the user
        raise DataUnavailableError(
            f"Dataset {name!r} is not prepared in {root} and tensorflow-datasets could not "
            f"download it ({type(err).__name__}: {err}). Run once with network access, or "
            "prepare it elsewhere and copy the data dir."
        ) from err
    return builder


def load_image_classification(
    name: str = "fashion_mnist",
    *,
    data_dir: str | Path | None = None,
    train_split: str = "train",
    test_split: str | None = "test",
    val_split: float = 0.0,
    validation_split: str | None = None,
    search_dirs: list[str | Path] | None = None,
    download: bool = True,
) -> ImageClassificationData:
    """Loads a tfds image-classification dataset as unbatched `(image, label)` datasets.

    Args:
        name: tfds dataset name.
        data_dir: tfds data dir; default tfds's own.
        train_split: tfds split (slicing allowed, e.g. `"train[:5000]"`) to train on.
        test_split: tfds split to test on; None: no test part (cross-validation never
            looks at the test set).
        val_split: fraction in [0, 1) of `train_split` held out for validation (its first
            examples, in tfds's fixed order, so the same seed gives the same split).
        validation_split: a tfds split to validate on instead (a cross-validation fold, e.g.
            `"train[12000:24000]"`); not with `val_split`.
        search_dirs: for `fashion_mnist`, where local IDX files are looked for.
        download: whether the network may be tried as the last resort.

    Example:
    >>> data = load_image_classification("fashion_mnist", val_split=0.1)  # doctest: +SKIP
    >>> data.num_train, data.num_validation, data.class_names[0]  # doctest: +SKIP
    (54000, 6000, 'T-shirt/top')
    """
    if not 0.0 <= val_split < 1.0:
        raise ValueError(f"val_split must be in [0, 1), got {val_split}.")
    if val_split and validation_split is not None:
        raise ValueError(
            "Give val_split (a fraction of train_split) or validation_split, not both."
        )
    builder = ensure_prepared(name, data_dir, search_dirs=search_dirs, download=download)
    features = builder.info.features
    keys = list(features.keys())
    if (
        "image" not in keys
        or "label" not in keys
        or not isinstance(features["label"], tfds.features.ClassLabel)
    ):
        raise ValueError(
            f"Dataset {name!r} is not an image-classification dataset: it needs an `image` "
            f"feature and a ClassLabel `label` feature; it has {keys}."
        )
    image_shape = tuple(features["image"].shape)
    if None in image_shape:
        raise ValueError(
            f"Dataset {name!r} has images of varying size {image_shape}; pass a resize so all "
            "images share one shape (not supported by this loader yet)."
        )

    def read(split):
        try:
            return builder.as_dataset(split=split, as_supervised=True, shuffle_files=False)
        except (ValueError, KeyError, AssertionError) as err:
            raise ValueError(
                f"Bad split {split!r} for {name!r}: {err}. Its splits are "
                f"{list(builder.info.splits.keys())}; tfds slicing like 'train[:10%]' works."
            ) from err

    train_all = read(train_split)
    test = read(test_split) if test_split is not None else None
    num_train_all = int(train_all.cardinality())
    if validation_split is not None:
        validation = read(validation_split)
        num_validation = int(validation.cardinality())
        train, num_train = train_all, num_train_all
        splits = {"train": train_split, "validation": validation_split}
    else:
        num_validation = held_out_count(num_train_all, val_split, train_split)
        validation = train_all.take(num_validation) if num_validation else None
        train = train_all.skip(num_validation) if num_validation else train_all
        num_train = num_train_all - num_validation
        splits = split_descriptions(train_split, num_validation, test_split)
    return ImageClassificationData(
        name=name,
        train=train,
        validation=validation,
        test=test,
        class_names=list(features["label"].names),
        image_shape=image_shape,
        num_train=num_train,
        num_validation=num_validation,
        num_test=int(test.cardinality()) if test is not None else 0,
        splits={**splits, "test": test_split or ""},
    )
