"""End to end on a slice of the real Fashion-MNIST: train, export, reload elsewhere, evaluate."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from components.data import preprocess_images
from tests.conftest import REPO_ROOT, load_recipe

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
    result = load_recipe("train").main(
        [
            "--model=lenet5_bn",
            "--dataset=fashion_mnist",
            f"--data-dir={fashion_mnist_data_dir}",
            "--train-split=train[:4000]",
            "--test-split=test[:1000]",
            "--val-split=0.1",
            "--epochs=2",
            "--batch-size=128",
            f"--export-dir={workdir / 'saved_models'}",
            f"--log-dir={workdir / 'logs'}",
        ]
    )
    return result, workdir


@pytest.mark.e2e
def test_export_layout_metadata_and_logs(trained):
    result, workdir = trained
    export_dir = workdir / "saved_models" / "lenet5_bn" / "1"
    assert result["export_dir"] == str(export_dir)
    assert (export_dir / "saved_model.pb").is_file()
    metadata = json.loads((export_dir / "metadata.json").read_text())
    assert metadata["model"] == "lenet5_bn" and metadata["dataset"] == "fashion_mnist"
    assert metadata["class_names"][0] == "T-shirt/top" and len(metadata["class_names"]) == 10
    assert metadata["input"]["shape"] == [None, 28, 28, 1]
    assert metadata["hyperparameters"]["epochs"] == 2
    assert metadata["seed"] == 0
    assert set(metadata["metrics"]) >= {"train", "validation", "test"}
    assert metadata["metrics"]["test"]["accuracy"] > 0.6  # 2 epochs on 3,600 images
    assert metadata["versions"]["tensorflow"] == tf.__version__
    assert "--epochs=2" in metadata["command"]
    assert list((workdir / "logs" / "train").glob("events.out.tfevents.*"))
    assert list((workdir / "logs" / "validation").glob("events.out.tfevents.*"))


@pytest.mark.e2e
def test_reload_in_a_fresh_process_predicts_the_same(trained, fashion_mnist_data_dir, tmp_path):
    result, _ = trained
    test = tfds.load(
        "fashion_mnist", split="test[:300]", data_dir=fashion_mnist_data_dir, as_supervised=True
    )
    images, _ = next(iter(test.batch(300).as_numpy_iterator()))
    logits = result["model"](preprocess_images(images, result["preprocessing"]), training=False)
    expected = tf.nn.softmax(logits).numpy()
    np.save(tmp_path / "images.npy", images)
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            RELOAD_SCRIPT,
            result["export_dir"],
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
def test_evaluate_recipe_reports_the_exported_accuracy(trained, fashion_mnist_data_dir, tmp_path):
    result, workdir = trained
    model_dir = workdir / "saved_models" / "lenet5_bn" / "1"
    before = sorted(p.name for p in model_dir.iterdir())
    out = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "recipes" / "evaluate.py"),
            str(workdir / "saved_models" / "lenet5_bn"),  # base dir: its newest version
            f"--data-dir={fashion_mnist_data_dir}",
            "--split=test[:1000]",
            f"--report-dir={tmp_path}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    match = re.search(r"loss (\d\.\d+), accuracy (\d\.\d+), .* on 1000 images", out.stdout)
    assert match, out.stdout
    assert float(match.group(2)) == pytest.approx(result["metrics"]["test"]["accuracy"], abs=1e-4)
    assert float(match.group(1)) == pytest.approx(result["metrics"]["test"]["loss"], abs=1e-3)
    # Only the report is added to the model's directory.
    report_name = "evaluation-fashion_mnist-test_1000.json"
    assert sorted(p.name for p in model_dir.iterdir()) == sorted([*before, report_name])
    report = json.loads((model_dir / report_name).read_text())
    assert report["accuracy"] == pytest.approx(result["metrics"]["test"]["accuracy"], abs=1e-4)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--epochs", "0"], "--epochs: must be a positive integer, got 0"),
        (["--batch-size", "-8"], "--batch-size: must be a positive integer, got -8"),
        (["--lr", "0"], "--lr: must be a positive number, got 0"),
        (["--model", "lenet7"], "unknown model 'lenet7'; valid models: alexnet, googlenet"),
        (["--model", "vgg11", "--model-arg", "depth=3"], "has no option depth; its options"),
        (["--model-arg", "no_equals_sign"], "expected KEY=VALUE"),
        (["--monitor", "weights"], "unknown monitor 'weights'; valid: gradients, activations"),
        (["--optimizer", "adagrad"], "invalid choice: 'adagrad'"),
    ],
)
def test_bad_flags_are_refused_before_anything_starts(args, message, tmp_path):
    out = subprocess.run(
        [sys.executable, str(REPO_ROOT / "recipes" / "train.py"), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode == 2
    assert message in out.stderr
    assert not (tmp_path / "saved_models").exists() and not (tmp_path / "logs").exists()


@pytest.mark.e2e
def test_googlenet_with_aux_classifiers_trains_and_exports_the_main_head(
    fashion_mnist_data_dir, tmp_path
):
    result = load_recipe("train").main(
        [
            "--model=googlenet",
            "--width=0.125",
            "--model-arg=aux_classifiers=true",
            f"--data-dir={fashion_mnist_data_dir}",
            "--train-split=train[:512]",
            "--test-split=test[:256]",
            "--epochs=1",
            f"--export-dir={tmp_path / 'saved_models'}",
            f"--log-dir={tmp_path / 'logs'}",
        ]
    )
    metadata = json.loads((tmp_path / "saved_models/googlenet/1/metadata.json").read_text())
    assert metadata["hyperparameters"]["model_options"] == {
        "aux_classifiers": True,
        "width": 0.125,
    }
    assert len(result["model"].outputs) == 1
    loaded = tf.saved_model.load(result["export_dir"])
    out = loaded.signatures["serving_uint8"](images=tf.zeros([2, 28, 28, 1], tf.uint8))
    assert out["probabilities"].shape == (2, 10)


@pytest.mark.e2e
def test_monitors_from_the_recipe(fashion_mnist_data_dir, tmp_path):
    result = load_recipe("train").main(
        [
            "--model=lenet5",
            f"--data-dir={fashion_mnist_data_dir}",
            "--train-split=train[:1024]",
            "--test-split=test[:256]",
            "--epochs=1",
            "--monitor=gradients,activations",
            "--monitor-every=4",
            f"--export-dir={tmp_path / 'saved_models'}",
            f"--log-dir={tmp_path / 'logs'}",
        ]
    )
    gradients = result["monitors"]["gradients"]
    assert sorted({r["step"] for r in gradients.records}) == [4, 8]
    assert [r["layer"] for r in gradients.records[:5]] == [
        "lenet5_conv1", "lenet5_conv2", "lenet5_fc1", "lenet5_fc2", "classifier"
    ]  # fmt: skip
    assert len(result["monitors"]["activations"].history) == 2
    assert (tmp_path / "logs" / "gradients.csv").read_text().startswith("step,layer,grad_norm")
    assert list((tmp_path / "logs" / "activations").glob("events.out.tfevents.*"))


def test_unknown_dataset_is_named(tmp_path):
    with pytest.raises(ValueError, match="Unknown dataset 'fasion_mnist'. Did you mean"):
        load_recipe("train").main(["--dataset", "fasion_mnist", "--data-dir", str(tmp_path)])


def test_evaluate_refuses_a_directory_that_is_no_savedmodel(tmp_path):
    out = subprocess.run(
        [sys.executable, str(REPO_ROOT / "recipes" / "evaluate.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0
    assert "is not a SavedModel directory" in out.stderr
