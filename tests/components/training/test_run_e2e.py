"""`zoo.train` end to end on a slice of the real Fashion-MNIST: train, export, reload elsewhere,
evaluate; and the run's early refusals."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import zoo
from components.data import load_normalized, preprocess_images
from components.export import load_metadata
from components.export.evaluation_report import evaluate_exports
from components.training import ConfigError, TrainConfig, compile_classifier
from zoo import cli

# Runs with TensorFlow alone, and proves it: no module of the project gets imported.
RELOAD_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    import tensorflow as tf
    model_dir, images_path, out_path = sys.argv[1:]
    loaded = tf.saved_model.load(model_dir)
    images = np.load(images_path)
    outputs = loaded.signatures["serving_uint8"](images=tf.constant(images))
    as_float = loaded.signatures["serving_default"](images=tf.constant(images, tf.float32))
    np.savez(out_path, **{k: v.numpy() for k, v in outputs.items()},
             float_probabilities=as_float["probabilities"].numpy())
    project = [m for m in sys.modules if m.split(".")[0] in ("components", "zoo", "recipes")]
    assert not project, project
    """
)


@pytest.fixture(scope="module")
def trained(fashion_mnist_data_dir, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("run")
    config = TrainConfig.of(
        model="lenet5_bn",
        dataset="fashion_mnist",
        data_dir=str(fashion_mnist_data_dir),
        train_split="train[:4000]",
        test_split="test[:1000]",
        val_split=0.1,
        epochs=2,
        batch_size=128,
        export_dir=workdir / "saved_models",
        log_dir=workdir / "logs",
        checkpoint_dir=workdir / "checkpoints",
    )
    return zoo.train(config), workdir


@pytest.mark.e2e
def test_the_result_holds_history_metrics_export_and_model(trained):
    result, workdir = trained
    assert result.completed and result.stopped_at_step is None
    assert result.export_dir == workdir / "saved_models" / "lenet5_bn" / "1"
    assert len(result.history["loss"]) == 2 and len(result.history["val_accuracy"]) == 2
    assert result.metrics.validation["accuracy"] == result.history["val_accuracy"][-1]
    assert (
        result.config.optimization.optimizer == zoo.get_defaults("lenet5_bn").optimizer
    )  # filled in
    assert result.model.output_shape == (None, 10)
    assert not (workdir / "checkpoints").exists()  # removed once the run finished


@pytest.mark.e2e
def test_export_layout_metadata_and_logs(trained):
    result, workdir = trained
    export_dir = result.export_dir
    assert (export_dir / "saved_model.pb").is_file()
    metadata = json.loads((export_dir / "metadata.json").read_text())
    assert metadata["schema_version"] == 1 and metadata["kind"] == "train"
    assert metadata["model"] == "lenet5_bn" and metadata["dataset"] == "fashion_mnist"
    assert metadata["class_names"][0] == "T-shirt/top" and len(metadata["class_names"]) == 10
    assert metadata["input"]["shape"] == [None, 28, 28, 1]
    assert metadata["hyperparameters"]["epochs"] == 2
    assert metadata["hyperparameters"]["seed"] == 0
    assert metadata["hyperparameters"]["deterministic"] is False
    assert set(metadata["metrics"]) >= {"train", "validation", "test", "history"}
    assert metadata["metrics"]["test"]["accuracy"] > 0.6  # 2 epochs on 3,600 images
    assert metadata["metrics"]["test"]["accuracy"] == pytest.approx(
        result.metrics.test["accuracy"]
    )
    assert metadata["versions"]["tensorflow"] == tf.__version__
    # The command that reproduces the run, from the config's own fields.
    assert metadata["command"].startswith("classiczoo train --model lenet5_bn")
    assert "--epochs 2" in metadata["command"] and "--val-split 0.1" in metadata["command"]
    assert load_metadata(export_dir).run.metrics.test == result.metrics.test
    assert list((workdir / "logs" / "train").glob("events.out.tfevents.*"))
    assert list((workdir / "logs" / "validation").glob("events.out.tfevents.*"))


@pytest.mark.e2e
def test_reload_in_a_fresh_process_predicts_the_same(trained, fashion_mnist_data_dir, tmp_path):
    result, _ = trained
    test = tfds.load(
        "fashion_mnist", split="test[:300]", data_dir=fashion_mnist_data_dir, as_supervised=True
    )
    images, _ = next(iter(test.batch(300).as_numpy_iterator()))
    logits = result.model(preprocess_images(images, result.preprocessing), training=False)
    expected = tf.nn.softmax(logits).numpy()
    np.save(tmp_path / "images.npy", images)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            RELOAD_SCRIPT,
            str(result.export_dir),
            str(tmp_path / "images.npy"),
            str(tmp_path / "out.npz"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository, so nothing of it is importable by accident
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    got = np.load(tmp_path / "out.npz")
    np.testing.assert_allclose(got["probabilities"], expected, atol=1e-5)
    np.testing.assert_allclose(got["float_probabilities"], expected, atol=1e-5)
    np.testing.assert_array_equal(got["class_ids"], expected.argmax(axis=1))


@pytest.mark.e2e
def test_evaluation_reports_the_exported_accuracy(trained, fashion_mnist_data_dir, tmp_path):
    result, workdir = trained
    model_dir = result.export_dir
    before = sorted(p.name for p in model_dir.iterdir())
    [report] = evaluate_exports(
        [workdir / "saved_models" / "lenet5_bn"],  # base dir: its newest version
        data_dir=fashion_mnist_data_dir,
        split="test[:1000]",
        report_dir=tmp_path,
    )
    assert report["accuracy"] == pytest.approx(result.metrics.test["accuracy"], abs=1e-4)
    assert report["loss"] == pytest.approx(result.metrics.test["loss"], abs=1e-3)
    # Only the report is added to the model's directory.
    report_name = "evaluation-fashion_mnist-test_1000.json"
    assert sorted(p.name for p in model_dir.iterdir()) == sorted([*before, report_name])


@pytest.mark.e2e
def test_the_run_diagnoses_bias_and_variance(trained, fashion_mnist_data_dir, tmp_path):
    result, workdir = trained
    entry = load_metadata(result.export_dir).run.diagnosis
    # The training error, computed again: the model on the training part (train[400:4000]).
    data = load_normalized(
        "fashion_mnist",
        data_dir=fashion_mnist_data_dir,
        train_split="train[:4000]",
        test_split="test[:10]",
        val_split=0.1,
    )
    images, labels = zip(*data.pipeline("train", 500).as_numpy_iterator(), strict=True)
    predicted = np.argmax(result.model.predict(np.concatenate(images), verbose=0), axis=-1)
    train_error = float(np.mean(predicted != np.concatenate(labels)))
    assert entry["train_error_images"] == 3600
    assert entry["train_error"] == pytest.approx(train_error, abs=1e-4)
    assert entry["dev_error"] == pytest.approx(1 - result.metrics.validation["accuracy"], abs=1e-6)
    assert entry["test_error"] == pytest.approx(1 - result.metrics.test["accuracy"], abs=1e-6)
    assert entry["human_error"] == pytest.approx(0.165)
    assert entry["variance"] == pytest.approx(entry["dev_error"] - entry["train_error"], abs=1e-6)
    assert entry["quadrant"] in (
        "high bias",
        "high variance",
        "high bias and high variance",
        "neither",
    )
    # The report re-diagnoses with the evaluated error and a human-level error of our own.
    [report] = evaluate_exports(
        [result.export_dir],
        data_dir=fashion_mnist_data_dir,
        split="test[:1000]",
        report_dir=tmp_path,
        human_error=0.3,
    )
    diagnosis = report["diagnosis"]
    assert diagnosis["human_error"] == 0.3 and diagnosis["human_error_source"] == "given"
    assert diagnosis["test_error"] == pytest.approx(1 - report["accuracy"], abs=1e-6)
    assert diagnosis["beyond_human"] == (entry["train_error"] < 0.3)
    text = (tmp_path / "fashion_mnist-test_1000-report.txt").read_text()
    assert "Bias vs variance: train error" in text


@pytest.mark.parametrize(
    "args,message",
    [
        (["--epochs", "0"], "--epochs: must be a positive integer, got 0"),
        (["--batch-size", "-8"], "--batch-size: must be a positive integer, got -8"),
        (["--lr", "0"], "--lr: must be a finite positive number, got 0"),
        (["--seed", "-1"], "--seed: must be an integer >= 0, got -1"),
        (["--model", "lenet7"], "invalid choice: 'lenet7' (choose from 'alexnet', 'googlenet'"),
        (["--model", "vgg11", "--model-arg", "depth=3"], "has no option depth; its options"),
        (["--model-arg", "no_equals_sign"], "expected KEY=VALUE"),
        (["--monitor", "weights"], "unknown monitor 'weights'; valid: gradients, activations"),
        (["--optimizer", "adagrad"], "invalid choice: 'adagrad'"),
        (["--pause-control", "file"], "pause_control needs pause_every"),
        (["--augment", "rotate"], "unknown augmentation 'rotate'; valid: none, flip, crop"),
        (["--export-tta", "rotate"], "invalid choice: 'rotate'"),
    ],
)
def test_bad_flags_are_refused_before_anything_starts(args, message, tmp_path, capsys):
    assert cli.main(["train", *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "saved_models").exists() and not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"epochs": 0}, "epochs must be a positive integer, got 0"),
        ({"learning_rate": -1.0}, "learning_rate must be a finite positive number, got -1.0"),
        ({"val_split": 1.0}, "val_split must be in [0, 1), got 1.0"),
        ({"human_error": 1.5}, "human_error must be an error rate in [0, 1], got 1.5"),
        ({"optimizer": "adagrad"}, "optimizer must be one of sgd, momentum"),
        ({"monitor": ("weights",)}, "unknown monitor 'weights'"),
        ({"model_options": {"width": 0.5}}, "give width as its own field"),
    ],
)
def test_train_refuses_bad_fields_before_anything_starts(fields, message, tmp_path):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace(")", r"\)")):
        zoo.train(**fields)
    assert not any(tmp_path.iterdir())


