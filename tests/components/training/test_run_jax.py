"""The run under Keras's JAX backend (`components.training.run` with `NormalizedArrays`):
Keras's fit on NumPy batches, checkpoints with an exact mid-epoch resume, data parallel over
two devices in mixed_bfloat16, the `.keras` model and its metadata; and what it refuses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import zoo
from components.export.metadata import load_metadata
from components.training import ConfigError
from tests.conftest import REPO_ROOT, jax_backend_only

pytestmark = [pytest.mark.backends, jax_backend_only]


def small_arrays(seed=0, train=320, test=64):
    """Images whose class is the height of a bright band (top, middle, bottom): learnable in
    a few steps, and unchanged in class by a mirror or a shift of 4 pixels."""
    rng = np.random.default_rng(seed)

    def part(n):
        labels = rng.integers(0, 3, n)
        images = rng.integers(0, 60, (n, 28, 28, 1)).astype(np.uint8)
        for i, label in enumerate(labels):
            images[i, 2 + 9 * label : 8 + 9 * label, 4:24] = 250
        return images, labels

    (x, y), (x_test, y_test) = part(train), part(test)
    return x, y, x_test, y_test


RUN = dict(model="lenet5_bn", epochs=2, batch_size=32, val_split=0.1, augment="standard")


def test_a_run_trains_saves_a_keras_file_and_its_metadata(tmp_path):
    data = small_arrays()
    result = zoo.train(
        data=data,
        checkpoint_dir=tmp_path / "ckpt",
        monitor=("gradients", "activations"),
        monitor_every=6,
        **RUN,
    )
    version = result.export_dir
    # Where --export-dir says (saved_models/ by default), as under TensorFlow.
    assert version.parent.parent.name == "saved_models" and version.name == "1"
    metadata = load_metadata(version)
    hyper = metadata.run.hyperparameters
    assert (hyper.backend, hyper.loop, hyper.augment) == ("jax", "fit", "standard")
    assert metadata.serving.input["shape"] == [None, 28, 28, 1]
    assert len(result.history["loss"]) == 2 and result.metrics.test["accuracy"] > 0.5
    assert metadata.run.diagnosis is not None  # a validation split: bias vs variance
    gradients, activations = result.monitors["gradients"], result.monitors["activations"]
    assert sorted({r["step"] for r in gradients.records}) == [6, 12, 18]
    assert all(np.isfinite(r["grad_norm"]) and r["grad_norm"] > 0 for r in gradients.records)
    assert [step for step, _ in activations.history] == [6, 12, 18]
    # The file reloads (registered classes) and, on raw pixels (it carries its normalization),
    # predicts as the trained model on the images normalized in NumPy.
    reloaded = keras.saving.load_model(version / "model.keras")
    x = (data[2][:16].astype("float32") / 255.0 - result.preprocessing.mean[0]) / (
        result.preprocessing.std[0]
    )
    np.testing.assert_allclose(
        reloaded.predict(data[2][:16], verbose=0), result.model.predict(x, verbose=0), atol=1e-5
    )
    # Finished and saved: the run's checkpoints are gone.
    assert not (tmp_path / "ckpt").exists()


@pytest.mark.parametrize(
    "settings,step,place",
    [
        ({}, 13, (1, 4)),  # the first pause (step 13 of 18: epoch 2, batch 4) stops
        # A moving average of the weights, stopped in epoch 1 (batch 5): the resumed run is
        # two fit calls, and Keras writes the average in at the end of the first.
        ({"ema_momentum": 0.9}, 5, (0, 5)),
    ],
    ids=["weights", "moving_average"],
)
def test_resumed_mid_epoch_it_ends_with_the_uninterrupted_weights(tmp_path, settings, step, place):
    data = small_arrays(1)
    whole = zoo.train(data=data, checkpoint_dir=tmp_path / "a", **RUN, **settings)
    control = tmp_path / "control"
    control.write_text("stop")
    stopped = zoo.train(
        data=data,
        checkpoint_dir=tmp_path / "b",
        pause_every=step,
        pause_control="file",
        pause_file=control,
        **RUN,
        **settings,
    )
    assert stopped.stopped_at_step == step and stopped.export_dir is None
    saved = json.loads((tmp_path / "b" / f"ckpt-{step}.position.json").read_text())
    assert (saved["epoch"], saved["batch"]) == place
    resumed = zoo.train(data=data, checkpoint_dir=tmp_path / "b", resume=True, **RUN, **settings)
    assert resumed.weights_sha256 == whole.weights_sha256
    assert len(resumed.history["loss"]) == 2  # the first epoch's figures from history.json


def test_a_fresh_run_over_checkpoints_and_a_resume_without_them_are_refused(tmp_path):
    data = small_arrays(2, train=96, test=16)
    with pytest.raises(ConfigError, match="no checkpoint .* to resume from"):
        zoo.train(data=data, checkpoint_dir=tmp_path / "none", resume=True, **RUN)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "ckpt-3.weights.h5").write_bytes(b"")
    with pytest.raises(ConfigError, match="holds checkpoint files"):
        zoo.train(data=data, checkpoint_dir=tmp_path / "old", **RUN)


@pytest.mark.parametrize(
    "field,value",
    [("loop", "custom"), ("strategy", "multiworker"), ("export_tta", "flip")],
)
def test_what_needs_tensorflow_is_refused_with_the_alternative(tmp_path, field, value):
    with pytest.raises(ConfigError, match="needs the tensorflow backend"):
        zoo.train(data=small_arrays(3, 64, 16), **{**RUN, field: value})


DATA_PARALLEL = textwrap.dedent(
    """
    import json, sys
    import jax, numpy as np
    sys.path.insert(0, sys.argv[1])
    import zoo
    from tests.components.training.test_run_jax import RUN, small_arrays
    import keras
    run = {**RUN, "epochs": 1, "precision": "mixed_bfloat16"}
    data = small_arrays(5, 128, 33)  # 33 test images: the last batch padded to 2
    result = zoo.train(data=data, checkpoint_dir="ckpt", **run)
    metadata = json.load(open(result.export_dir / "metadata.json"))
    hyper = metadata["hyperparameters"]
    model = result.model
    prep = result.preprocessing
    x = (data[2].astype("float32") * prep.scale - prep.mean[0]) / prep.std[0]
    logits = np.asarray(model.predict(x, verbose=0), np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    print(json.dumps({"devices": len(jax.devices()), "strategy": hyper["strategy"],
                      "test": metadata["metrics"]["test"],
                      "numpy_test": {"accuracy": float(np.mean(logits.argmax(1) == data[3])),
                                     "loss": float(-log_p[np.arange(33), data[3]].mean())},
                      "replicas": hyper["replicas"], "loss": result.history["loss"][-1],
                      "precision": hyper["precision"],
                      "weights": sorted({str(w.dtype) for w in model.weights}),
                      "computes": sorted({l.compute_dtype for l in model.layers if l.weights}),
                      "policy_after": keras.mixed_precision.dtype_policy().name}))
    """
)


def test_data_parallel_over_two_host_devices_in_mixed_bfloat16(tmp_path):
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
    }
    done = subprocess.run(
        [sys.executable, "-c", DATA_PARALLEL, str(REPO_ROOT)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["devices"] == 2
    assert (facts["strategy"], facts["replicas"]) == ("DataParallel", 2)
    assert np.isfinite(facts["loss"])
    # The test figures of padded batches are those of the 33 images alone (NumPy's).
    assert facts["test"]["accuracy"] == pytest.approx(facts["numpy_test"]["accuracy"], abs=1e-6)
    assert facts["test"]["loss"] == pytest.approx(facts["numpy_test"]["loss"], abs=2e-3)
    # mixed_bfloat16: computes in bfloat16, keeps float32 weights; the policy put back after.
    assert facts["precision"] == "mixed_bfloat16"
    assert (facts["weights"], facts["computes"]) == (["float32"], ["bfloat16"])
    assert facts["policy_after"] == "float32"


def test_what_only_tensorflow_does_says_so_under_jax(tmp_path):
    from components.data.preprocessing import Preprocessing
    from components.distribute.loop import DistributedTrainer
    from components.export.saved_model import export_classifier

    model = zoo.create("lenet5_bn")
    with pytest.raises(ValueError, match="needs Keras's tensorflow backend; Keras runs 'jax'"):
        export_classifier(
            model,
            tmp_path,
            image_shape=(28, 28, 1),
            preprocessing=Preprocessing(mean=(0.5,), std=(0.25,)),
            class_names=[str(i) for i in range(10)],
        )
    with pytest.raises(ValueError, match="Keras's own fit"):
        DistributedTrainer(model, keras.optimizers.Adam(), strategy=None)


def test_a_non_finite_loss_stops_the_run_and_nothing_is_saved(tmp_path):
    # An absurd step sends the loss to inf or NaN within the first epoch: Keras's
    # TerminateOnNaN ends the fit mid-epoch, and the run must not save that model.
    stopped = zoo.train(
        data=small_arrays(6, 96, 32),
        checkpoint_dir=tmp_path / "ckpt",
        **{**RUN, "optimizer": "sgd", "learning_rate": 1e30, "lr_schedule": "constant"},
    )
    assert stopped.stopped_at_step is not None and stopped.export_dir is None
    assert not (tmp_path / "saved_models").exists()


def test_a_restore_best_run_resumed_mid_epoch_saves_the_epoch_its_metadata_names(tmp_path):
    data = small_arrays(3)
    control = tmp_path / "control"
    control.write_text("stop")  # the first pause (step 13 of 27: epoch 2, batch 4) stops
    run = {**RUN, "epochs": 3, "restore_best": True, "lr_schedule": "constant"}
    pausing = dict(pause_control="file", pause_file=control, checkpoint_dir=tmp_path / "b")
    stopped = zoo.train(data=data, pause_every=13, **pausing, **run)
    assert stopped.stopped_at_step == 13
    # From step 14 on the rate wrecks the model: the best epoch is the first, whose weights
    # only the checkpoint holds; the resumed run is two fit calls (epoch 2's rest, epoch 3).
    control.write_text("lr=3")
    resumed = zoo.train(
        data=data, pause_every=1, pause_timeout=0.1, pause_on_timeout="continue", resume=True,
        **pausing, **run,
    )  # fmt: skip
    metadata = load_metadata(resumed.export_dir)
    history = metadata.run.metrics.history["val_accuracy"]
    assert metadata.run.hyperparameters.best_epoch == 1 and history[0] > max(history[1:])
    # The independent truth: the saved file's accuracy on the validation images (the first
    # 10 % of the training arrays), computed with NumPy.
    saved = keras.saving.load_model(resumed.export_dir / "model.keras")  # of raw pixels
    predicted = saved.predict(data[0][:32], verbose=0).argmax(axis=1)
    accuracy = float(np.mean(predicted == data[1][:32]))
    assert accuracy == pytest.approx(metadata.run.metrics.validation["accuracy"], abs=1e-6)
    assert accuracy == pytest.approx(history[0], abs=1e-6)
