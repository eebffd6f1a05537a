"""Optimizers and learning-rate schedules by name."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.optimizers import OPTIMIZERS, make_optimizer
from components.schedules import make_schedule


@pytest.mark.parametrize(
    "name,cls,momentum,nesterov",
    [
        ("sgd", keras.optimizers.SGD, 0.0, False),
        ("momentum", keras.optimizers.SGD, 0.9, False),
        ("nesterov", keras.optimizers.SGD, 0.9, True),
        ("rmsprop", keras.optimizers.RMSprop, None, None),
        ("adam", keras.optimizers.Adam, None, None),
    ],
)
def test_names_map_to_keras_optimizers(name, cls, momentum, nesterov):
    optimizer = make_optimizer(name, 0.01)
    assert type(optimizer) is cls
    assert float(optimizer.learning_rate) == pytest.approx(0.01)
    if momentum is not None:
        assert optimizer.momentum == momentum and optimizer.nesterov == nesterov


def test_bad_names_and_values():
    with pytest.raises(ValueError, match="Valid optimizers: " + ", ".join(OPTIMIZERS)):
        make_optimizer("adagrad", 0.1)
    with pytest.raises(ValueError, match="learning_rate must be positive"):
        make_optimizer("sgd", 0.0)
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        make_optimizer("sgd", 0.1, weight_decay=-1.0)


def test_weight_decay_skips_biases():
    # Zero gradients: any change comes from weight decay alone, w <- w - lr * wd * w.
    dense = keras.layers.Dense(2, bias_initializer="ones")
    dense.build((None, 3))
    kernel_before = dense.kernel.numpy().copy()
    optimizer = make_optimizer("sgd", 0.1, weight_decay=0.5)
    optimizer.apply_gradients(
        [(np.zeros((3, 2), "float32"), dense.kernel), (np.zeros(2, "float32"), dense.bias)]
    )
    np.testing.assert_allclose(dense.kernel.numpy(), kernel_before * (1 - 0.1 * 0.5), rtol=1e-6)
    np.testing.assert_allclose(dense.bias.numpy(), np.ones(2))


def test_cosine_schedule_values():
    schedule = make_schedule("cosine", 0.1, total_steps=100)
    for step in (0, 25, 50, 100):
        expected = 0.1 * 0.5 * (1 + np.cos(np.pi * step / 100))
        assert float(schedule(step)) == pytest.approx(expected, abs=1e-7)
    assert make_schedule("constant", 0.1, total_steps=100) == 0.1
    with pytest.raises(ValueError, match="Valid: constant, cosine"):
        make_schedule("step", 0.1, 10)