def test_unknown_dataset_is_named(tmp_path):
    with pytest.raises(ValueError, match="Unknown dataset 'fasion_mnist'. Did you mean"):
        zoo.train(dataset="fasion_mnist", data_dir=str(tmp_path))


@pytest.mark.e2e
def test_googlenet_with_aux_classifiers_trains_and_exports_the_main_head(
    fashion_mnist_data_dir, tmp_path
):
    result = zoo.train(
        model="googlenet",
        width=0.125,
        model_options={"aux_classifiers": True},
        data_dir=str(fashion_mnist_data_dir),
        train_split="train[:512]",
        test_split="test[:256]",
        val_split=0.25,
        epochs=1,
        export_dir=tmp_path / "saved_models",
        log_dir=tmp_path / "logs",
    )
    metadata = json.loads((result.export_dir / "metadata.json").read_text())
    assert metadata["hyperparameters"]["model_options"] == {
        "aux_classifiers": True,
        "width": 0.125,
    }
    # The main head's figures under the names every run records.
    assert set(metadata["metrics"]["validation"]) == {"loss", "accuracy"}
    assert set(metadata["metrics"]["train"]) == {"loss", "accuracy", "learning_rate"}
    assert len(result.model.outputs) == 1
    loaded = tf.saved_model.load(str(result.export_dir))
    out = loaded.signatures["serving_uint8"](images=tf.zeros([2, 28, 28, 1], tf.uint8))
    assert out["probabilities"].shape == (2, 10)


