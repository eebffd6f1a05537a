"""ONNX and LiteRT exports, end to end on a slice of Fashion-MNIST: checked by their own
runtimes (ONNX Runtime and the LiteRT interpreter, called directly here) against the
SavedModel and against NumPy, evaluated like the SavedModel, and refused clearly where they
cannot be made."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import zoo
from components.export import formats
from components.export.converters import convert_saved_model
from components.export.ensemble_comparison import compare_ensemble
from components.export.evaluation_report import evaluate_exports
from components.export.formats import FormatError, export_format, require_format
from components.export.metadata import load_metadata
from components.export.runtimes import find_format_file
from components.training.config import ConfigError, TrainConfig
from tests.conftest import tensorflow_backend_only
from zoo import cli

pytestmark = [pytest.mark.e2e, tensorflow_backend_only]

onnxruntime = pytest.importorskip("onnxruntime")
litert = pytest.importorskip("ai_edge_litert.interpreter")


@pytest.fixture(scope="module")
def runs(fashion_mnist_data_dir, tmp_path_factory):
    """Two lenet5_bn runs (seeds 0, 1) on train[:2000]; the first also exported as LiteRT by
    `train --format litert`'s setting."""
    workdir = tmp_path_factory.mktemp("formats")
    results = [
        zoo.train(
            model="lenet5_bn",
            seed=seed,
            data_dir=str(fashion_mnist_data_dir),
            train_split="train[:2000]",
            test_split="test[:500]",
            val_split=0.1,
            epochs=1,
            export_dir=workdir / "saved_models",
            log_dir=workdir / "logs",
            checkpoint_dir=workdir / f"ckpt{seed}",
            export_format="litert" if seed == 0 else "saved_model",
        )
        for seed in (0, 1)
    ]
    return workdir, results


@pytest.fixture(scope="module")
def test_images(fashion_mnist_data_dir):
    images, labels = tfds.as_numpy(
        tfds.load(
            "fashion_mnist",
            split="test[:500]",
            data_dir=str(fashion_mnist_data_dir),
            as_supervised=True,
            batch_size=-1,
        )
    )
    return images, labels


def _saved_model(directory, images):
    signature = tf.saved_model.load(str(directory)).signatures["serving_uint8"]
    return {k: v.numpy() for k, v in signature(images=tf.constant(images)).items()}


def _onnx(path, images):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, {"images": images.astype(np.float32)}), strict=True))


def _litert(path, images, signature="serving_uint8"):
    interpreter = litert.Interpreter(model_path=str(path))
    return interpreter.get_signature_runner(signature)(images=images)


def test_onnx_answers_as_the_saved_model_on_real_images(runs, test_images, tmp_path):
    _, results = runs
    images, _ = test_images
    version = export_format(results[0].export_dir, "onnx", tmp_path)
    assert version == tmp_path / "lenet5_bn-onnx" / "1"
    path = version / "model.onnx"
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    [given] = session.get_inputs()
    assert (given.name, given.type, given.shape) == (
        "images",
        "tensor(float)",
        ["batch", 28, 28, 1],
    )
    assert {o.name for o in session.get_outputs()} == {"probabilities", "class_ids", "logits"}
    want = _saved_model(results[0].export_dir, images)
    for count in (1, 7, 500):  # a dynamic batch
        got = _onnx(path, images[:count])
        assert np.max(np.abs(got["probabilities"] - want["probabilities"][:count])) <= 1e-4
        np.testing.assert_array_equal(got["class_ids"], want["class_ids"][:count])
    facts = json.loads((version / "metadata.json").read_text())
    assert facts["format"]["name"] == "onnx" and facts["format"]["opset"] == 15
    assert facts["format"]["check"]["images"] == "fashion_mnist test[:256]"
    assert facts["format"]["check"]["max_abs_difference"] <= formats.TOLERANCE
    assert facts["class_names"][0] == "T-shirt/top" and facts["input"]["dtypes"] == ["float32"]
    assert (
        facts["metrics"]
        == json.loads((results[0].export_dir / "metadata.json").read_text())["metrics"]
    )


