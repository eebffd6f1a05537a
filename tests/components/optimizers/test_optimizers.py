"""Optimizers and learning-rate schedules by name."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.callbacks import LearningRateLogger
from components.optimizers import OPTIMIZERS, make_optimizer
from components.schedules import ScaledSchedule, make_schedule, plateau_callback

pytestmark = pytest.mark.backends  # runs in the JAX pass too


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
    with pytest.raises(ValueError, match="learning_rate must be a finite positive"):
        make_optimizer("sgd", 0.0)
    with pytest.raises(ValueError, match="weight_decay must be finite and >= 0"):
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
    with pytest.raises(ValueError, match="Valid: constant, step, exponential"):
        make_schedule("cyclic", 0.1, 10)


@pytest.mark.parametrize(
    "name,formula",
    [
        ("step", lambda t: 0.1 * 0.1 ** (t // 33)),
        ("exponential", lambda t: 0.1 * 0.01 ** (t / 100)),
        ("inverse_time", lambda t: 0.1 / (1 + t / 10)),
        ("cosine", lambda t: 0.1 * 0.5 * (1 + np.cos(np.pi * t / 100))),
        (
            "warmup_cosine",
            lambda t: 0.1 * t / 10 if t < 10 else 0.1 * 0.5 * (1 + np.cos(np.pi * (t - 10) / 90)),
        ),
    ],
)
def test_schedules_follow_their_formulas(name, formula):
    schedule = make_schedule(name, 0.1, total_steps=100, steps_per_epoch=10)
    for step in (0, 5, 10, 33, 34, 50, 99):
        assert float(schedule(step)) == pytest.approx(formula(step), rel=1e-5, abs=1e-7)


def test_plateau_is_refused_as_a_schedule_and_works_as_its_callback():
    with pytest.raises(ValueError, match="'plateau' is not a function of the step"):
        make_schedule("plateau", 0.1, total_steps=10)
    # A loss that never improves: the rate halves after every 2 epochs without improvement.
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1, kernel_initializer="zeros")(inputs))
    model.compile(make_optimizer("sgd", 0.1), "mse")
    x, y = np.zeros((8, 3), "float32"), np.zeros((8, 1), "float32")
    history = model.fit(
        x, y, epochs=5, verbose=0, callbacks=[LearningRateLogger(), plateau_callback("loss")]
    )
    # Logged at each epoch's end, before that epoch's decision.
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.025)


def test_scaled_schedule_round_trips_through_a_keras_file(tmp_path):
    schedule = make_schedule("warmup_cosine", 0.1, total_steps=100, steps_per_epoch=10)
    schedule.set_rate(0.03, step=40)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    model.compile(make_optimizer("sgd", schedule), "mse")
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras").optimizer._learning_rate
    assert isinstance(reloaded, ScaledSchedule)
    for step in (0, 10, 40, 77):
        assert float(reloaded(step)) == pytest.approx(float(schedule(step)), rel=1e-6)
    assert float(reloaded(40)) == pytest.approx(0.03, rel=1e-5)


def test_scaled_schedule_refuses_what_it_cannot_do():
    schedule = make_schedule("cosine", 0.1, total_steps=10)
    with pytest.raises(ValueError, match="at 0 at step 10"):
        schedule.set_rate(0.01, step=10)
    with pytest.raises(ValueError, match="must be positive"):
        schedule.set_rate(-1.0, step=2)
