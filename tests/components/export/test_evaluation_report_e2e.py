"""Evaluation reports and ensembles of real exports, end to end on a slice of Fashion-MNIST:
the library functions (`evaluate_exports`, `compare_ensemble`) and their commands' checks."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import matplotlib.image
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import zoo
from components.data import Preprocessing
from components.export import export_classifier
from components.export.combination import combine
from components.export.ensemble import fit_weights
from components.export.ensemble_comparison import compare_ensemble
from components.export.evaluation_report import evaluate_exports
from components.export.serving import SavedClassifier
from tests.conftest import make_run_facts
from zoo import cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def exports(fashion_mnist_data_dir, tmp_path_factory):
    """Two small models trained on train[:3000] with its first 10 % held out for validation."""
    workdir = tmp_path_factory.mktemp("zoo")
    dirs = []
    for model, seed in (("lenet5_bn", 0), ("lenet5_bn", 1), ("lenet5", 0)):
        result = zoo.train(
            model=model,
            seed=seed,
            data_dir=str(fashion_mnist_data_dir),
            train_split="train[:3000]",
            test_split="test[:500]",
            val_split=0.1,
            epochs=1,
            export_dir=workdir / f"seed{seed}",
            log_dir=workdir / "logs",
        )
        dirs.append(str(result.export_dir))
    return workdir, dirs


def _split(data_dir, split):
    images, labels = tfds.as_numpy(
        tfds.load(
            "fashion_mnist", split=split, data_dir=data_dir, as_supervised=True, batch_size=-1
        )
    )
    return images, labels


def test_evaluate_writes_a_full_report(exports, fashion_mnist_data_dir, tmp_path):
    _, dirs = exports
    model_dir = dirs[0]
    before = sorted(p.name for p in Path(model_dir).iterdir())
    [report] = evaluate_exports(
        [model_dir],
        data_dir=fashion_mnist_data_dir,
        split="test[:500]",
        report_dir=tmp_path,
        batch_size=128,
    )
    # Independent: TensorFlow alone on the same images, metrics by hand.
    images, labels = _split(fashion_mnist_data_dir, "test[:500]")
    loaded = tf.saved_model.load(model_dir)
    logits = loaded.signatures["serving_uint8"](images=tf.constant(images))["logits"].numpy()
    log_probs = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    assert report["examples"] == 500
    assert report["loss"] == pytest.approx(-log_probs[np.arange(500), labels].mean(), rel=1e-4)
    assert report["accuracy"] == pytest.approx(np.mean(logits.argmax(1) == labels))
    top5 = np.mean([y in np.argsort(-row)[:5] for row, y in zip(logits, labels, strict=True)])
    assert report["top5_accuracy"] == pytest.approx(top5)
    matrix = np.array(report["confusion_matrix"])
    assert matrix.sum() == 500 and np.trace(matrix) == np.sum(logits.argmax(1) == labels)
    assert [row["class"] for row in report["per_class"]][:2] == ["T-shirt/top", "Trouser"]
    assert 0 <= report["calibration"]["ece"] < 1
    assert report["throughput"]["images_per_second"] > 0
    # The JSON beside the model is the only file added there; the pictures are elsewhere.
    path = Path(model_dir)
    name = "evaluation-fashion_mnist-test_500.json"
    assert sorted(p.name for p in path.iterdir()) == sorted([*before, name])
    assert json.loads((path / name).read_text())["accuracy"] == report["accuracy"]
    for key in ("confusion_matrix", "reliability", "mistakes"):
        image = matplotlib.image.imread(report["plots"][key])
        assert image.shape[0] > 100 and image[..., :3].std() > 0.05
    text = (tmp_path / "fashion_mnist-test_500-report.txt").read_text()
    assert "Ankle boot" in text and "precision" in text


def test_weighted_ensemble_is_fitted_on_validation_and_exports_one_model(
    exports, fashion_mnist_data_dir, capsys
):
    workdir, dirs = exports
    result = compare_ensemble(
        dirs,
        method="weighted",
        data_dir=fashion_mnist_data_dir,
        test_split="test[:500]",
        export=True,
        export_dir=workdir / "ensembles",
    )
    printed = capsys.readouterr().out
    assert "validation = first 300 examples of train[:3000]" in printed  # from their metadata
    # Not a terminal: each pass over a split is one progress line, not a bar redrawn per batch.
    assert "500/500 - " in printed and "━" not in printed, printed
    # The weights are those fitted on the held-out 300 training images, not on the test split.
    val_images, val_labels = _split(fashion_mnist_data_dir, "train[:300]")
    members = [SavedClassifier(d) for d in dirs]
    probs = np.stack([m.predict(val_images)["probabilities"] for m in members])
    np.testing.assert_allclose(result.weights, fit_weights(probs, val_labels), atol=1e-4)
    # Side by side: one row per member, then the ensemble.
    assert len(result.rows) == 4 and result.rows[-1]["name"] == "ensemble weighted"
    assert "test acc" in printed and "ensemble weighted" in printed
    # The export is one SavedModel that evaluates like any other and answers as the rule does.
    export_dir = str(result.export_dir)
    assert export_dir.endswith("ensembles/ensemble-lenet5_bn-lenet5_bn-lenet5/1")
    test_images, test_labels = _split(fashion_mnist_data_dir, "test[:500]")
    logits = np.stack([m.predict(test_images)["logits"] for m in members])
    want = combine(logits, "weighted", np.array(result.weights))
    got = SavedClassifier(export_dir).predict(test_images)
    np.testing.assert_allclose(got["probabilities"], want["probabilities"].numpy(), atol=1e-5)
    [report] = evaluate_exports(
        [export_dir],
        data_dir=fashion_mnist_data_dir,
        split="test[:500]",
        report_dir=workdir / "reports",
    )
    assert report["accuracy"] == pytest.approx(result.rows[-1]["accuracy"])
    assert report["accuracy"] == pytest.approx(np.mean(got["class_ids"] == test_labels))
    metadata = json.loads((Path(export_dir) / "metadata.json").read_text())
    assert metadata["ensemble"]["weights"] == pytest.approx(result.weights)


def test_mean_probs_ensemble_beats_or_matches_its_average_member(exports, fashion_mnist_data_dir):
    _, dirs = exports
    result = compare_ensemble(dirs[:2], data_dir=fashion_mnist_data_dir, test_split="test[:500]")
    losses = [row["loss"] for row in result.rows]
    # Jensen: the loss of the mean probability is at most the mean of the members' losses.
    assert losses[-1] <= np.mean(losses[:-1]) + 1e-6


@pytest.fixture
def other_shape_export(tmp_path):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((12, 12, 1))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(10)(x))
    names = [str(i) for i in range(10)]
    return export_classifier(
        model,
        tmp_path / "small",
        image_shape=(12, 12, 1),
        class_names=names,
        preprocessing=Preprocessing(mean=(0.0,), std=(1.0,)),
        run=make_run_facts(model="small", dataset="fashion_mnist"),
    )


def test_bad_input_is_refused_clearly(
    exports, other_shape_export, fashion_mnist_data_dir, capsys, tmp_path
):
    _, dirs = exports
    with pytest.raises(ValueError, match="is not a SavedModel directory"):
        evaluate_exports([tmp_path], data_dir=fashion_mnist_data_dir)
    with pytest.raises(ValueError, match=r"images are \[28, 28, 1\].*expects \[N, 12, 12, 1\]"):
        evaluate_exports([other_shape_export], data_dir=fashion_mnist_data_dir, split="test[:10]")
    with pytest.raises(
        ValueError, match=rf"Member {other_shape_export} takes 'images' \[None, 12"
    ):
        compare_ensemble([dirs[0], other_shape_export], data_dir=fashion_mnist_data_dir)
    # The commands: usage errors exit 2 before anything loads, bad input exits 1 with one line.
    data = f"--data-dir={fashion_mnist_data_dir}"
    assert cli.main(["evaluate"]) == 2
    assert "the following arguments are required: model_dirs" in capsys.readouterr().err
    assert cli.main(["ensemble"]) == 2
    assert "at least two model directories, got 0" in capsys.readouterr().err
    assert cli.main(["ensemble", dirs[0], dirs[1], "--method=weighted", "--weights", "1"]) == 2
    assert "1 weights for 2 members" in capsys.readouterr().err
    assert cli.main(["ensemble", dirs[0], str(tmp_path), data]) == 1
    err = capsys.readouterr().err
    assert f"classiczoo ensemble: error: {tmp_path} is not a SavedModel" in err
    assert "Traceback" not in err
    member = SavedClassifier(dirs[0])
    with pytest.raises(ValueError, match="dtype string"):
        member.predict(np.full((2, 28, 28, 1), "x"))
    with pytest.raises(
        ValueError, match=r"shape \[28, 28\] do not fit .* expects \[N, 28, 28, 1\]"
    ):
        member.predict(np.zeros((28, 28), np.uint8))


def _tiny_export(tmp_path, seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 5, strides=2)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(10)(x))
    return export_classifier(
        model,
        tmp_path / f"tiny{seed}",
        image_shape=(28, 28, 1),
        class_names=[str(i) for i in range(10)],
        preprocessing=Preprocessing(mean=(0.3,), std=(0.35,)),
        run=make_run_facts(model=f"tiny{seed}"),
    )


def test_an_ensemble_compared_with_flip_shift_tta_answers_as_its_export(
    fashion_mnist_data_dir, tmp_path
):
    dirs = [str(_tiny_export(tmp_path, seed)) for seed in (0, 1)]
    result = compare_ensemble(
        dirs, data_dir=fashion_mnist_data_dir, test_split="test[:64]", tta="flip_shift",
        export=True, export_dir=tmp_path / "ensembles",
    )  # fmt: skip
    # NumPy's six views and weights (tests/components/export/test_tta.py), the members' mean.
    images, labels = _split(fashion_mnist_data_dir, "test[:64]")
    members = [SavedClassifier(d) for d in dirs]
    want = 0
    for shift, weight in ((0, 0.25), (1, 0.125), (-1, 0.125)):
        reach = abs(shift)
        padded = np.pad(images, [(0, 0), (reach, reach), (reach, reach), (0, 0)])
        shifted = padded[:, reach - shift : reach - shift + 28, reach - shift : reach - shift + 28]
        for view in (shifted, shifted[:, :, ::-1]):
            view = np.ascontiguousarray(view)
            want = want + weight * np.mean([m.predict(view)["probabilities"] for m in members], 0)
    assert result.rows[-1]["accuracy"] == pytest.approx(np.mean(want.argmax(1) == labels))
    exported = SavedClassifier(result.export_dir)
    assert exported.metadata.serving.tta == "flip_shift"
    np.testing.assert_allclose(exported.predict(images)["probabilities"], want, atol=1e-5)
