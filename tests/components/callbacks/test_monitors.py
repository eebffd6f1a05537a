"""GradientMonitor and ActivationMonitor, against networks whose behaviour is known."""

from __future__ import annotations

import csv

import keras
import matplotlib.image
import numpy as np
import pytest
import tensorflow as tf

import zoo
from components.callbacks import ActivationMonitor, GradientMonitor
from components.checkpoints import WeightsCheckpoint
from components.diagnostics import activation_statistics, plot_activation_histograms
from components.experiments import initialization_experiment
from components.initializers import get_initializer
from components.optimizers import make_optimizer
from components.training import compile_classifier

RNG = np.random.default_rng(0)


def _deep_sigmoid(depth=10):
    """Sigmoid layers with small weights: the textbook case of vanishing gradients."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((20,))
    x = inputs
    for i in range(depth):
        x = keras.layers.Dense(
            20, "sigmoid", kernel_initializer=get_initializer("small_normal", seed=i), name=f"d{i}"
        )(x)
    outputs = keras.layers.Dense(3, name="classifier")(x)
    return keras.Model(inputs, outputs)


def _data(n=64, features=20):
    return RNG.normal(size=(n, features)).astype("float32"), RNG.integers(0, 3, size=n)


def test_gradient_norms_updates_csv_and_tensorboard(tmp_path):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((20,))
    hidden = keras.layers.Dense(16, "relu", name="hidden")(inputs)
    model = compile_classifier(
        keras.Model(inputs, keras.layers.Dense(3, name="out")(hidden)), make_optimizer("sgd", 0.1)
    )
    x, y = _data()
    monitor = GradientMonitor(
        (x[:32], y[:32]), every=2, log_dir=str(tmp_path / "tb"), csv_path=str(tmp_path / "g.csv")
    )
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[monitor])  # 4 steps
    assert [r["step"] for r in monitor.records] == [2, 2, 4, 4]
    # The gradient norm against an independent tape on the same batch and loss.
    with tf.GradientTape() as tape:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y[:32], model(x[:32]))
    expected = float(tf.norm(tape.gradient(loss, model.get_layer("out").kernel)))
    assert monitor.records[-1]["layer"] == "out"
    assert monitor.records[-1]["grad_norm"] == pytest.approx(expected, rel=1e-4)
    assert all(0 < r["update_ratio"] < 1 for r in monitor.records)
    rows = list(csv.DictReader(open(tmp_path / "g.csv")))
    assert len(rows) == 4 and rows[0]["layer"] == "hidden"
    assert list((tmp_path / "tb").glob("events.out.tfevents.*"))


def test_vanishing_gradients_are_reported_in_plain_words():
    model = compile_classifier(_deep_sigmoid(), make_optimizer("sgd", 0.01))
    x, y = _data()
    monitor = GradientMonitor((x, y), every=1)
    model.fit(x, y, batch_size=64, epochs=1, verbose=0, callbacks=[monitor])
    assert any("vanishing gradients: the first layer d0" in w for w in monitor.warnings), (
        monitor.warnings
    )
    healthy = compile_classifier(zoo.create("lenet5_bn"), make_optimizer("sgd", 0.01))
    images = RNG.normal(size=(32, 28, 28, 1)).astype("float32")
    quiet = GradientMonitor((images, y[:32]), every=1, ratio_range=(0, 1))
    healthy.fit(images, y[:32], epochs=1, verbose=0, callbacks=[quiet])
    assert not quiet.warnings


SWITCH = tf.Variable(1.0)  # outside the model's weights, like a bad input or a bad op


class Poison(keras.layers.Layer):
    """Multiplies by sqrt(SWITCH): NaN everywhere once the switch goes negative."""

    def call(self, inputs):
        return inputs * tf.sqrt(SWITCH)


class FlipAt(keras.callbacks.Callback):
    def __init__(self, step):
        super().__init__()
        self.step, self.seen = step, 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen += 1
        if self.seen == self.step:
            SWITCH.assign(-1.0)


def test_nan_is_located_and_training_stops_with_the_last_good_state(tmp_path):
    SWITCH.assign(1.0)
    keras.utils.set_random_seed(0)
    inputs = keras.Input((20,))
    x1 = keras.layers.Dense(8, "relu", name="first")(inputs)
    x2 = Poison(name="poison")(x1)
    outputs = keras.layers.Dense(3, name="last")(keras.layers.Dense(8, name="middle")(x2))
    model = compile_classifier(keras.Model(inputs, outputs), make_optimizer("sgd", 0.1))
    x, y = _data(160)
    checkpoint = WeightsCheckpoint(tmp_path)
    monitor = GradientMonitor((x[:32], y[:32]), every=2, checkpoint=checkpoint)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=[FlipAt(3), monitor, checkpoint])
    assert monitor.nan_layer == "poison"
    assert model.optimizer.iterations.numpy() == 4  # stopped at the check after the NaN
    assert "NaN or Inf appeared (first in layer poison)" in monitor.warnings[-1]
    kernel = model.get_layer("first").kernel.numpy()
    assert np.all(np.isfinite(kernel))  # the last good weights are back
    # Saved through the run's checkpoint: the last good weights, not the poisoned ones.
    saved = keras.models.clone_model(model)
    saved.load_weights(tmp_path / "ckpt-4.weights.h5", skip_mismatch=True)
    np.testing.assert_array_equal(saved.get_layer("first").kernel.numpy(), kernel)


def test_activation_statistics_against_numpy_and_alarms():
    models = initialization_experiment(depth=4, width=64, input_dim=64)
    batch = RNG.normal(size=(256, 64)).astype("float32")
    collapsed = activation_statistics(models["N(0, 0.01), tanh"], batch)
    assert collapsed[-1]["std"] < 1e-3 < collapsed[0]["std"]
    saturated = activation_statistics(models["N(0, 1), tanh"], batch)
    assert all(s["saturated_fraction"] > 0.5 for s in saturated)
    relu = activation_statistics(models["He, ReLU"], batch)
    first = models["He, ReLU"].get_layer("dense1")
    expected = np.maximum(batch @ first.kernel.numpy() + first.bias.numpy(), 0)
    assert relu[0]["mean"] == pytest.approx(expected.mean(), rel=1e-5)
    assert relu[0]["dead_fraction"] == pytest.approx(np.mean(np.all(expected <= 0, axis=0)))

    model = models["N(0, 1), tanh"]
    model.compile(make_optimizer("sgd", 1e-3), "mse")
    monitor = ActivationMonitor(batch[:32], every=1)
    model.fit(batch, np.zeros((256, 64)), batch_size=128, epochs=1, verbose=0, callbacks=[monitor])
    assert len(monitor.history) == 2
    assert any("outputs are saturated" in w for w in monitor.warnings)


def test_the_classic_initialization_figure(tmp_path):
    models = initialization_experiment(depth=10, width=100, input_dim=100)
    path = plot_activation_histograms(models, RNG.normal(size=(200, 100)), tmp_path / "init.png")
    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (4 * 171, 10 * 171)  # 1.9 inch per panel at 90 dpi
    assert image[..., :3].std() > 0.05


MIRRORED_MONITORS = """
import json
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, numpy as np, zoo
from components.callbacks import ActivationMonitor, GradientMonitor
from components.distribute.strategies import select_strategy
from components.distribute.loop import DistributedTrainer
from components.optimizers import make_optimizer
from components.training import compile_classifier