def test_litert_from_the_train_flag_answers_as_the_saved_model(runs, test_images):
    workdir, results = runs
    images, _ = test_images
    version = workdir / "saved_models" / "lenet5_bn-litert" / "1"
    path = version / "model.tflite"
    assert path.is_file()  # `--format litert` on the run wrote it beside the SavedModel
    want = _saved_model(results[0].export_dir, images)
    for signature, typed in (("serving_uint8", images), ("serving_default", images.astype("f4"))):
        got = _litert(path, typed, signature)
        assert np.max(np.abs(got["probabilities"] - want["probabilities"])) <= 1e-4
    metadata = load_metadata(version)
    assert metadata.serving.format["name"] == "litert"
    assert metadata.run.metrics.test["accuracy"] == results[0].metrics.test["accuracy"]
    # The other run asked for no conversion and got none: one version of LiteRT only.
    assert sorted(p.name for p in version.parent.iterdir()) == ["1"]
    assert find_format_file(results[1].export_dir) is None


def test_evaluate_reports_the_saved_models_accuracy_for_each_format(
    runs, fashion_mnist_data_dir, test_images, tmp_path
):
    workdir, results = runs
    _, labels = test_images
    onnx_dir = export_format(results[0].export_dir, "onnx", tmp_path / "exports")
    tflite = workdir / "saved_models" / "lenet5_bn-litert" / "1" / "model.tflite"
    reports = evaluate_exports(
        [results[0].export_dir, onnx_dir, tflite],
        data_dir=fashion_mnist_data_dir,
        split="test[:500]",
        report_dir=tmp_path / "reports",
        batch_size=128,
    )
    truth = _saved_model(results[0].export_dir, test_images[0])
    accuracy = float(np.mean(truth["class_ids"] == labels))  # independent: the SavedModel
    assert [r["accuracy"] for r in reports] == pytest.approx([accuracy] * 3)
    assert reports[1]["loss"] == pytest.approx(reports[0]["loss"], abs=1e-5)


def test_an_ensemble_with_tta_converts_with_its_rule_and_views(
    runs, fashion_mnist_data_dir, test_images, tmp_path
):
    _, results = runs
    members = [str(r.export_dir) for r in results]
    compare_ensemble(
        members,
        method="mean-probs",
        data_dir=fashion_mnist_data_dir,
        test_split="test[:200]",
        export=True,
        export_dir=tmp_path,
        name="pair",
        tta="flip",
        export_format="onnx",
    )
    images = test_images[0][:50]
    # Independent: each member's SavedModel on the image and its mirror, averaged in NumPy.
    views = [images, images[:, :, ::-1, :]]
    want = np.mean([_saved_model(m, v)["probabilities"] for m in members for v in views], axis=0)
    got = _onnx(tmp_path / "pair-onnx" / "1" / "model.onnx", images)["probabilities"]
    assert np.max(np.abs(got - want)) <= 1e-4
    assert load_metadata(tmp_path / "pair-onnx" / "1").serving.tta == "flip"


def test_a_keras_source_converts_with_tta_as_numpy_computes_it(runs, test_images, tmp_path):
    _, results = runs
    source = tmp_path / "run" / "1"
    source.mkdir(parents=True)
    results[0].model.save(source / "model.keras")
    shutil.copy(results[0].export_dir / "metadata.json", source / "metadata.json")
    version = export_format(source, "litert", tmp_path / "out", tta="flip")
    images = test_images[0][:64]
    prep = results[0].preprocessing
    probabilities = []
    for view in (images, images[:, :, ::-1, :]):
        normalized = (view.astype("f4") * prep.scale - np.array(prep.mean)) / np.array(prep.std)
        logits = np.asarray(results[0].model.predict(normalized, verbose=0), np.float64)
        exp = np.exp(logits - logits.max(1, keepdims=True))
        probabilities.append(exp / exp.sum(1, keepdims=True))
    want = np.mean(probabilities, axis=0)
    got = _litert(version / "model.tflite", images)["probabilities"]
    assert np.max(np.abs(got - want)) <= 1e-4


def test_an_export_never_overwrites_and_versions_on(runs, tmp_path):
    _, results = runs
    first = export_format(results[0].export_dir, "onnx", tmp_path)
    before = (first / "model.onnx").read_bytes()
    second = export_format(results[1].export_dir, "onnx", tmp_path)
    assert (first.name, second.name) == ("1", "2")
    assert (first / "model.onnx").read_bytes() == before
    with pytest.raises(FormatError, match="exists: an export never overwrites"):
        convert_saved_model(results[0].export_dir, "onnx", first / "model.onnx")
    assert (first / "model.onnx").read_bytes() == before


