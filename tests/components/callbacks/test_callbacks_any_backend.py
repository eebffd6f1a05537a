"""The callbacks in `model.fit` on every Keras backend (this file runs in the JAX pass too):
what JAX's trainer keeps apart from the variables during an epoch must be read, saved and
changed mid-epoch as under TensorFlow."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.callbacks import (
    ActivationMonitor,
    GradientMonitor,
    LearningRateLogger,
    LRFinder,
    PauseEveryNSteps,
)
from components.callbacks.pause_commands import Decision
from components.checkpoints.weights import WeightsCheckpoint, restore_weights

pytestmark = pytest.mark.backends
RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 6)).astype("float32")
Y = RNG.integers(0, 3, 64)


class Scripted:
    """A controller that answers from a list."""

    def __init__(self, *decisions):
        self.decisions = list(decisions)

    def decide(self, status):
        return self.decisions.pop(0) if self.decisions else Decision()


def softmax_regression(learning_rate=0.1, hidden=False):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    x = keras.layers.Dense(5, activation="relu", name="hidden")(inputs) if hidden else inputs
    model = keras.Model(inputs, keras.layers.Dense(3, name="logits")(x))
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def test_gradient_monitor_matches_the_gradient_by_hand():
    model = softmax_regression()
    monitor = GradientMonitor((X, Y), every=2)
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, shuffle=False, callbacks=[monitor])
    assert [r["step"] for r in monitor.records] == [2, 4]
    # Softmax cross-entropy of logits x W + b: dL/dW = x^T (softmax - onehot) / N.
    kernel, bias = (keras.ops.convert_to_numpy(v) for v in model.get_layer("logits").weights)
    logits = X @ kernel + bias
    probabilities = np.exp(logits - logits.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    expected = X.T @ (probabilities - np.eye(3)[Y]) / len(X)
    row = monitor.check()[0]
    assert row["grad_norm"] == pytest.approx(np.linalg.norm(expected), rel=1e-4)
    # The update ratio of the last check's step is that of the weights' real change.
    assert 0 < monitor.records[-1]["update_ratio"] < 1


def test_activation_monitor_sees_the_current_weights():
    model = softmax_regression(hidden=True)
    monitor = ActivationMonitor(X[:32], every=4)
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, callbacks=[monitor])
    assert [step for step, _ in monitor.history] == [4]
    hidden = model.get_layer("hidden")
    kernel, bias = (keras.ops.convert_to_numpy(v) for v in hidden.weights)
    expected = np.maximum(X[:32] @ kernel + bias, 0)
    stats = monitor.look()
    assert stats[0]["mean"] == pytest.approx(expected.mean(), rel=1e-5)


def test_a_learning_rate_set_at_a_pause_is_the_one_the_next_steps_use(tmp_path):
    model = softmax_regression()
    checkpoint = WeightsCheckpoint(tmp_path, keep=10)
    pause = PauseEveryNSteps(
        3, controller=Scripted(Decision(learning_rate=0.0)), checkpoint=checkpoint
    )
    history = model.fit(
        X,
        Y,
        batch_size=16,
        epochs=2,
        verbose=0,
        callbacks=[checkpoint, pause, LearningRateLogger()],
    )
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == 0.0
    assert history.history["learning_rate"] == pytest.approx([0.0, 0.0])
    # From step 3 the rate is 0: the weights are those the pause saved at step 3.
    saved = softmax_regression()
    saved.optimizer.build(saved.trainable_variables)
    at_step_3 = tmp_path / "ckpt-3.weights.h5"
    assert at_step_3.is_file()
    saved.load_weights(at_step_3)
    for got, expected in zip(model.get_weights(), saved.get_weights(), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_a_stop_at_a_pause_ends_fit_at_that_step_with_its_checkpoint(tmp_path):
    model = softmax_regression()
    checkpoint = WeightsCheckpoint(tmp_path, every=100)
    pause = PauseEveryNSteps(
        5, controller=Scripted(Decision(action="stop")), checkpoint=checkpoint
    )
    model.fit(X, Y, batch_size=16, epochs=3, verbose=0, callbacks=[checkpoint, pause])
    assert pause.stopped_at_step == 5
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 5
    resumed = softmax_regression()
    place = restore_weights(resumed, tmp_path)
    assert (place["epoch"], place["batch"], place["step"]) == (1, 1, 5)
    for got, expected in zip(resumed.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_lr_finder_sweeps_the_rate_and_puts_everything_back():
    model = softmax_regression()
    before = [w.copy() for w in model.get_weights()]
    finder = LRFinder(min_lr=1e-4, max_lr=1.0, steps=4)
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0, callbacks=[finder])
    np.testing.assert_allclose(finder.learning_rates, np.geomspace(1e-4, 1.0, 4), rtol=1e-6)
    assert len(finder.losses) == 4 and np.all(np.isfinite(finder.losses))
    for got, expected in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.1)
