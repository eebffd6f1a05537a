"""A dataset's splits as NumPy arrays: the data of runs on Keras backends other than TensorFlow.

Under JAX (or where TensorFlow is not installed at all) a run reads its images as arrays:
Fashion-MNIST from its IDX files, read with NumPy and checked by the same sha256 sums as the
offline tfds preparation (`components.data.fashion_mnist_offline`); any other tfds dataset
through `tfds.as_numpy` where tensorflow-datasets is importable; or arrays the caller passes.
Splits take tfds's names and slicing (`train[:2000]`, `train[10%:20%]`, `a+b`), and the
validation part is the first `val_split` of the training split, as in the tfds pipeline
(`components.data.tfds_loading`); the examples are in the IDX files' order, not tfds's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from components.data.fashion_mnist_offline import (
    FASHION_MNIST_FILES,
    default_search_dirs,
    find_fashion_mnist_files,
    read_verified,
)
from components.data.image_folders import image_folder_files, read_image_folder
from components.data.validation_split import held_out_count, split_descriptions
from components.installed import is_installed

# tfds's `fashion_mnist` ClassLabel names, in label order.
FASHION_MNIST_CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
# The seed of the one fixed order of an image folder's images (`load_array_splits`).
IMAGE_FOLDER_ORDER_SEED = 0
_SLICE = re.compile(r"^(\w+)(?:\[(-?\d+%?)?:(-?\d+%?)?\])?$")


@dataclasses.dataclass
class ArraySplits:
    """Images (`uint8 [N, H, W, C]`) and labels (`int64 [N]`) of train, validation, test.

    Args:
        name: the dataset's name.
        x_train, y_train, x_validation, y_validation, x_test, y_test: the parts (validation
            and test may hold no examples).
        class_names: in label order.
        splits: what each part is, in words (for the metadata).
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_validation: np.ndarray
    y_validation: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    splits: dict[str, str]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(int(d) for d in self.x_train.shape[1:])

    def describe(self) -> str:
        return (
            f"Data: {self.name}: {len(self.x_train)} train, {len(self.x_validation)} validation, "
            f"{len(self.x_test)} test images of {self.image_shape} (NumPy arrays)."
        )


