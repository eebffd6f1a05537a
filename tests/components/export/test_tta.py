"""Test-time augmentation: the mean of an image's and its mirror's probabilities, outside an
export and inside its graph, with the same signatures."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from components.data import Preprocessing
from components.export import SavedClassifier, export_classifier, export_ensemble
from components.export.tta import check_tta, tta_views, untrained_view_warning

PREP = Preprocessing(mean=(0.3,), std=(0.4,))
NAMES = ["a", "b", "c"]


def _model(seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(x)))


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    root = tmp_path_factory.mktemp("tta")
    model = _model(0)
    common = {"image_shape": (8, 8, 1), "preprocessing": PREP, "class_names": NAMES}
    plain = export_classifier(model, root / "plain", **common)
    flipped = export_classifier(model, root / "flip", **common, tta="flip")
    other = export_classifier(_model(1), root / "other", **common)
    return plain, flipped, other


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, (6, 8, 8, 1), dtype=np.uint8)


def test_tta_in_the_graph_is_the_mean_of_the_two_calls(exports, images):
    plain, flipped, _ = exports
    plain_model = tf.saved_model.load(str(plain))
    serve = plain_model.signatures["serving_uint8"]
    p = serve(images=tf.constant(images))["probabilities"].numpy()
    p_mirror = serve(images=tf.constant(images[:, :, ::-1]))["probabilities"].numpy()
    want = (p + p_mirror) / 2
    got = tf.saved_model.load(str(flipped))
    for signature, dtype in (("serving_uint8", tf.uint8), ("serving_default", tf.float32)):
        out = got.signatures[signature](images=tf.constant(images, dtype))
        assert set(out) == {"probabilities", "class_ids", "logits"}
        np.testing.assert_allclose(out["probabilities"].numpy(), want, atol=1e-6)
        np.testing.assert_allclose(_softmax(out["logits"].numpy()), want, atol=1e-6)
        np.testing.assert_array_equal(out["class_ids"].numpy(), want.argmax(1))
    # An export answers the same for the same input, every call.
    again = got.signatures["serving_uint8"](images=tf.constant(images))["probabilities"]
    np.testing.assert_array_equal(again.numpy(), got.signatures["serving_uint8"](
        images=tf.constant(images))["probabilities"].numpy())  # fmt: skip
    metadata = json.loads((flipped / "metadata.json").read_text())
    assert metadata["tta"] == "flip"
    assert json.loads((plain / "metadata.json").read_text())["tta"] == "none"


def test_tta_outside_the_graph_equals_the_graphs(exports, images):
    plain, flipped, _ = exports
    outside = SavedClassifier(plain).predict(images, tta="flip")
    inside = SavedClassifier(flipped).predict(images)
    np.testing.assert_allclose(outside["probabilities"], inside["probabilities"], atol=1e-6)


def test_an_ensemble_with_tta_averages_its_rule_over_the_views(exports, images, tmp_path):
    plain, _, other = exports
    members = [SavedClassifier(plain), SavedClassifier(other)]
    path = export_ensemble(members, tmp_path / "ens", method="mean-probs", tta="flip")
    views = [images, images[:, :, ::-1]]
    want = np.mean(
        [np.mean([m.predict(v)["probabilities"] for m in members], axis=0) for v in views],
        axis=0,
    )
    got = SavedClassifier(path).predict(images)
    np.testing.assert_allclose(got["probabilities"], want, atol=1e-6)
    assert SavedClassifier(path).metadata.serving.tta == "flip"


def test_views_and_bad_modes():
    batch = tf.reshape(tf.range(8.0), (1, 2, 4, 1))
    plain, mirror = tta_views(batch, "flip")
    np.testing.assert_array_equal(mirror.numpy()[0, :, :, 0], batch.numpy()[0, :, ::-1, 0])
    assert len(tta_views(batch, "none")) == 1
    with pytest.raises(
        ValueError, match="Unknown test-time augmentation 'rotate'; valid: none, flip"
    ):
        check_tta("rotate")


@pytest.mark.parametrize(
    "augment, warns",
    [("none", True), ("crop,erasing", True), ("flip", False), ("standard,mixup", False)],
)
def test_tta_flip_warns_for_a_model_that_never_saw_a_mirror_image(augment, warns):
    warning = untrained_view_warning("flip", augment)
    assert (warning is not None) == warns
    if warns:
        assert repr(augment) in warning and "never seen a mirror image" in warning
    assert untrained_view_warning("none", augment) is None
    assert untrained_view_warning("flip", None) is None  # an ensemble: its members know
