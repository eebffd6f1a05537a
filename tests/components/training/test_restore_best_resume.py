"""What a run exports is what its metadata and validation describe: `--restore-best` through a
stop and a resume (the best epoch's weights), a moving average of the weights (the average)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

import zoo
from components.training import TrainConfig


@pytest.mark.e2e
def test_a_resumed_restore_best_run_exports_the_epoch_its_metadata_names(
    fashion_mnist_data_dir, tmp_path
):
    control = tmp_path / "control"
    control.write_text("stop\n")
    config = TrainConfig.of(
        data_dir=str(fashion_mnist_data_dir),
        train_split="train[:640]",
        val_split=0.25,  # the first 160 examples
        test_split="test[:128]",
        epochs=4,
        batch_size=60,  # 8 steps per epoch
        restore_best=True,
        lr_schedule="constant",
        export_dir=tmp_path / "saved_models",
        log_dir=tmp_path / "logs",
        checkpoint_dir=tmp_path / "checkpoints",
        pause_every=24,  # the last step of epoch 3
        pause_control="file",
        pause_file=control,
    )
    stopped = zoo.train(config)
    assert stopped.stopped_at_step == 24 and stopped.export_dir is None
    # The fourth epoch runs at a rate that wrecks the model: the best epoch is an earlier one,
    # whose weights only the checkpoint holds now (Keras's EarlyStopping kept them in memory).
    control.write_text("lr=3\n")
    resumed = zoo.train(
        config.replace(pause_every=1, pause_timeout=0.1, pause_on_timeout="continue", resume=True)
    )
    metadata = json.loads((resumed.export_dir / "metadata.json").read_text())
    best_epoch = metadata["hyperparameters"]["best_epoch"]
    history = metadata["metrics"]["history"]["val_accuracy"]
    assert best_epoch <= 3 and history[best_epoch - 1] == max(history) > history[3] + 0.1
    # The independent truth: what the exported SavedModel computes on the validation images.
    accuracy = _serving_accuracy(resumed.export_dir, fashion_mnist_data_dir, "train[:160]")
    assert accuracy == pytest.approx(metadata["metrics"]["validation"]["accuracy"], abs=1e-6)
    assert accuracy == pytest.approx(history[best_epoch - 1], abs=1e-6)


def _serving_accuracy(export_dir, data_dir, split: str) -> float:
    """The accuracy of the exported SavedModel's uint8 signature on `split`."""
    images, labels = tfds.as_numpy(
        tfds.load(
            "fashion_mnist", split=split, data_dir=data_dir, as_supervised=True, batch_size=-1
        )
    )
    serving = tf.saved_model.load(str(export_dir)).signatures["serving_uint8"]
    (input_name,) = serving.structured_input_signature[1]
    probabilities = serving(**{input_name: tf.constant(images)})["probabilities"].numpy()
    return float(np.mean(probabilities.argmax(axis=1) == labels))


@pytest.mark.e2e
def test_a_run_with_a_moving_average_exports_the_average_its_validation_measured(
    fashion_mnist_data_dir, tmp_path
):
    result = zoo.train(
        TrainConfig.of(
            data_dir=str(fashion_mnist_data_dir),
            train_split="train[:640]",
            val_split=0.25,  # the first 160 examples
            test_split="test[:128]",
            epochs=2,
            batch_size=60,
            ema_momentum=0.9,
            export_dir=tmp_path / "saved_models",
            log_dir=tmp_path / "logs",
            checkpoint_dir=tmp_path / "checkpoints",
        )
    )
    metadata = json.loads((result.export_dir / "metadata.json").read_text())
    assert metadata["hyperparameters"]["ema_momentum"] == 0.9
    validation, history = metadata["metrics"]["validation"], metadata["metrics"]["history"]
    # The last epoch's validation (during fit) measured the weights the run ended with ...
    assert history["val_loss"][-1] == pytest.approx(validation["loss"], rel=1e-4)
    # ... which the SavedModel serves.
    accuracy = _serving_accuracy(result.export_dir, fashion_mnist_data_dir, "train[:160]")
    assert accuracy == pytest.approx(validation["accuracy"], abs=1e-6)
