"""LinearDecay (warm-up, then a straight line to a floor) against NumPy's interpolation; its
config, `.keras` file and `fit`; `make_schedule("warmup_linear")`."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.schedules import LR_SCHEDULES, LinearDecay, ScaledSchedule, make_schedule

pytestmark = pytest.mark.backends  # runs in the JAX pass too

STEPS = (0, 1, 7, 19, 20, 21, 50, 99, 100, 101, 250)


def _values(schedule, steps=STEPS):
    return np.array([float(keras.ops.convert_to_numpy(schedule(step))) for step in steps])


@pytest.mark.parametrize(
    "kwargs, points",
    [
        # Without a warm-up: PolynomialDecay(power=1) from 0.5 to 0 over 100 steps.
        ({"initial_learning_rate": 0.5, "decay_steps": 100}, ([0, 100], [0.5, 0.0])),
        (
            {"initial_learning_rate": 0.5, "decay_steps": 100, "alpha": 0.2},
            ([0, 100], [0.5, 0.1]),
        ),
        # 0 -> 1 over 20 steps, then 1 -> 0.1 over 80.
        (
            {
                "initial_learning_rate": 0.0,
                "decay_steps": 80,
                "alpha": 0.1,
                "warmup_target": 1.0,
                "warmup_steps": 20,
            },
            ([0, 20, 100], [0.0, 1.0, 0.1]),
        ),  # fmt: skip
        # airbench's triangle over 100 steps: 0.2 of the peak, the peak at 23, 0.07 at the end.
        (
            {
                "initial_learning_rate": 0.2 * 0.4,
                "decay_steps": 77,
                "alpha": 0.07,
                "warmup_target": 0.4,
                "warmup_steps": 23,
            },
            ([0, 23, 100], [0.2 * 0.4, 0.4, 0.07 * 0.4]),
        ),  # fmt: skip
    ],
)
def test_linear_decay_is_numpys_piecewise_linear_interpolation(kwargs, points):
    expected = np.interp(STEPS, *points)  # constant beyond the last point
    np.testing.assert_allclose(_values(LinearDecay(**kwargs)), expected, rtol=1e-5, atol=1e-7)


def test_keras_has_the_cosine_form_and_this_is_its_linear_twin():
    # Same arguments as CosineDecay: the two agree at the ends of each phase.
    kwargs = {"decay_steps": 80, "alpha": 0.1, "warmup_target": 1.0, "warmup_steps": 20}
    cosine = keras.optimizers.schedules.CosineDecay(0.0, **kwargs)
    linear = LinearDecay(0.0, **kwargs)
    for step in (0, 10, 20, 100, 150):
        assert float(linear(step)) == pytest.approx(float(cosine(step)), abs=1e-6)


def test_linear_decay_config_round_trip_and_refusals():
    schedule = LinearDecay(0.1, 50, alpha=0.05, warmup_target=0.5, warmup_steps=10)
    config = keras.saving.serialize_keras_object(schedule)
    restored = keras.saving.deserialize_keras_object(config)  # registered: no custom_objects
    assert type(restored) is LinearDecay and restored.get_config() == schedule.get_config()
    np.testing.assert_allclose(_values(restored), _values(schedule))
    with pytest.raises(ValueError, match="decay_steps must be positive, got 0"):
        LinearDecay(0.1, 0)
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\], got 1.5"):
        LinearDecay(0.1, 10, alpha=1.5)
    with pytest.raises(ValueError, match="warmup_steps must be >= 0, got -1"):
        LinearDecay(0.1, 10, warmup_target=1.0, warmup_steps=-1)


def test_make_schedule_warmup_linear():
    assert "warmup_linear" in LR_SCHEDULES
    schedule = make_schedule("warmup_linear", 0.1, total_steps=100, steps_per_epoch=10)
    assert isinstance(schedule, ScaledSchedule) and isinstance(schedule.schedule, LinearDecay)
    np.testing.assert_allclose(
        _values(schedule), np.interp(STEPS, [0, 10, 100], [0.0, 0.1, 0.0]), rtol=1e-5, atol=1e-7
    )
    floored = make_schedule("warmup_linear", 0.1, total_steps=100, warmup_steps=25, alpha=0.3)
    np.testing.assert_allclose(
        _values(floored), np.interp(STEPS, [0, 25, 100], [0.0, 0.1, 0.03]), rtol=1e-5, atol=1e-7
    )
    # alpha reaches Keras's cosine schedules too.
    cosine = make_schedule("cosine", 0.1, total_steps=100, alpha=0.2)
    assert float(cosine(100)) == pytest.approx(0.02, rel=1e-5)
    with pytest.raises(ValueError, match=r"alpha \(the final rate's fraction\) must be in"):
        make_schedule("warmup_linear", 0.1, total_steps=100, alpha=-0.1)


def test_linear_decay_drives_fit_and_reloads_from_a_keras_file(tmp_path):
    schedule = make_schedule("warmup_linear", 0.1, total_steps=12, warmup_steps=4, alpha=0.1)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile(keras.optimizers.SGD(schedule), "mse")
    x, y = np.ones((12, 3), "float32"), np.zeros((12, 1), "float32")
    model.fit(x, y, batch_size=2, epochs=1, verbose=0)  # 6 steps
    expected = np.interp(6, [0, 4, 12], [0.0, 0.1, 0.01])
    assert float(model.optimizer.learning_rate) == pytest.approx(expected, rel=1e-5)
    model.save(tmp_path / "m.keras")
    reloaded = keras.saving.load_model(tmp_path / "m.keras").optimizer._learning_rate
    assert isinstance(reloaded.schedule, LinearDecay)
    np.testing.assert_allclose(_values(reloaded), _values(schedule), rtol=1e-6)
