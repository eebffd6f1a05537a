"""The learning-rate range test: restores the model, suggests a rate, draws the plot."""

from __future__ import annotations

import keras
import matplotlib.image
import numpy as np
import pytest
import tensorflow as tf

import zoo
from components.callbacks import LRFinder, find_learning_rate
from components.optimizers import make_optimizer
from components.training import compile_classifier


def _learnable(n=512):
    rng = np.random.default_rng(0)
    y = np.arange(n) % 10
    x = rng.normal(scale=0.3, size=(n, 28, 28, 1)).astype("float32")
    for i, label in enumerate(y):
        x[i, 2 * label + 4 : 2 * label + 7] += 2.0
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(32)


def test_range_test_restores_and_suggests(tmp_path):
    keras.utils.set_random_seed(0)
    model = compile_classifier(zoo.create("lenet5_bn"), make_optimizer("sgd", 0.01))
    data = _learnable()
    model.fit(data.take(1), verbose=0)  # build the optimizer's state
    weights = [w.numpy().copy() for w in model.weights]
    state = [v.numpy().copy() for v in model.optimizer.variables]
    finder = find_learning_rate(model, data, min_lr=1e-5, max_lr=10.0, steps=60)
    # Rates grow exponentially, one per recorded step.
    rates = np.asarray(finder.learning_rates)
    np.testing.assert_allclose(rates[1:] / rates[:-1], (1e6) ** (1 / 59), rtol=1e-6)
    assert 10 <= len(finder.losses) <= 60
    # Weights, optimizer state (step count included) and the rate are as before.
    for w, before in zip(model.weights, weights, strict=True):
        np.testing.assert_array_equal(w.numpy(), before)
    for v, before in zip(model.optimizer.variables, state, strict=True):
        np.testing.assert_array_equal(v.numpy(), before)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.01)
    # The loss falls fastest somewhere in the middle of the range for this problem.
    assert 1e-3 < finder.suggestion() < 1.0
    path = finder.plot(tmp_path / "lr.png")
    image = matplotlib.image.imread(path)
    assert image.shape[:2] == (450, 700)
    assert image[..., :3].std() > 0.05  # not blank


def test_bad_arguments():
    with pytest.raises(ValueError, match="0 < min_lr < max_lr"):
        LRFinder(min_lr=1.0, max_lr=0.1)
    model = compile_classifier(zoo.create("lenet5"), make_optimizer("sgd", lr_schedule()))
    with pytest.raises(ValueError, match="constant learning rate"):
        find_learning_rate(model, _learnable(64), steps=5)


def lr_schedule():
    return keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
