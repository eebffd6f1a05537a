"""Ensembles: rules against NumPy, fitted weights, the one-SavedModel export, TF's own tools."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from components.data import Preprocessing
from components.export import SIGNATURE_FLOAT, SIGNATURE_UINT8, export_classifier
from components.export.combination import METHODS, check_method, combine
from components.export.ensemble import check_members_agree, export_ensemble, fit_weights
from components.export.serving import SavedClassifier
from tests.conftest import make_run_facts

IMAGE_SHAPE = (12, 12, 1)
NAMES = ["a", "b", "c"]
SAVED_MODEL_CLI = Path(sys.executable).with_name("saved_model_cli")


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _model(seed, image_shape=IMAGE_SHAPE, classes=3):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input(image_shape)
    x = keras.layers.Conv2D(4, 3)(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.ReLU()(x))
    return keras.Model(inputs, keras.layers.Dense(classes)(x))


def _export(base, seed, image_shape=IMAGE_SHAPE, names=NAMES, mean=0.3):
    return export_classifier(
        _model(seed, image_shape, len(names)),
        base,
        image_shape=image_shape,
        preprocessing=Preprocessing(mean=(mean,), std=(0.4,)),
        class_names=names,
        run=make_run_facts(model=base.name, dataset="none"),
    )


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    root = tmp_path_factory.mktemp("members")
    return [SavedClassifier(_export(root / f"m{i}", seed=i, mean=0.1 * i)) for i in range(3)]


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, (9, *IMAGE_SHAPE)).astype(np.uint8)


def test_rules_against_numpy():
    z = np.random.default_rng(1).normal(size=(3, 20, 4)) * 3
    p = _softmax(z)
    w = np.array([0.5, 0.3, 0.2])
    expected = {
        "mean-probs": p.mean(0),
        "mean-logits": _softmax(z.mean(0)),
        "weighted": np.einsum("m,mnk->nk", w, p),
    }
    for method, want in expected.items():
        out = combine(z, method, w)
        np.testing.assert_allclose(out["probabilities"].numpy(), want, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(out["class_ids"].numpy(), want.argmax(1))
        # softmax(logits) gives the probabilities back: the outputs of a single model.
        np.testing.assert_allclose(_softmax(out["logits"].numpy()), want, rtol=1e-4, atol=1e-6)


def test_vote_is_the_majority_and_ties_go_to_the_mean_probability():
    # Members' top classes per example: (0, 0, 1) -> 0; (2, 1, 1) -> 1; (0, 1, 2): a tie, broken
    # by the mean probability, which favours class 2 below.
    z = np.array(
        [
            [[5.0, 0, 0], [0, 0, 5.0], [3.0, 0, 0]],
            [[5.0, 0, 0], [0, 5.0, 0], [0, 3.0, 0]],
            [[0, 5.0, 0], [0, 5.0, 0], [0, 0, 9.0]],
        ]
    )
    out = combine(z, "vote")
    assert out["class_ids"].numpy().tolist() == [0, 1, 2]
    votes = np.array([[2, 1, 0], [0, 2, 1], [1, 1, 1]], float)
    want = (votes + _softmax(z).mean(0)) / 4
    np.testing.assert_allclose(out["probabilities"].numpy(), want, rtol=1e-5)
    np.testing.assert_allclose(out["probabilities"].numpy().sum(1), 1.0, rtol=1e-6)


def test_fitted_weights_match_a_grid_search_and_favour_the_good_member():
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, 400)
    good = _softmax(np.eye(3)[labels] * 2.0 + rng.normal(size=(400, 3)))
    noisy = _softmax(rng.normal(size=(400, 3)) * 2)
    members = np.stack([noisy, good])
    w = fit_weights(members, labels)
    assert w.sum() == pytest.approx(1.0) and (w >= 0).all()

    def loss(weights):
        return -np.log(np.einsum("m,mn->n", weights, members[:, np.arange(400), labels])).mean()

    grid = np.linspace(0, 1, 2001)
    best = grid[np.argmin([loss(np.array([1 - g, g])) for g in grid])]
    assert w[1] == pytest.approx(best, abs=1e-3)
    assert w[1] > 0.8
    assert loss(w) <= min(loss(np.array([0.5, 0.5])), loss(np.array([0.0, 1.0]))) + 1e-9


def test_method_and_weights_are_checked():
    assert check_method("weighted", [2, 1, 1], 3).tolist() == [0.5, 0.25, 0.25]
    with pytest.raises(ValueError, match="Unknown ensemble method 'median'"):
        check_method("median", None, 2)
    with pytest.raises(ValueError, match="at least two members, got 1"):
        check_method("vote", None, 1)
    with pytest.raises(ValueError, match="2 weights given for 3 members"):
        check_method("weighted", [1, 1], 3)
    with pytest.raises(ValueError, match="not all 0"):
        check_method("weighted", [0, 0], 2)
    with pytest.raises(ValueError, match=">= 0"):
        check_method("weighted", [1, -1], 2)


def test_the_command_offers_every_method():
    from zoo.cli.ensemble import build_parser

    [method] = [a for a in build_parser()._actions if a.dest == "method"]
    assert tuple(method.choices) == METHODS


@pytest.mark.parametrize("method", METHODS)
def test_exported_ensemble_answers_like_its_members_combined(members, images, tmp_path, method):
    weights = [3.0, 1.0, 1.0] if method == "weighted" else None
    path = export_ensemble(members, tmp_path / "ens", method=method, weights=weights)
    assert path == tmp_path / "ens" / "1"
    member_logits = np.stack([m.predict(images)["logits"] for m in members])
    want = combine(member_logits, method, check_method(method, weights, 3))
    loaded = tf.saved_model.load(str(path))
    assert {SIGNATURE_FLOAT, SIGNATURE_UINT8} <= set(loaded.signatures)
    for signature, batch in (
        (SIGNATURE_FLOAT, images.astype(np.float32)),
        (SIGNATURE_UINT8, images),
    ):
        got = loaded.signatures[signature](images=tf.constant(batch))
        assert set(got) == {"probabilities", "class_ids", "logits"}
        for key in got:
            np.testing.assert_allclose(got[key].numpy(), want[key].numpy(), rtol=1e-5, atol=1e-6)
    metadata = json.loads((path / "metadata.json").read_text())
    assert metadata["kind"] == "ensemble" and metadata["hyperparameters"] is None
    assert metadata["ensemble"]["method"] == method
    assert [m["path"] for m in metadata["ensemble"]["members"]] == [str(m.path) for m in members]
    assert metadata["class_names"] == NAMES and metadata["input"]["shape"] == [None, 12, 12, 1]


def test_ensemble_export_is_a_single_model_to_every_tool(members, images, tmp_path):
    path = export_ensemble(members, tmp_path / "ens", method="mean-probs")
    again = export_ensemble(members, tmp_path / "ens", method="mean-probs")
    assert again.name == "2" and path.name == "1"  # never overwritten
    # It loads, checks and predicts as a single export does, itself an ensemble member.
    ensemble = SavedClassifier(path)
    assert ensemble.input_shape == members[0].input_shape and ensemble.class_names == NAMES
    out = ensemble.predict(images)
    assert out["probabilities"].shape == (9, 3)
    with pytest.raises(ValueError, match=r"expects \[N, 12, 12, 1\]"):
        ensemble.predict(images[:, :10])
    nested = export_ensemble([ensemble, members[0]], tmp_path / "nested", method="mean-probs")
    want = (out["probabilities"] + members[0].predict(images)["probabilities"]) / 2
    np.testing.assert_allclose(
        SavedClassifier(nested).predict(images)["probabilities"], want, rtol=1e-5
    )
    # In-graph check when the signature is called directly with a wrong shape.
    loaded = tf.saved_model.load(str(path))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"expected images of shape"):
        loaded.signatures[SIGNATURE_FLOAT](images=tf.zeros((2, 10, 12, 1)))


def test_members_that_differ_are_named(members, tmp_path):
    other_shape = SavedClassifier(_export(tmp_path / "wide", 0, image_shape=(16, 16, 1)))
    with pytest.raises(ValueError, match=rf"Member {other_shape.path} takes 'images' \[None, 16"):
        check_members_agree([members[0], other_shape])
    other_names = SavedClassifier(_export(tmp_path / "names", 0, names=["a", "b", "z"]))
    with pytest.raises(ValueError, match=rf"Member {other_names.path} predicts the classes"):
        export_ensemble([members[0], other_names], tmp_path / "e", method="mean-probs")
    assert not (tmp_path / "e").exists()
    with pytest.raises(ValueError, match="No members given"):
        check_members_agree([])
    # The same export twice, once through its base directory: an "ensemble" of one model.
    again = SavedClassifier(members[1].path.parent)
    with pytest.raises(ValueError, match=rf"{again.path} is the same export as {members[1].path}"):
        check_members_agree([members[0], members[1], again])


def test_evaluate_and_ensemble_never_download(members, tmp_path):
    # The members' metadata names a dataset that is not prepared in this (empty) data dir.
    from components.data.tfds_loading import DataUnavailableError
    from components.export.ensemble_comparison import compare_ensemble
    from components.export.evaluation_report import evaluate_exports

    data_dir = tmp_path / "tfds"
    data_dir.mkdir()
    with pytest.raises(DataUnavailableError, match="'mnist' is not prepared .* does not download"):
        evaluate_exports([str(members[0].path)], dataset="mnist", data_dir=data_dir)
    with pytest.raises(DataUnavailableError, match="does not download"):
        compare_ensemble(
            [str(m.path) for m in members[:2]], method="mean-probs", dataset="mnist",
            data_dir=data_dir,
        )  # fmt: skip
    assert list(data_dir.rglob("*")) == []  # no incomplete.*, no downloads/*.tmp


def _cli(*args):
    out = subprocess.run(
        [str(SAVED_MODEL_CLI), *args], capture_output=True, text=True, timeout=180
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.mark.parametrize("kind", ["single", "ensemble"])
def test_saved_model_cli_shows_and_runs_every_export(members, images, tmp_path, kind):
    if kind == "single":
        model = members[0]
        path = model.path
    else:
        path = export_ensemble(members, tmp_path / "ens", method="mean-logits")
        model = SavedClassifier(path)
    shown = _cli("show", "--dir", str(path), "--all")
    for signature in (SIGNATURE_FLOAT, SIGNATURE_UINT8):
        assert f"signature_def['{signature}']" in shown
    assert "inputs['images'] tensor_info" in shown and "shape: (-1, 12, 12, 1)" in shown
    for output in ("probabilities", "class_ids", "logits"):
        assert f"outputs['{output}'] tensor_info" in shown
    np.save(tmp_path / "images.npy", images.astype(np.float32))
    out_dir = tmp_path / "cli_out"
    printed = _cli(
        "run",
        "--dir",
        str(path),
        "--tag_set",
        "serve",
        "--signature_def",
        SIGNATURE_FLOAT,
        "--inputs",
        f"images={tmp_path / 'images.npy'}",
        "--outdir",
        str(out_dir),
    )
    assert "probabilities" in printed or (out_dir / "probabilities.npy").is_file()
    want = model.predict(images)
    np.testing.assert_allclose(
        np.load(out_dir / "probabilities.npy"), want["probabilities"], rtol=1e-5, atol=1e-6
    )
    np.testing.assert_array_equal(np.load(out_dir / "class_ids.npy"), want["class_ids"])
