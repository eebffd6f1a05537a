"""`zoo.tune` under Keras's JAX backend: trials are Keras's fit on NumPy batches, and the best
model ends as a `.keras` file with its metadata, as a JAX run's does."""

from __future__ import annotations

import numpy as np
import pytest

import zoo
from components.data.arrays import load_array_splits
from components.export.metadata import load_metadata
from components.tuning.tune_config import TuneConfig
from tests.conftest import jax_backend_only


@pytest.mark.backends
@jax_backend_only
def test_a_search_under_jax_saves_the_best_trials_model(tmp_path):
    import keras

    config = TuneConfig(
        model="lenet5",
        tuner="random",
        train_split="train[:600]",
        test_split="test[:200]",
        val_split=0.25,
        epochs=1,
        max_trials=2,
        directory=tmp_path / "search",
        export_dir=tmp_path / "out",
    )
    result = zoo.tune(config)
    assert result.export_dir == tmp_path / "out" / "lenet5-tuned" / "1"
    metadata = load_metadata(result.export_dir)
    assert metadata.run.hyperparameters.tuned and metadata.run.hyperparameters.replicas == 1
    model = keras.saving.load_model(result.export_dir / "model.keras")

    def accuracy(x, y):  # the saved model on raw pixels (it carries its normalization)
        return float(np.mean(model.predict(x, verbose=0).argmax(axis=1) == y))

    arrays = load_array_splits(
        "fashion_mnist", train_split="train[:600]", test_split="test[:200]", val_split=0.25
    )
    # The best trial's model: its accuracy on the validation images is the trial's score, and
    # on the test images the metadata's test accuracy.
    assert accuracy(arrays.x_validation, arrays.y_validation) == pytest.approx(
        result.best_trial.score, abs=1e-6
    )
    assert accuracy(arrays.x_test, arrays.y_test) == pytest.approx(
        metadata.run.metrics.test["accuracy"], abs=1e-6
    )
    assert accuracy(arrays.x_test, arrays.y_test) > 0.3  # ten classes: chance is 0.1
