"""Shared fixtures: the real Fashion-MNIST prepared once per session, and small helpers."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest

from components.data.fashion_mnist_offline import FASHION_MNIST_FILES, find_fashion_mnist_files

REPO_ROOT = Path(__file__).resolve().parents[1]
# The Keras backend of this pytest run: `make test` runs the suite under TensorFlow, then the
# tests marked `backends` again under JAX.
KERAS_BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
tensorflow_backend_only = pytest.mark.skipif(
    KERAS_BACKEND != "tensorflow", reason="TensorFlow's own (SavedModel, tf.distribute, tf.data)"
)
jax_backend_only = pytest.mark.skipif(KERAS_BACKEND != "jax", reason="runs in the JAX pass")
# Makes TensorFlow (and what needs it) impossible to import in a subprocess, as on a machine
# without it: PYTHONPATH=NO_TENSORFLOW_DIR.
NO_TENSORFLOW_DIR = REPO_ROOT / "tests" / "no_tensorflow"


@pytest.fixture(autouse=True)
def _run_in_a_temporary_directory(tmp_path, monkeypatch):
    """Every test runs in its own directory: the recipes' relative defaults (checkpoints/,
    logs/, saved_models/, reports/, tuning/, lessons_out/) never touch the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def fashion_mnist_files() -> dict[str, Path]:
    """The local Fashion-MNIST IDX files; CI installs them (`make data`): missing fails there."""
    files = find_fashion_mnist_files()
    if files is None:
        message = (
            "Fashion-MNIST IDX files not found: run `make data` (Debian's dataset-fashion-mnist) "
            "or set FASHION_MNIST_DIR."
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return files


@pytest.fixture(scope="session")
def fashion_mnist_data_dir(fashion_mnist_files, tmp_path_factory) -> Path:
    """A tfds data dir with `fashion_mnist` prepared from the local files, once per session.

    Set CLASSICZOO_TEST_TFDS_DIR to reuse one across sessions while developing.
    """
    from components.data.fashion_mnist_offline import prepare_fashion_mnist_offline

    data_dir = Path(os.environ.get("CLASSICZOO_TEST_TFDS_DIR") or tmp_path_factory.mktemp("tfds"))
    import tensorflow_datasets as tfds

    if not tfds.builder("fashion_mnist", data_dir=data_dir).is_prepared():
        prepare_fashion_mnist_offline(data_dir)
    return data_dir


def read_idx(path: Path) -> np.ndarray:
    """An independent IDX reader (big-endian header of dims), for checking prepared data."""
    raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def make_run_facts(**overrides):
    """`RunFacts` of a small training run, for tests that export by hand."""
    from components.export.metadata import DataSplits, Hyperparameters, Metrics, RunFacts

    hyperparameters = Hyperparameters(
        optimizer="adam",
        learning_rate=1e-3,
        lr_schedule="constant",
        weight_decay=0.0,
        epochs=1,
        batch_size=32,
        seed=0,
        strategy="DefaultStrategy",
        replicas=1,
        loop="fit",
        precision="float32",
        jit_compile=False,
        deterministic=False,
        model_options={},
    )
    facts = {
        "kind": "train",
        "model": "tiny",
        "dataset": "fashion_mnist",
        "splits": {"train": "train", "validation": "", "test": "test"},
        "data": DataSplits("train", 0.0, "test"),
        "metrics": Metrics(test={"loss": 1.0, "accuracy": 0.5}),
        "command": "classiczoo train --model tiny",
        "hyperparameters": hyperparameters,
        **overrides,
    }
    return RunFacts(**facts)


__all__ = ["FASHION_MNIST_FILES", "REPO_ROOT", "make_run_facts", "read_idx"]
