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
from components.export.tta import (
    TTA_MODES,
    check_tta,
    combine_views,
    tta_views,
    untrained_view_warning,
    view_weights,
)

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
    shifted = export_classifier(model, root / "flip_shift", **common, tta="flip_shift")
    return plain, flipped, other, shifted


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, (6, 8, 8, 1), dtype=np.uint8)


def test_tta_in_the_graph_is_the_mean_of_the_two_calls(exports, images):
    plain, flipped, _, _ = exports
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
    plain, flipped, _, _ = exports
    outside = SavedClassifier(plain).predict(images, tta="flip")
    inside = SavedClassifier(flipped).predict(images)
    np.testing.assert_allclose(outside["probabilities"], inside["probabilities"], atol=1e-6)


def test_an_ensemble_with_tta_averages_its_rule_over_the_views(exports, images, tmp_path):
    plain, _, other, _ = exports
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


def numpy_shift(images, s):
    """`[N, H, W, C]` shifted s pixels down and right (up and left for s < 0), black borders."""
    padded = np.pad(images, [(0, 0), (abs(s), abs(s)), (abs(s), abs(s)), (0, 0)])
    h, w = images.shape[1:3]
    return padded[:, abs(s) - s : abs(s) - s + h, abs(s) - s : abs(s) - s + w]


def numpy_flip_shift_views(images):
    """airbench's six views and weights: as is and mirrored 1/4 each; shifted +1 and -1 on
    both axes, each as is and mirrored, 1/8 each."""
    views, weights = [], []
    for s, weight in ((0, 0.25), (1, 0.125), (-1, 0.125)):
        shifted = numpy_shift(images, s)
        views += [shifted, shifted[:, :, ::-1]]
        weights += [weight, weight]
    return views, np.array(weights)


def test_flip_shift_views_are_numpys_shifts_and_mirrors():
    assert TTA_MODES == ("none", "flip", "flip_shift")
    images = np.random.default_rng(0).integers(1, 256, (2, 5, 6, 3)).astype(np.uint8)
    expected, weights = numpy_flip_shift_views(images)
    got = tta_views(tf.constant(images), "flip_shift")
    assert [v.dtype for v in got] == [tf.uint8] * 6
    for view, want in zip(got, expected, strict=True):
        np.testing.assert_array_equal(view.numpy(), want)
    assert view_weights("flip_shift") == tuple(weights) and sum(weights) == 1.0
    assert view_weights("flip") == (0.5, 0.5) and view_weights("none") == (1.0,)
    # One image [H, W, C] (what an unbatched dataset maps) gets the same views.
    single = tta_views(tf.constant(images[1]), "flip_shift")
    for view, want in zip(single, expected, strict=True):
        np.testing.assert_array_equal(view.numpy(), want[1])


def test_combine_views_is_the_weighted_mean_of_the_probabilities():
    logits = np.random.default_rng(1).normal(size=(6, 4, 3)).astype(np.float32)
    _, weights = numpy_flip_shift_views(np.zeros((1, 3, 3, 1)))
    want = np.einsum("v,vnk->nk", weights, _softmax(logits))
    out = combine_views(list(logits), "flip_shift")
    np.testing.assert_allclose(out["probabilities"].numpy(), want, atol=1e-6)
    np.testing.assert_allclose(_softmax(out["logits"].numpy()), want, atol=1e-6)
    np.testing.assert_array_equal(out["class_ids"].numpy(), want.argmax(1))
    flip = combine_views(logits[:2], "flip")["probabilities"].numpy()
    np.testing.assert_allclose(flip, _softmax(logits[:2]).mean(0), atol=1e-7)
    with pytest.raises(ValueError, match="TTA flip_shift has 6 views, got the logits of 2"):
        combine_views(list(logits[:2]), "flip_shift")


def test_flip_shift_in_the_graph_and_outside_it_is_the_weighted_mean(exports, images):
    plain, _, _, shifted = exports
    serve = tf.saved_model.load(str(plain)).signatures["serving_uint8"]
    views, weights = numpy_flip_shift_views(images)
    want = sum(
        w * serve(images=tf.constant(np.ascontiguousarray(v)))["probabilities"].numpy()
        for v, w in zip(views, weights, strict=True)
    )
    got = tf.saved_model.load(str(shifted))
    for signature, dtype in (("serving_uint8", tf.uint8), ("serving_default", tf.float32)):
        out = got.signatures[signature](images=tf.constant(images, dtype))
        np.testing.assert_allclose(out["probabilities"].numpy(), want, atol=1e-6)
        np.testing.assert_array_equal(out["class_ids"].numpy(), want.argmax(1))
    assert json.loads((shifted / "metadata.json").read_text())["tta"] == "flip_shift"
    outside = SavedClassifier(plain).predict(images, tta="flip_shift")
    np.testing.assert_allclose(outside["probabilities"], want, atol=1e-6)
    # Over a dataset too, as `classiczoo evaluate --tta flip_shift` reads it.
    dataset = tf.data.Dataset.from_tensor_slices((images, np.zeros(len(images), np.int64)))
    seen = SavedClassifier(plain).predict_dataset(dataset, batch_size=4, progress=False,
                                                  tta="flip_shift")  # fmt: skip
    np.testing.assert_allclose(seen["probabilities"], want, atol=1e-6)


def test_an_ensemble_with_flip_shift_weights_its_rule_over_the_views(exports, images, tmp_path):
    plain, _, other, _ = exports
    members = [SavedClassifier(plain), SavedClassifier(other)]
    path = export_ensemble(members, tmp_path / "ens", method="mean-probs", tta="flip_shift")
    views, weights = numpy_flip_shift_views(images)
    want = sum(
        w * np.mean([m.predict(np.ascontiguousarray(v))["probabilities"] for m in members], 0)
        for v, w in zip(views, weights, strict=True)
    )
    got = SavedClassifier(path).predict(images)
    np.testing.assert_allclose(got["probabilities"], want, atol=1e-6)


@pytest.mark.parametrize(
    "augment, unseen",
    [
        ("none", "a mirror image or a shifted image"),
        ("flip", "a shifted image"),
        ("crop", "a mirror image"),
        ("standard", None),
        ("altflip,translate", None),
    ],
)
def test_tta_flip_shift_warns_for_views_the_model_never_saw(augment, unseen):
    warning = untrained_view_warning("flip_shift", augment)
    if unseen is None:
        assert warning is None
    else:
        assert f"never seen {unseen}," in warning and repr(augment) in warning
    assert untrained_view_warning("flip", "altflip") is None