strategy = select_strategy("mirrored")
rng = np.random.default_rng(0)
x = rng.normal(size=(128, 28, 28, 1)).astype("float32"); y = rng.integers(0, 10, 128)
data = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
result = {}
for loop in ("fit", "custom"):
    with strategy.scope():
        model = zoo.create("lenet5_bn")
        optimizer = make_optimizer("sgd", 0.05)
    gradients = GradientMonitor((x[:32], y[:32]), every=2)
    activations = ActivationMonitor(x[:32], every=2)
    if loop == "fit":
        with strategy.scope():
            compile_classifier(model, optimizer)
        model.fit(data, epochs=1, verbose=0, callbacks=[gradients, activations])
    else:
        DistributedTrainer(model, optimizer, strategy).fit(
            data, epochs=1, verbose=0, callbacks=[gradients, activations]
        )
    result[loop] = {
        "steps": sorted({r["step"] for r in gradients.records}),
        "finite": bool(np.all(np.isfinite([r["grad_norm"] for r in gradients.records]))),
        "looks": len(activations.history),
    }
print(json.dumps(result))
"""


def test_monitors_under_mirrored_strategy():
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", MIRRORED_MONITORS], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    for loop in ("fit", "custom"):
        assert result[loop] == {"steps": [2, 4], "finite": True, "looks": 2}, result
