"""`zoo.tune` end to end on a slice of the real Fashion-MNIST: two tiny trials, resumed
between them, the table, the export and its metadata; and the command's flag checks."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json

import keras_tuner
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import zoo
from components.data import preprocess_images
from components.tuning import SearchDirectoryError
from components.tuning.tune_config import TuneConfig
from zoo import cli


def _run(config: TuneConfig):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = zoo.tune(config)
    return result, out.getvalue()


@pytest.fixture(scope="module")
def searched(fashion_mnist_data_dir, tmp_path_factory):
    """`--max-trials 1`, then the same command with `--max-trials 2` in the same directory."""
    workdir = tmp_path_factory.mktemp("tune")
    config = TuneConfig(
        model="lenet5",
        tuner="random",
        data_dir=str(fashion_mnist_data_dir),
        train_split="train[:512]",
        test_split="test[:256]",
        val_split=0.25,
        epochs=1,
        directory=workdir / "tuning" / "lenet5",
        export_dir=workdir / "saved_models",
        max_trials=1,
        command=("classiczoo", "tune", "--max-trials=1"),
    )
    first, first_output = _run(config)
    checkpoint = workdir / "tuning" / "lenet5" / "trial_0" / "checkpoint.weights.h5"
    before = (checkpoint.read_bytes(), checkpoint.stat().st_mtime_ns)
    config = dataclasses.replace(
        config, max_trials=2, command=("classiczoo", "tune", "--max-trials=2")
    )
    second, output = _run(config)
    return {
        "first": first,
        "first_output": first_output,
        "result": second,
        "output": output,
        "checkpoint": checkpoint,
        "before": before,
        "workdir": workdir,
        "config": config,
    }


@pytest.mark.e2e
def test_the_second_run_resumes_and_does_not_retrain_the_first_trial(searched):
    assert searched["first"].resumed is False and searched["result"].resumed is True
    assert "Running Trial #1" in searched["first_output"]
    output = searched["output"]
    assert "Resuming a random search in" in output and "1 trial(s) done, up to 2" in output
    assert "Running Trial #2" in output and "Running Trial #1" not in output
    trials = searched["result"].tuner.oracle.trials
    assert sorted(trials) == ["0", "1"]
    assert all(t.status == "COMPLETED" for t in trials.values())
    checkpoint = searched["checkpoint"]
    assert (checkpoint.read_bytes(), checkpoint.stat().st_mtime_ns) == searched["before"]
    first_values = searched["first"].best_trial.hyperparameters.values
    assert trials["0"].hyperparameters.values == first_values


@pytest.mark.e2e
def test_the_top_trials_table_is_printed(searched):
    lines = searched["output"].splitlines()
    start = lines.index("Top 2 of 2 completed trials by val_accuracy (max):")
    header = lines[start + 1].split()
    assert header[:4] == ["trial", "val_accuracy", "learning_rate", "optimizer"]
    assert {"batch_size", "activation", "kernel_initializer", "batch_norm"} <= set(header)
    best = searched["result"].best_trial
    assert lines[start + 2].split()[:2] == [best.trial_id, f"{best.score:.4f}"]
    assert searched["result"].table in searched["output"]


@pytest.mark.e2e
def test_export_reloads_and_predicts_as_the_best_model(searched, fashion_mnist_data_dir):
    result = searched["result"]
    export_dir = searched["workdir"] / "saved_models" / "lenet5-tuned" / "2"
    assert result.export_dir == export_dir  # version 1 came from the first run
    test = tfds.load(
        "fashion_mnist", split="test[:64]", data_dir=fashion_mnist_data_dir, as_supervised=True
    )
    images, _ = next(iter(test.batch(64).as_numpy_iterator()))
    expected = result.model(preprocess_images(images, result.preprocessing), training=False)
    loaded = tf.saved_model.load(str(export_dir))
    got = loaded.signatures["serving_uint8"](images=tf.constant(images))
    np.testing.assert_allclose(got["logits"].numpy(), expected.numpy(), atol=1e-4)
    # It is the best trial's model: its accuracy on the validation images is the trial's score.
    validation = tfds.load(
        "fashion_mnist", split="train[:128]", data_dir=fashion_mnist_data_dir, as_supervised=True
    )
    images, labels = next(iter(validation.batch(128).as_numpy_iterator()))
    predicted = loaded.signatures["serving_uint8"](images=tf.constant(images))["class_ids"]
    accuracy = float(np.mean(predicted.numpy() == labels))
    assert accuracy == pytest.approx(result.best_trial.score, abs=1e-6)


@pytest.mark.e2e
def test_metadata_holds_the_chosen_hyperparameters(searched):
    result = searched["result"]
    metadata = json.loads((result.export_dir / "metadata.json").read_text())
    best = result.best_trial
    chosen = best.hyperparameters.values
    hyperparameters = metadata["hyperparameters"]
    assert hyperparameters["tuned"] == chosen
    assert hyperparameters["learning_rate"] == chosen["learning_rate"]
    assert hyperparameters["optimizer"] == chosen["optimizer"]
    assert hyperparameters["batch_size"] == chosen["batch_size"]
    assert hyperparameters["weight_decay"] == chosen["weight_decay"]
    assert hyperparameters["model_options"] == {
        k: chosen[k] for k in ("kernel_initializer", "activation", "dropout", "batch_norm")
    }
    assert hyperparameters["epochs"] == 1 and hyperparameters["strategy"]
    # The schema every export writes.
    assert metadata["schema_version"] == 1 and metadata["kind"] == "tune"
    assert metadata["model"] == "lenet5" and metadata["dataset"] == "fashion_mnist"
    assert metadata["data"] == {
        "train_split": "train[:512]",
        "val_split": 0.25,
        "test_split": "test[:256]",
    }
    assert metadata["splits"]["validation"] == "first 128 examples of train[:512]"
    assert set(metadata["metrics"]) >= {"train", "validation", "test"}
    assert metadata["metrics"]["validation"]["accuracy"] == pytest.approx(best.score)
    assert metadata["metrics"]["test"]["accuracy"] == pytest.approx(
        result.metrics.test["accuracy"]
    )
    assert "--max-trials=2" in metadata["command"]
    # The tuned model's bias vs variance, from its validation and test errors.
    diagnosis = metadata["diagnosis"]
    assert diagnosis["dev_error"] == pytest.approx(1 - best.score, abs=1e-6)
    assert diagnosis["test_error"] == pytest.approx(1 - result.metrics.test["accuracy"], abs=1e-6)
    assert diagnosis["train_error_images"] == 384  # train[:512] without its validation 128
    assert diagnosis["human_error"] == pytest.approx(0.165)
    assert metadata["versions"]["tensorflow"] == tf.__version__
    assert metadata["versions"]["keras_tuner"] == keras_tuner.__version__
    assert len(metadata["class_names"]) == 10
    search = metadata["search"]
    assert search["tuner"] == "random" and search["completed_trials"] == 2
    assert search["best_trial"] == best.trial_id
    assert search["space"]["learning_rate"]["sampling"] == "log"
    assert search["train_command"] == result.train_command
    assert search["train_command"].startswith("classiczoo train --model lenet5 --epochs 1")
    assert f"--batch-size {chosen['batch_size']}" in search["train_command"]


@pytest.mark.e2e
def test_a_different_search_in_the_same_directory_is_refused(searched):
    other = dataclasses.replace(searched["config"], model="lenet5_bn")
    with pytest.raises(SearchDirectoryError, match="holds a different search \\(model: 'lenet5'"):
        zoo.tune(other)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--max-trials", "0"], "--max-trials: must be a positive integer, got 0"),
        (["--tuner", "grid"], "invalid choice: 'grid'"),
        (["--val-split", "0"], "--val-split: must be in (0, 1): the objective is val_accuracy"),
        (
            ["--val-split", "1.5"],
            "--val-split: must be in (0, 1): the objective is val_accuracy, got 1.5",
        ),
        (["--model", "lenet7"], "invalid choice: 'lenet7' (choose from 'alexnet'"),
        (["--hyperband-factor", "1"], "--hyperband-factor: must be an integer >= 2, got 1"),
        (["--model", "lenet5", "--width", "0.5"], "model 'lenet5' has no option width"),
        (["--strategy", "multiworker"], "invalid choice: 'multiworker'"),
    ],
)
def test_bad_flags_are_refused_before_anything_starts(args, message, capsys, tmp_path):
    assert cli.main(["tune", *args, f"--directory={tmp_path / 'search'}"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "search").exists()
