"""A folder of class folders of images: read into arrays, bad folders refused by file, and a
run trained on one under either backend."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import zoo
from components.data.image_folders import read_image_folder
from components.export.metadata import load_metadata
from tests.conftest import KERAS_BACKEND

CLASSES = ("bottom", "middle", "top")


def _band_images(n, seed, size=28):
    """Images whose class is the height of a bright band: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    images = rng.integers(0, 60, (n, size, size)).astype(np.uint8)
    for image, label in zip(images, labels, strict=True):
        image[2 + 9 * label : 8 + 9 * label, 4:24] = 250
    return images, labels


def _write_folder(root, n, seed):
    images, labels = _band_images(n, seed)
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        folder = root / CLASSES[label]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image, "L").save(folder / f"{i:04d}.png")
    return root


def test_a_folder_reads_as_its_images_labelled_by_their_folders(tmp_path):
    root = _write_folder(tmp_path / "bands", 30, seed=1)
    images, labels, names = read_image_folder(root)
    assert names == list(CLASSES) and images.shape == (30, 28, 28, 1)
    # The independent truth: each file as Pillow reads it, and its folder.
    written = sorted((p.parent.name, p.name) for p in root.rglob("*.png"))
    for (folder, name), image, label in zip(written, images, labels, strict=True):
        np.testing.assert_array_equal(image[..., 0], np.asarray(Image.open(root / folder / name)))
        assert CLASSES[label] == folder


def test_a_folders_size_is_counted_from_its_listing_without_decoding(tmp_path, monkeypatch):
    from components.data import image_folders
    from components.data.arrays import split_sizes

    root = _write_folder(tmp_path / "bands", 30, seed=1)
    files, names = image_folders.image_folder_files(root)
    assert names == list(CLASSES)
    # The independent truth: the files on disk and the folder each is in.
    on_disk = sorted((p.parent.name, p.name) for p in root.rglob("*.png"))
    assert [(CLASSES[label], path.name) for path, label in files] == on_disk

    def no_decoding(path):
        raise AssertionError(f"{path} decoded")

    monkeypatch.setattr(image_folders, "_read_image", no_decoding)
    assert split_sizes(image_dir=root) == {"train": 30}


def _bad(tmp_path, make):
    root = _write_folder(tmp_path / "bad", 12, seed=2)
    return root, make(root)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda r: (r / "top" / "notes.txt").write_text("x"), r"top/notes.txt: not an image"),
        (lambda r: (r / "top" / "9.png").write_bytes(b"junk"), r"top/9.png: not a readable"),
        (
            lambda r: Image.new("L", (32, 28)).save(r / "middle" / "wide.png"),
            r"middle/wide.png: 32x28 with 1 channel\(s\), but .* is 28x28 with 1",
        ),
        (
            lambda r: Image.new("RGB", (28, 28)).save(r / "middle" / "color.png"),
            r"middle/color.png: 28x28 with 3 channel\(s\)",
        ),
        (lambda r: (r / "empty").mkdir(), r"bad/empty: a class folder without images"),
        (
            lambda r: Image.fromarray(np.full((28, 28), 40000, np.uint16)).save(
                r / "top" / "16.png"
            ),
            r"top/16.png: Pillow mode 'I;16' has more than 8 bits per channel",
        ),
    ],
    ids=["text-file", "unreadable", "mixed-sizes", "mixed-modes", "empty-class", "16-bit"],
)
def test_a_bad_file_or_folder_is_refused_by_name(tmp_path, make, message):
    root, _ = _bad(tmp_path, make)
    with pytest.raises(ValueError, match=message):
        read_image_folder(root)


def test_folders_without_two_classes_or_other_classes_are_refused(tmp_path):
    with pytest.raises(ValueError, match="no such folder"):
        read_image_folder(tmp_path / "missing")
    (tmp_path / "flat").mkdir()
    Image.new("L", (28, 28)).save(tmp_path / "flat" / "1.png")
    with pytest.raises(ValueError, match="flat: no class folders; a classifier needs at least"):
        read_image_folder(tmp_path / "flat")
    (tmp_path / "one" / "cat").mkdir(parents=True)
    with pytest.raises(ValueError, match="only the class folder 'cat'"):
        read_image_folder(tmp_path / "one")
    root = _write_folder(tmp_path / "three", 12, seed=3)
    with pytest.raises(ValueError, match=r"are not the training folder's \['a', 'b'\]"):
        read_image_folder(root, class_names=["a", "b"])