@pytest.mark.e2e
def test_monitors_from_the_run(fashion_mnist_data_dir, tmp_path):
    result = zoo.train(
        model="lenet5",
        data_dir=str(fashion_mnist_data_dir),
        train_split="train[:1024]",
        test_split="test[:256]",
        epochs=1,
        monitor=("gradients", "activations"),
        monitor_every=4,
        export_dir=tmp_path / "saved_models",
        log_dir=tmp_path / "logs",
    )
    gradients = result.monitors["gradients"]
    assert sorted({r["step"] for r in gradients.records}) == [4, 8]
    assert [r["layer"] for r in gradients.records[:5]] == [
        "lenet5_conv1", "lenet5_conv2", "lenet5_fc1", "lenet5_fc2", "classifier"
    ]  # fmt: skip
    assert len(result.monitors["activations"].history) == 2
    assert (tmp_path / "logs" / "gradients.csv").read_text().startswith("step,layer,grad_norm")
    assert list((tmp_path / "logs" / "activations").glob("events.out.tfevents.*"))


@pytest.mark.e2e
def test_augmented_soft_label_run_in_the_custom_loop_exports_tta(fashion_mnist_data_dir, tmp_path):
    result = zoo.train(
        model="lenet5_bn",
        data_dir=str(fashion_mnist_data_dir),
        train_split="train[:1024]",
        test_split="test[:256]",
        val_split=0.25,
        epochs=3,
        augment="standard,mixup",
        label_smoothing=0.1,
        loop="custom",
        export_tta="flip",
        restore_best=True,
        export_dir=tmp_path / "saved_models",
        log_dir=tmp_path / "logs",
    )
    metadata = json.loads((result.export_dir / "metadata.json").read_text())
    assert metadata["hyperparameters"]["augment"] == "standard,mixup"
    assert metadata["hyperparameters"]["label_smoothing"] == 0.1
    assert metadata["tta"] == "flip"
    # restore_best: the weights, and the recorded figures, of the best validation epoch.
    best = int(np.argmax(result.history["val_accuracy"]))
    assert metadata["hyperparameters"]["best_epoch"] == best + 1
    assert result.metrics.validation["accuracy"] == max(result.history["val_accuracy"])
    data = load_normalized(
        "fashion_mnist", data_dir=fashion_mnist_data_dir, train_split="train[:1024]",
        val_split=0.25,
    )  # fmt: skip
    compile_classifier(result.model)
    kept = result.model.evaluate(data.pipeline("validation", 128), return_dict=True, verbose=0)
    assert kept["accuracy"] == pytest.approx(result.metrics.validation["accuracy"], abs=1e-6)
    # Validation keeps class ids: its accuracy and plain loss are there, and learning shows.
    assert max(result.history["val_accuracy"]) > 0.4
    assert result.history["loss"][-1] < result.history["loss"][0]
    # No augmentation in the export: the same answer twice, the mean over the mirror (TTA).
    images = np.random.default_rng(0).integers(0, 256, (8, 28, 28, 1), dtype=np.uint8)
    loaded = tf.saved_model.load(str(result.export_dir))
    serve = loaded.signatures["serving_uint8"]
    first = serve(images=tf.constant(images))["probabilities"].numpy()
    np.testing.assert_array_equal(first, serve(images=tf.constant(images))["probabilities"])
    logits = [
        result.model(preprocess_images(view, result.preprocessing), training=False).numpy()
        for view in (images, images[:, :, ::-1])
    ]
    want = np.mean([tf.nn.softmax(z).numpy() for z in logits], axis=0)
    np.testing.assert_allclose(first, want, atol=1e-5)
