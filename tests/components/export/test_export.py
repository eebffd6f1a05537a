"""SavedModel export: TF Serving layout, metadata, serving signatures, never overwriting."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from components.data import Preprocessing, preprocess_images
from components.export import (
    SIGNATURE_FLOAT,
    SIGNATURE_UINT8,
    export_classifier,
    load_metadata,
    resolve_model_dir,
)
from components.export.serving import SavedClassifier
from tests.conftest import make_run_facts

IMAGE_SHAPE = (12, 12, 1)
CLASS_NAMES = ["a", "b", "c"]
PREP = Preprocessing(mean=(0.3,), std=(0.4,))


def _model(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(IMAGE_SHAPE)
    x = keras.layers.Conv2D(4, 3)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.ReLU()(x))
    return keras.Model(inputs, keras.layers.Dense(len(CLASS_NAMES))(x))


def _export(keras_model, base, run=None):
    return export_classifier(
        keras_model,
        base,
        image_shape=IMAGE_SHAPE,
        preprocessing=PREP,
        class_names=CLASS_NAMES,
        run=run,
    )


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    model = _model()
    base = tmp_path_factory.mktemp("saved_models") / "tiny"
    return model, _export(model, base, make_run_facts(model="tiny", dataset="none"))


def test_layout_and_metadata(exported):
    _, path = exported
    assert path.name == "1"
    assert (path / "saved_model.pb").is_file() and (path / "variables").is_dir()
    metadata = json.loads((path / "metadata.json").read_text())
    assert metadata["model"] == "tiny"
    assert metadata["class_names"] == CLASS_NAMES
    assert metadata["input"]["shape"] == [None, *IMAGE_SHAPE]
    assert Preprocessing.from_dict(metadata["preprocessing"]) == PREP
    assert metadata["outputs"] == ["probabilities", "class_ids", "logits"]
    assert metadata["schema_version"] == 1 and metadata["kind"] == "train"
    assert load_metadata(path).to_json() == metadata
    # Nothing but the version directory is left behind in the base directory.
    assert [p.name for p in path.parent.iterdir()] == ["1"]


def test_signatures_match_the_keras_model(exported):
    model, path = exported
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, *IMAGE_SHAPE), dtype=np.uint8)
    expected_logits = model(preprocess_images(images, PREP), training=False).numpy()
    loaded = tf.saved_model.load(str(path))
    assert {SIGNATURE_FLOAT, SIGNATURE_UINT8} <= set(loaded.signatures)
    as_float = loaded.signatures[SIGNATURE_FLOAT](images=tf.constant(images, tf.float32))
    as_uint8 = loaded.signatures[SIGNATURE_UINT8](images=tf.constant(images))
    for outputs in (as_float, as_uint8):
        np.testing.assert_allclose(outputs["logits"].numpy(), expected_logits, atol=1e-5)
        probabilities = outputs["probabilities"].numpy()
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
        np.testing.assert_array_equal(outputs["class_ids"].numpy(), expected_logits.argmax(axis=1))


def test_wrong_shape_names_the_expected_shape(exported):
    _, path = exported
    loaded = tf.saved_model.load(str(path))
    for bad in (tf.zeros([2, 14, 14, 1]), tf.zeros([12, 12, 1]), tf.zeros([2, 12, 12, 3])):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[N, 12, 12, 1\]"):
            loaded.signatures[SIGNATURE_FLOAT](images=bad)
    classifier = SavedClassifier(path)
    with pytest.raises(ValueError, match=r"expects \[N, 12, 12, 1\]"):
        classifier.predict(np.zeros((2, 28, 28, 1), np.uint8))
    with pytest.raises(ValueError, match="or float numbers in 0..255, got dtype bool"):
        classifier.predict(np.zeros((2, 12, 12, 1), bool))


def test_next_version_never_overwrites(exported, tmp_path):
    base = tmp_path / "tiny"
    first = _export(_model(0), base)
    first_bytes = (first / "variables" / "variables.data-00000-of-00001").read_bytes()
    (base / "7").mkdir()  # a version made by someone else
    second = _export(_model(1), base)
    assert (first.name, second.name) == ("1", "8")
    assert (first / "variables" / "variables.data-00000-of-00001").read_bytes() == first_bytes
    assert resolve_model_dir(base) == second  # the base dir resolves to the newest export


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="2 class names for a model with 3 outputs"):
        export_classifier(
            _model(), tmp_path, image_shape=IMAGE_SHAPE, preprocessing=PREP, class_names=["a", "b"]
        )
    with pytest.raises(ValueError, match="not a SavedModel directory"):
        resolve_model_dir(tmp_path)


@pytest.mark.parametrize("damage", ["variables.data-00000-of-00001", "variables.index"])
def test_a_damaged_savedmodel_is_named_not_a_raw_tensorflow_error(tmp_path, damage):
    export = _export(_model(0), tmp_path / "tiny")
    path = export / "variables" / damage
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 3])  # truncated
    with pytest.raises(ValueError, match=r"tiny/1 is a damaged SavedModel: TensorFlow cannot"):
        SavedClassifier(export)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"schema_version": 1, "input": 3}'])
def test_a_malformed_metadata_file_is_named(tmp_path, text):
    from components.export.metadata import MetadataError, load_metadata

    export = _export(_model(0), tmp_path / "tiny")
    (export / "metadata.json").write_text(text)
    with pytest.raises(MetadataError, match=r"tiny/1/metadata.json"):
        load_metadata(export)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 255.5, -1.0])
def test_the_savedmodel_refuses_non_finite_and_out_of_range_images(tmp_path, bad):
    export = _export(_model(0), tmp_path / "tiny")
    serve = tf.saved_model.load(str(export)).signatures["serving_default"]
    images = np.full((2, *IMAGE_SHAPE), 128.0, np.float32)
    images[1, 3, 4, 0] = bad
    with pytest.raises(tf.errors.InvalidArgumentError, match="finite and in 0..255"):
        serve(images=tf.constant(images))
    # Anywhere in a big batch: the first element, a middle one, the last one.
    big = np.full((256, *IMAGE_SHAPE), 7.0, np.float32)
    for index in (0, big.size // 2 + 13, big.size - 1):
        flat = big.copy().reshape(-1)
        flat[index] = bad
        with pytest.raises(tf.errors.InvalidArgumentError, match="finite and in 0..255"):
            serve(images=tf.constant(flat.reshape(big.shape)))
    images[1, 3, 4, 0] = 255.0  # the edges are valid
    images[0, 0, 0, 0] = 0.0
    assert serve(images=tf.constant(images))["probabilities"].shape == (2, 3)


@pytest.mark.parametrize("tta", ["none", "flip", "flip_shift"])
def test_a_zero_size_batch_gets_empty_answers(tmp_path, tta):
    export = export_classifier(
        _model(0), tmp_path / "tiny", image_shape=IMAGE_SHAPE, preprocessing=PREP,
        class_names=CLASS_NAMES, tta=tta,
    )  # fmt: skip
    loaded = tf.saved_model.load(str(export))
    for name, dtype in (("serving_default", np.float32), ("serving_uint8", np.uint8)):
        out = loaded.signatures[name](images=tf.zeros((0, *IMAGE_SHAPE), dtype))
        assert out["probabilities"].shape == (0, 3) and out["logits"].shape == (0, 3)
        assert out["class_ids"].shape == (0,) and out["class_ids"].dtype == tf.int64
