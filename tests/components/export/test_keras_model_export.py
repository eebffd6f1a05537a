"""Weights move between backends: a model trained under JAX with TensorFlow absent, saved as
`.keras`, loads under TensorFlow with the same predictions, and `classiczoo export` makes the
SavedModel a TensorFlow run makes, answering the same."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from components.data.arrays import load_fashion_mnist_arrays
from components.export.metadata import MetadataError, load_metadata
from tests.conftest import NO_TENSORFLOW_DIR, REPO_ROOT, tensorflow_backend_only
from zoo import cli

pytestmark = tensorflow_backend_only

# Runs under JAX where TensorFlow cannot be imported, and proves it did not get imported.
TRAIN_UNDER_JAX = textwrap.dedent(
    """
    import sys
    import numpy as np
    import zoo
    result = zoo.train(model="lenet5_bn", train_split="train[:640]", test_split="test[:256]",
                       epochs=1, batch_size=64, val_split=0.1, checkpoint_dir="ckpt")
    x = np.load("images.npy").astype("float32")
    prep = result.preprocessing
    normalized = (x * prep.scale - np.array(prep.mean)) / np.array(prep.std)
    np.save("jax_logits.npy", np.asarray(result.model.predict(normalized, verbose=0)))
    absent = [m for m in sys.modules if m.split(".")[0] in ("tensorflow", "tensorflow_datasets")]
    assert not absent, absent
    import keras
    print("RUN", keras.backend.backend(), result.export_dir)
    """
)


@pytest.fixture(scope="module")
def jax_run(fashion_mnist_files, tmp_path_factory):
    """One run under JAX without TensorFlow: its directory and the printed facts."""
    directory = tmp_path_factory.mktemp("jax_run")
    images = load_fashion_mnist_arrays()["test"][0][:32]
    np.save(directory / "images.npy", images)
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "PYTHONPATH": os.pathsep.join([str(NO_TENSORFLOW_DIR), str(REPO_ROOT)]),
    }
    done = subprocess.run(
        [sys.executable, "-c", TRAIN_UNDER_JAX],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    _, backend, export_dir = done.stdout.strip().splitlines()[-1].split()
    assert backend == "jax"
    return directory, directory / export_dir, images


def test_the_keras_file_predicts_under_tensorflow_as_under_jax(jax_run):
    directory, version, _ = jax_run
    import components.layers  # noqa: F401  (registers the zoo's layers)
    import components.losses  # noqa: F401
    import components.metrics  # noqa: F401
    import components.schedules  # noqa: F401

    model = keras.saving.load_model(version / "model.keras")
    # The file takes raw pixels (it carries its normalization); the JAX model took them
    # normalized in NumPy.
    got = model.predict(np.load(directory / "images.npy"), verbose=0)
    np.testing.assert_allclose(got, np.load(directory / "jax_logits.npy"), atol=1e-5)
    metadata = load_metadata(version)
    assert metadata.run.hyperparameters.backend == "jax"
    assert metadata.run.versions["jax"]  # the run records what it ran on


def test_classiczoo_export_writes_the_savedmodel_that_answers_the_same(jax_run, tmp_path):
    directory, version, images = jax_run
    code = cli.main(["export", str(version / "model.keras"), "--export-dir", str(tmp_path)])
    assert code == 0
    exported = tmp_path / "lenet5_bn" / "1"
    loaded = tf.saved_model.load(str(exported))
    logits = loaded.signatures["serving_uint8"](images=tf.constant(images))["logits"].numpy()
    np.testing.assert_allclose(logits, np.load(directory / "jax_logits.npy"), atol=1e-5)
    as_float = loaded.signatures["serving_default"](images=tf.constant(images, tf.float32))
    np.testing.assert_allclose(as_float["logits"].numpy(), logits, atol=1e-6)
    metadata = load_metadata(exported)
    assert metadata.run.hyperparameters.backend == "jax"
    assert metadata.run.metrics.test == load_metadata(version).run.metrics.test
    assert metadata.serving.preprocessing == load_metadata(version).serving.preprocessing
    # Again: a new version, the first never overwritten.
    assert cli.main(["export", str(version), "--export-dir", str(tmp_path)]) == 0
    assert sorted(p.name for p in (tmp_path / "lenet5_bn").iterdir()) == ["1", "2"]


def test_export_refuses_a_keras_file_whose_normalization_is_not_its_metadatas(
    jax_run, tmp_path, capsys
):
    import json
    import shutil

    _, version, _ = jax_run
    mixed = tmp_path / "mixed"
    shutil.copytree(version, mixed)
    metadata = json.loads((mixed / "metadata.json").read_text())
    metadata["preprocessing"]["mean"] = [0.5]  # another run's statistics
    (mixed / "metadata.json").write_text(json.dumps(metadata))
    assert cli.main(["export", str(mixed), "--export-dir", str(tmp_path / "out")]) == 1
    assert "the file and its metadata come from different runs" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_export_refuses_a_keras_file_without_its_metadata(tmp_path, capsys):
    inputs = keras.Input((4,))
    keras.Model(inputs, keras.layers.Dense(2)(inputs)).save(tmp_path / "model.keras")
    assert cli.main(["export", str(tmp_path / "model.keras")]) == 1
    assert "no metadata.json of a run" in capsys.readouterr().err
    with pytest.raises(ValueError, match="not a .keras file"):
        from components.export.keras_model import export_keras_model

        export_keras_model(tmp_path / "missing.h5")
    assert MetadataError.__mro__[1] is ValueError  # the command reports it on one line


def test_a_backend_other_than_kerass_is_refused_with_how_to_choose_it():
    import zoo
    from components.training import ConfigError

    with pytest.raises(ConfigError, match="KERAS_BACKEND=jax"):
        zoo.train(model="lenet5_bn", backend="jax", epochs=1)