def test_bad_sources_opsets_and_targets_are_refused(runs, tmp_path):
    _, results = runs
    junk = tmp_path / "notes.txt"
    junk.write_text("not a model")
    with pytest.raises(FormatError, match="neither a .keras file of a run"):
        export_format(junk, "onnx", tmp_path)
    with pytest.raises(FormatError, match="opset 99 is not supported; valid: 13..18"):
        export_format(results[0].export_dir, "onnx", tmp_path, opset=99)
    with pytest.raises(FormatError, match="is a file, not a directory"):
        export_format(results[0].export_dir, "onnx", junk)
    with pytest.raises(FormatError, match="TTA fixed at its export"):
        export_format(results[0].export_dir, "onnx", tmp_path, tta="flip")
    assert not any(tmp_path.glob("*-onnx"))


@keras.saving.register_keras_serializable(package="test_formats_only")
class _Unregistered(keras.layers.Layer):
    def call(self, inputs):
        return inputs


def test_a_keras_file_with_unknown_layers_is_refused_by_name(runs, tmp_path):
    _, results = runs
    inputs = keras.Input((28, 28, 1))
    model = keras.Model(
        inputs, keras.layers.Dense(10)(keras.layers.Flatten()(_Unregistered()(inputs)))
    )
    source = tmp_path / "run"
    source.mkdir()
    model.save(source / "model.keras")
    shutil.copy(results[0].export_dir / "metadata.json", source / "metadata.json")
    # Another process would not know the class: forget it here.
    keras.saving.get_custom_objects().pop("test_formats_only>_Unregistered")
    with pytest.raises(ValueError, match="classes Keras does not know .*>_Unregistered"):
        export_format(source, "onnx", tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_missing_converter_names_the_pip_install(monkeypatch, runs, tmp_path, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "onnxruntime" else real(name, *a),
    )
    with pytest.raises(
        FormatError,
        match=r"needs onnxruntime, which is not installed: "
        r"pip install 'classiczoo\[onnx\]'",
    ):
        require_format("onnx")
    assert require_format("litert") == "litert"
    _, results = runs
    assert cli.main(["export", str(results[0].export_dir), "--format", "onnx"]) == 2
    assert "pip install 'classiczoo[onnx]'" in capsys.readouterr().err
    with pytest.raises(ConfigError, match=r"pip install 'classiczoo\[onnx\]'"):
        TrainConfig.of(model="lenet5_bn", export_format="onnx")


def test_the_export_command_converts_and_names_the_version(runs, tmp_path, capsys):
    _, results = runs
    code = cli.main(
        [
            "export",
            str(results[0].export_dir.parent),
            "--format",
            "onnx",
            "--opset",
            "17",
            "--export-dir",
            str(tmp_path),
        ]
    )
    assert code == 0
    assert f"Exported ONNX: {tmp_path / 'lenet5_bn-onnx' / '1'}" in capsys.readouterr().out
    facts = json.loads((tmp_path / "lenet5_bn-onnx" / "1" / "metadata.json").read_text())
    assert facts["format"]["opset"] == 17
    assert Path(facts["format"]["source"]) == results[1].export_dir  # the base's highest


def test_the_serving_pages_snippets_run_on_real_exports(runs, tmp_path, monkeypatch, capsys):
    _, results = runs
    base = tmp_path / "saved_models"
    shutil.copytree(results[0].export_dir, base / "lenet5_bn" / "1")
    export_format(base / "lenet5_bn" / "1", "onnx", base)
    export_format(base / "lenet5_bn" / "1", "litert", base)
    monkeypatch.chdir(tmp_path)
    page = (Path(__file__).parents[3] / "docs" / "serving.md").read_text()
    snippets = re.findall(r"```python\n(.*?)```", page, flags=re.S)
    assert len(snippets) == 3  # the SavedModel's, ONNX Runtime's, LiteRT's
    answers = []
    for snippet in snippets:
        exec(compile(snippet, "docs/serving.md", "exec"), {})  # noqa: S102 (our own docs)
        answers.append(capsys.readouterr().out)
    # All three runtimes answer a black image with the same class.
    first_classes = {re.findall(r"\d+", answer.split("]")[0])[0] for answer in answers}
    assert len(first_classes) == 1, answers


def test_a_truncated_keras_file_is_named_damaged(runs, tmp_path):
    _, results = runs
    source = tmp_path / "run"
    source.mkdir()
    results[0].model.save(source / "model.keras")
    whole = (source / "model.keras").read_bytes()
    (source / "model.keras").write_bytes(whole[: len(whole) // 2])  # "File not found" before
    shutil.copy(results[0].export_dir / "metadata.json", source / "metadata.json")
    with pytest.raises(ValueError, match=r"Keras cannot load .*model.keras .*: a damaged file"):
        export_format(source, "onnx", tmp_path / "out")
