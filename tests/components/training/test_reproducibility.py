"""`--deterministic`: two runs with the same seed give identical weights and identical
SavedModel outputs. Each run is its own process, as a user's would be (op determinism, once on,
stays on in a process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from components.export import SavedClassifier
from components.training.reproducibility import seed_everything


def _train(data_dir, workdir, *flags) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "zoo.cli", "train", "--model=lenet5_bn",
         f"--data-dir={data_dir}", "--train-split=train[:2048]", "--test-split=test[:256]",
         "--val-split=0.25", "--epochs=2", "--batch-size=64",
         f"--export-dir={workdir / 'saved_models'}", f"--log-dir={workdir / 'logs'}",
         f"--checkpoint-dir={workdir / 'checkpoints'}", *flags],
        capture_output=True, text=True, timeout=600, cwd=workdir, env=dict(os.environ),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return re.search(r"Final weights sha256: (\w+)", out.stdout).group(1)


@pytest.mark.e2e
def test_two_deterministic_runs_give_identical_weights_and_outputs(
    fashion_mnist_data_dir, tmp_path
):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    digests = [
        _train(fashion_mnist_data_dir, workdir, "--deterministic", "--seed=7")
        for workdir in (first, second)
    ]
    assert digests[0] == digests[1]
    models = [SavedClassifier(w / "saved_models" / "lenet5_bn") for w in (first, second)]
    assert models[0].metadata.run.hyperparameters.deterministic is True
    images = np.random.default_rng(0).integers(0, 256, (64, 28, 28, 1), dtype=np.uint8)
    outputs = [model.predict(images)["logits"] for model in models]
    np.testing.assert_array_equal(outputs[0], outputs[1])  # bit for bit
    same = [model.metadata.run.metrics for model in models]
    assert same[0].history == same[1].history and same[0].test == same[1].test


def test_seed_everything_repeats_keras_numpy_and_tensorflow_draws():
    draws = []
    for _ in range(2):
        seed_everything(3)
        draws.append(
            (np.random.rand(), tf.random.uniform(()).numpy(), float(keras.random.normal(())))
        )
    assert draws[0] == draws[1]
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        seed_everything(-1)