def read_idx(raw: bytes) -> np.ndarray:
    """The array of an IDX file's bytes (a big-endian header of its dimensions, then uint8)."""
    if len(raw) < 4 or raw[2] != 0x08:
        raise ValueError("not an IDX file of unsigned bytes")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion_mnist_arrays(search_dirs=None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST's `train` and `test` as `(images [N, 28, 28, 1] uint8, labels int64)`,
    from the local IDX files, each checked by its sha256 before use.

    Raises:
        FileNotFoundError: no complete set of IDX files (`$FASHION_MNIST_DIR`, Debian's
            `dataset-fashion-mnist`).
        FashionMNISTFileError: a file that is not the expected data.
    """
    files = find_fashion_mnist_files(search_dirs)
    if files is None:
        searched = ", ".join(str(d) for d in (search_dirs or default_search_dirs()))
        raise FileNotFoundError(
            f"No complete set of Fashion-MNIST IDX files in: {searched}. Install Debian's "
            "`dataset-fashion-mnist`, or set $FASHION_MNIST_DIR to a directory with the four "
            "files from https://github.com/zalandoresearch/fashion-mnist."
        )
    arrays = {
        key: read_idx(read_verified(path, FASHION_MNIST_FILES[key])) for key, path in files.items()
    }
    return {
        split: (arrays[f"{split}_data"][..., None], arrays[f"{split}_labels"].astype(np.int64))
        for split in ("train", "test")
    }


def select_split(spec: str, splits: dict[str, tuple[np.ndarray, np.ndarray]]):
    """The examples of a tfds split string over named arrays: `train`, `train[:2000]`,
    `train[10%:20%]`, `train[-1000:]`, and `+` between parts.

    Example:
    >>> x = np.arange(10); parts = {"train": (x, x)}
    >>> select_split("train[20%:40%]+train[-1:]", parts)[0].tolist()
    [2, 3, 9]
    """
    images, labels = [], []
    sizes = {name: len(x) for name, (x, _) in splits.items()}
    for part in spec.split("+"):
        name, start, end = split_span(part, sizes)
        x, y = splits[name]
        images.append(x[start:end])
        labels.append(y[start:end])
    return np.concatenate(images), np.concatenate(labels)


def split_span(part: str, sizes: Mapping[str, int]) -> tuple[str, int, int]:
    """`(name, start, end)` of one part of a tfds split string (no `+`) over splits of the
    given sizes, percents rounded to the closest example as tfds does.

    Raises:
        ValueError: an unknown split or a bad slice, with what is valid.

    Example:
    >>> split_span("train[10%:-1000]", {"train": 60000, "test": 10000})
    ('train', 6000, 59000)
    """
    match = _SLICE.match(part.strip())
    if match is None or match.group(1) not in sizes:
        raise ValueError(
            f"Bad split {part!r}: valid are {', '.join(sizes)}, sliced like tfds's "
            "'train[:2000]' or 'train[:10%]', joined with '+'."
        )
    name = match.group(1)
    start, end, _ = slice(*(_bound(text, sizes[name]) for text in match.group(2, 3))).indices(
        sizes[name]
    )
    return name, start, max(start, end)


def image_folder_split(
    directory: str | Path, class_names: list[str] | None = None
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A folder of class folders as the split `train` that runs, cross-validation and
    `evaluate` slice: `read_image_folder`'s images, labels and classes in one fixed order.

    The folder reads class by class; one fixed shuffle (as tfds shuffles a dataset once, when
    it prepares it) gives every slice, the validation split and each fold among them, every
    class, and the same examples to every command.
    """
    x, y, names = read_image_folder(directory, class_names)
    order = np.random.default_rng(IMAGE_FOLDER_ORDER_SEED).permutation(len(y))
    return x[order], y[order], names


def split_sizes(
    dataset: str = "fashion_mnist",
    *,
    data_dir: str | None = None,
    image_dir: str | Path | None = None,
    data=None,
) -> dict[str, int]:
    """The examples of each named split that `load_array_splits` would slice: the caller's
    arrays' `train` and `test`, an image folder's `train`, Fashion-MNIST's IDX files' `train`
    and `test`, or the tfds dataset's splits (tfds, and so TensorFlow, needed there)."""
    if data is not None:
        parts, _ = check_arrays(data)
        return {name: len(labels) for name, (_, labels) in parts.items()}
    if image_dir is not None:
        return {"train": len(image_folder_files(image_dir)[0])}
    if dataset == "fashion_mnist" and find_fashion_mnist_files() is not None:
        return {name: len(labels) for name, (_, labels) in load_fashion_mnist_arrays().items()}
    from components.data.tfds_loading import ensure_prepared  # tfds: TensorFlow's

    splits = ensure_prepared(dataset, data_dir).info.splits
    return {name: info.num_examples for name, info in splits.items()}


def _bound(text: str | None, size: int) -> int | None:
    if not text:
        return None
    if text.endswith("%"):
        return int(round(size * int(text[:-1]) / 100))
    return int(text)


def load_array_splits(
    dataset: str = "fashion_mnist",
    *,
    train_split: str = "train",
    test_split: str = "test",
    val_split: float = 0.0,
    data_dir: str | None = None,
    data=None,
    image_dir: str | Path | None = None,
    test_image_dir: str | Path | None = None,
) -> ArraySplits:
    """The run's parts as arrays.

    Args:
        dataset: `fashion_mnist` (its IDX files; tfds where they are missing), or any tfds
            image-classification dataset (needs tensorflow-datasets).
        train_split, test_split: tfds split strings.
        val_split: fraction of the training split held out for validation (its first examples).
        data_dir: tfds's data dir, for datasets read through tfds.
        data: an `ArrayData`, or `(x_train, y_train, x_test, y_test)`, to use instead (images
            `[N, H, W, C]` in 0..255; labels class ids); the splits then slice these (`train`,
            `test`).
        image_dir: a folder of class folders to use instead (`read_image_folder`): the splits
            slice it as `train`, and `test_image_dir` as `test` where given (a `test_split`
            left at `test` without one: no test part).

    Raises:
        ValueError: bad arrays or splits, named with what is valid.
    """
    class_names = None
    if image_dir is not None:
        x, y, class_names = image_folder_split(image_dir)
        parts = {"train": (x, y)}
        if test_image_dir is not None:
            parts["test"] = read_image_folder(test_image_dir, class_names)[:2]
        elif test_split == "test":
            test_split = ""
        name = Path(image_dir).name or str(image_dir)
    elif data is not None:
        parts, num_classes = check_arrays(data)
        class_names = [str(i) for i in range(num_classes)]
        name = "arrays"
    elif dataset == "fashion_mnist" and find_fashion_mnist_files() is not None:
        parts, class_names, name = (
            load_fashion_mnist_arrays(),
            list(FASHION_MNIST_CLASS_NAMES),
            dataset,
        )
    else:
        return _load_through_tfds(dataset, train_split, test_split, val_split, data_dir)
    x, y = select_split(train_split, parts)
    x_test, y_test = select_split(test_split, parts) if test_split else (x[:0], y[:0])
    return _hold_out(name, x, y, x_test, y_test, class_names, train_split, test_split, val_split)


def _hold_out(name, x, y, x_test, y_test, class_names, train_split, test_split, val_split):
    num_validation = held_out_count(len(x), val_split, train_split)
    splits = split_descriptions(train_split, num_validation, test_split)
    return ArraySplits(
        name=name,
        x_train=x[num_validation:],
        y_train=y[num_validation:],
        x_validation=x[:num_validation],
        y_validation=y[:num_validation],
        x_test=x_test,
        y_test=y_test,
        class_names=list(class_names),
        splits=splits,
    )


@dataclasses.dataclass(frozen=True)
class ArrayData:
    """Arrays to train and test on instead of a dataset (`zoo.train(data=..., num_classes=...)`).

    Args:
        x_train, y_train, x_test, y_test: images `[N, H, W, C]` of raw pixels in 0..255 (both
            parts alike), labels class ids.
        num_classes: the model's classes, labels `0..num_classes - 1`; None: the training
            labels' largest + 1.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    num_classes: int | None = None


def check_arrays(data) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], int]:
    """The parts of `data` (an `ArrayData` or `(x_train, y_train, x_test, y_test)`), checked,
    and the number of classes."""
    if isinstance(data, ArrayData):
        arrays = (data.x_train, data.y_train, data.x_test, data.y_test)
        num_classes = data.num_classes
    elif isinstance(data, (tuple, list)) and len(data) == 4:
        arrays, num_classes = data, None
    else:
        raise ValueError("data must be (x_train, y_train, x_test, y_test).")
    x_train, y_train, x_test, y_test = (np.asarray(a) for a in arrays)
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if x.ndim != 4 or y.ndim != 1 or len(x) != len(y) or not len(x):
            raise ValueError(
                f"data's {name} part: images must be [N, H, W, C] and labels [N] with N > 0; "
                f"got {x.shape} and {y.shape}."
            )
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
            raise ValueError(f"data's {name} labels must be class ids >= 0, got {y.dtype}.")
        if not (np.all(np.isfinite(x)) and x.min() >= 0 and x.max() <= 255):
            raise ValueError(f"data's {name} images must be finite pixel values in 0..255.")
    if x_train.shape[1:] != x_test.shape[1:]:
        raise ValueError(f"train images {x_train.shape[1:]} and test {x_test.shape[1:]} differ.")
    # Images scaled to 0..1 on one side only train on one scale and test on another.
    if (float(x_train.max()) <= 1.0) != (float(x_test.max()) <= 1.0):
        raise ValueError(
            f"train images reach {float(x_train.max()):g} and test images "
            f"{float(x_test.max()):g}: one part is scaled to 0..1, the other is not. Give both "
            "as raw pixels in 0..255 (the export normalizes raw pixels)."
        )
    labelled = (("train", y_train), ("test", y_test))
    if num_classes is None:  # the training labels say it; a test label beyond is unseen below
        num_classes, labelled = int(y_train.max()) + 1, labelled[:1]
    elif (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, (int, np.integer))
        or (num_classes < 2)
    ):
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}.")
    for name, y in labelled:
        outside = sorted({int(v) for v in y[y >= num_classes]})
        if outside:
            raise ValueError(
                f"data's {name} labels {outside[:10]} lie outside 0..{num_classes - 1} "
                f"(num_classes {num_classes}): fix the labels, or give num_classes."
            )
    unseen = sorted(set(np.unique(y_test).tolist()) - set(np.unique(y_train).tolist()))
    if unseen:
        raise ValueError(
            f"data's test labels {unseen[:10]} never occur in the training labels: the model "
            "would have outputs that were never trained. Give training examples of every "
            "class tested."
        )
    parts = {
        "train": (x_train, y_train.astype(np.int64)),
        "test": (x_test, y_test.astype(np.int64)),
    }
    return parts, int(num_classes)


def _load_through_tfds(dataset, train_split, test_split, val_split, data_dir) -> ArraySplits:
    if not is_installed("tensorflow_datasets"):
        raise ValueError(
            f"Dataset {dataset!r} needs tensorflow-datasets (and TensorFlow), not installed here. "
            "Without them: fashion_mnist from its IDX files ($FASHION_MNIST_DIR), or pass arrays "
            "(zoo.train(..., data=(x_train, y_train, x_test, y_test)))."
        )
    import tensorflow_datasets as tfds

    def read(split):
        images, labels = tfds.as_numpy(
            tfds.load(dataset, split=split, batch_size=-1, as_supervised=True, data_dir=data_dir)
        )
        return images, labels.astype(np.int64)

    builder = tfds.builder(dataset, data_dir=data_dir)
    x, y = read(train_split)
    x_test, y_test = read(test_split) if test_split else (x[:0], y[:0])
    names = builder.info.features["label"].names
    return _hold_out(dataset, x, y, x_test, y_test, names, train_split, test_split, val_split)


__all__ = [
    "FASHION_MNIST_CLASS_NAMES",
    "IMAGE_FOLDER_ORDER_SEED",
    "ArrayData",
    "ArraySplits",
    "check_arrays",
    "image_folder_split",
    "load_array_splits",
    "load_fashion_mnist_arrays",
    "read_idx",
    "select_split",
    "split_sizes",
    "split_span",
]