@pytest.mark.backends
def test_a_run_trains_on_an_image_folder_and_its_export_scores_the_test_folder(tmp_path):
    train = _write_folder(tmp_path / "train", 320, seed=4)
    test = _write_folder(tmp_path / "test", 60, seed=5)
    result = zoo.train(
        model="lenet5_bn", image_dir=train, test_image_dir=test, epochs=2, batch_size=32,
        val_split=0.1, checkpoint_dir=tmp_path / "ckpt", export_dir=tmp_path / "out",
        log_dir=tmp_path / "logs",
    )  # fmt: skip
    metadata = load_metadata(result.export_dir)
    assert metadata.serving.class_names == list(CLASSES)
    images, labels, _ = read_image_folder(test)
    if KERAS_BACKEND == "tensorflow":  # what serving computes: the SavedModel on uint8 images
        import tensorflow as tf

        serving = tf.saved_model.load(str(result.export_dir)).signatures["serving_uint8"]
        (name,) = serving.structured_input_signature[1]
        probabilities = serving(**{name: tf.constant(images)})["probabilities"].numpy()
        # `classiczoo evaluate --image-dir` reports what serving computes, on the same folder.
        from components.export.evaluation_report import evaluate_exports

        (report,) = evaluate_exports(
            [result.export_dir], image_dir=test, report_dir=tmp_path / "report"
        )
        served = float(np.mean(probabilities.argmax(axis=1) == labels))
        assert report["examples"] == len(labels)
        assert report["accuracy"] == pytest.approx(served, abs=1e-6)
        # The same images given as arrays: the same report figures.
        (from_arrays,) = evaluate_exports(
            [result.export_dir], arrays=(images, labels), report_dir=tmp_path / "report-arrays"
        )
        assert from_arrays["accuracy"] == pytest.approx(served, abs=1e-6)
        other = tmp_path / "other"
        for name in ("cat", "dog"):
            (other / name).mkdir(parents=True)
            Image.fromarray(images[0, :, :, 0], "L").save(other / name / "1.png")
        with pytest.raises(ValueError, match=r"\['cat', 'dog'\] are not the training folder's"):
            evaluate_exports([result.export_dir], image_dir=other)
    else:  # the saved .keras model, on raw pixels: it carries its normalization
        import keras

        model = keras.saving.load_model(result.export_dir / "model.keras")
        probabilities = model.predict(images, verbose=0)
    accuracy = float(np.mean(probabilities.argmax(axis=1) == labels))
    assert accuracy == pytest.approx(metadata.run.metrics.test["accuracy"], abs=1e-6)
    assert accuracy > 0.6  # three classes: chance is 1/3


@pytest.mark.backends
def test_a_folder_is_cross_validated_under_either_backend(tmp_path):
    """k folds of an image folder (its `train` split), each trained by the backend's own fit:
    the folds partition the folder, and every fold learns the bands (chance is 1/3)."""
    root = _write_folder(tmp_path / "bands", 240, seed=6)
    result = zoo.cross_validate(
        model="lenet5_bn", image_dir=root, epochs=2, batch_size=32, folds=3,
        results_path=tmp_path / "cv.json",
    )  # fmt: skip
    folds = [fold.fold for fold in result.settings[0].folds]
    assert [f.validation_split for f in folds] == [
        "train[0:80]", "train[80:160]", "train[160:240]"
    ]  # fmt: skip
    assert [f.num_train for f in folds] == [160] * 3
    accuracies = [fold.accuracy for fold in result.settings[0].folds]
    assert min(accuracies) > 0.6, accuracies
    assert result.settings[0].mean("accuracy") == pytest.approx(np.mean(accuracies), abs=1e-6)


@pytest.mark.backends
def test_arrays_are_cross_validated_under_either_backend(tmp_path):
    """`zoo.cross_validate(data=...)` folds the training arrays as `zoo.train(data=...)` takes
    them; every fold learns the bands (chance is 1/3)."""
    x, y = _band_images(180, seed=7)
    x_test, y_test = _band_images(30, seed=8)
    result = zoo.cross_validate(
        model="lenet5_bn", data=(x[..., None], y, x_test[..., None], y_test), num_classes=3,
        epochs=2, batch_size=32, folds=3, results_path=tmp_path / "cv.json",
    )  # fmt: skip
    folds = result.settings[0].folds
    assert [f.fold.validation_split for f in folds] == [
        "train[0:60]", "train[60:120]", "train[120:180]"
    ]  # fmt: skip
    assert min(f.accuracy for f in folds) > 0.6, [f.accuracy for f in folds]
