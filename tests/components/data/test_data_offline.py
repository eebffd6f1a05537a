"""Offline preparation of tfds's fashion_mnist from local IDX files."""

from __future__ import annotations

import gzip
import shutil

import pytest
import tensorflow_datasets as tfds

from components.data import (
    DataUnavailableError,
    FashionMNISTFileError,
    find_fashion_mnist_files,
    load_image_classification,
    prepare_fashion_mnist_offline,
    tfds_loading,
)
from tests.conftest import read_idx

CLASS_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip


def _copy_files(files, directory):
    directory.mkdir(parents=True, exist_ok=True)
    for path in files.values():
        shutil.copy(path, directory / path.name)
    return {key: directory / path.name for key, path in files.items()}


def test_prepared_dataset_is_the_idx_data(fashion_mnist_data_dir, fashion_mnist_files):
    builder = tfds.builder("fashion_mnist", data_dir=fashion_mnist_data_dir)
    assert builder.is_prepared()
    assert builder.info.splits["train"].num_examples == 60_000
    assert builder.info.splits["test"].num_examples == 10_000
    assert builder.info.features["label"].names == CLASS_NAMES
    assert builder.info.features["image"].shape == (28, 28, 1)
    # A plain tfds.load now works and gives exactly the IDX files' (image, label) pairs; tfds
    # orders examples by a hash of their keys, as it does for downloaded data.
    test = tfds.load(
        "fashion_mnist", split="test", data_dir=fashion_mnist_data_dir, as_supervised=True
    )
    images, labels = next(iter(test.batch(10_000).as_numpy_iterator()))
    expected_images = read_idx(fashion_mnist_files["test_data"])
    expected_labels = read_idx(fashion_mnist_files["test_labels"])

    def pairs(images, labels):
        return sorted(x.tobytes() + bytes([y]) for x, y in zip(images, labels, strict=True))

    assert images.shape == (10_000, 28, 28, 1)
    assert pairs(images[..., 0], labels) == pairs(expected_images, expected_labels)


def test_load_uses_prepared_data_without_preparing_again(fashion_mnist_data_dir, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("prepared data must be reused")

    monkeypatch.setattr(tfds_loading.fashion_mnist_offline, "prepare_fashion_mnist_offline", fail)
    data = load_image_classification(
        "fashion_mnist", data_dir=fashion_mnist_data_dir, val_split=0.1
    )
    assert (data.num_train, data.num_validation, data.num_test) == (54_000, 6_000, 10_000)
    assert data.class_names == CLASS_NAMES


def test_find_files_in_search_dirs(fashion_mnist_files, tmp_path):
    copied = _copy_files(fashion_mnist_files, tmp_path / "local")
    assert find_fashion_mnist_files([tmp_path / "empty", tmp_path / "local"]) == copied
    assert find_fashion_mnist_files([tmp_path / "empty"]) is None


def test_truncated_file_is_named_and_nothing_is_left(fashion_mnist_files, tmp_path):
    files = _copy_files(fashion_mnist_files, tmp_path / "local")
    broken = files["train_labels"]
    broken.write_bytes(broken.read_bytes()[:1000])  # a truncated gzip stream
    data_dir = tmp_path / "tfds"
    with pytest.raises(FashionMNISTFileError, match=broken.name):
        prepare_fashion_mnist_offline(data_dir, search_dirs=[tmp_path / "local"])
    assert list(data_dir.iterdir()) == []  # no half-prepared dataset, no temp dirs


def test_wrong_content_is_named_with_checksums(fashion_mnist_files, tmp_path):
    files = _copy_files(fashion_mnist_files, tmp_path / "local")
    wrong = files["test_labels"]
    labels = bytearray(gzip.open(wrong).read())
    labels[-1] = (labels[-1] + 1) % 10  # one flipped label: same size, other data
    wrong.write_bytes(gzip.compress(bytes(labels)))
    with pytest.raises(FashionMNISTFileError, match=f"{wrong.name}.*sha256"):
        prepare_fashion_mnist_offline(tmp_path / "tfds", search_dirs=[tmp_path / "local"])
    assert not (tmp_path / "tfds" / "fashion_mnist").exists()


def test_local_files_prepare_through_load(fashion_mnist_files, tmp_path):
    # Uncompressed files work too; the load prepares once, then it is a plain tfds dataset.
    local = tmp_path / "raw"
    local.mkdir()
    for path in fashion_mnist_files.values():
        (local / path.name.removesuffix(".gz")).write_bytes(gzip.open(path).read())
    data = load_image_classification(
        "fashion_mnist", data_dir=tmp_path / "tfds", search_dirs=[local], download=False
    )
    assert data.num_test == 10_000
    assert tfds.builder("fashion_mnist", data_dir=tmp_path / "tfds").is_prepared()
    assert [p.name for p in (tmp_path / "tfds").iterdir()] == ["fashion_mnist"]


def test_no_files_no_network_says_both_ways(tmp_path, monkeypatch):
    monkeypatch.setattr(tfds_loading, "_host_reachable", lambda url, timeout=5.0: False)
    with pytest.raises(DataUnavailableError) as info:
        load_image_classification(
            "fashion_mnist", data_dir=tmp_path / "tfds", search_dirs=[tmp_path / "none"]
        )
    message = str(info.value)
    assert "apt-get install -y dataset-fashion-mnist" in message
    assert "FASHION_MNIST_DIR" in message
    assert "network" in message
    assert str(tmp_path / "none") in message
