"""Adam without bias correction, against an independent NumPy Adam."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.optimizers import AdamNoBiasCorrection

pytestmark = pytest.mark.backends  # runs in the JAX pass too

RNG = np.random.default_rng(0)
SHAPES = [(3, 4), (4,)]
STEPS = 6


def numpy_adam(initial, gradients, lr, beta_1, beta_2, epsilon, bias_correction, amsgrad=False):
    """Kingma & Ba's Algorithm 1 with Keras's epsilon ("epsilon hat", added to sqrt(v_t));
    without bias correction, the raw moments m_t and v_t take the corrected ones' place.
    AMSGrad divides by the running maximum of v_t instead."""
    theta = [w.astype(np.float64) for w in initial]
    m = [np.zeros_like(w) for w in theta]
    v = [np.zeros_like(w) for w in theta]
    v_max = [np.zeros_like(w) for w in theta]
    for t, step_gradients in enumerate(gradients, start=1):
        for i, g in enumerate(step_gradients):
            m[i] = beta_1 * m[i] + (1 - beta_1) * g
            v[i] = beta_2 * v[i] + (1 - beta_2) * g**2
            v_max[i] = np.maximum(v_max[i], v[i])
            rate = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t) if bias_correction else lr
            denominator = np.sqrt(v_max[i] if amsgrad else v[i]) + epsilon
            theta[i] = theta[i] - rate * m[i] / denominator
    return theta


def run_keras(optimizer, initial, gradients):
    variables = [keras.Variable(w) for w in initial]
    for step_gradients in gradients:
        gradients32 = [g.astype("float32") for g in step_gradients]
        optimizer.apply_gradients(zip(gradients32, variables, strict=True))
    return [v.numpy() for v in variables]


@pytest.fixture
def problem():
    initial = [RNG.normal(size=shape).astype("float32") for shape in SHAPES]
    gradients = [[RNG.normal(size=shape) for shape in SHAPES] for _ in range(STEPS)]
    return initial, gradients


@pytest.mark.parametrize(
    "beta_1,beta_2,epsilon,amsgrad",
    [(0.9, 0.999, 1e-7, False), (0.8, 0.99, 1e-3, False), (0.9, 0.999, 1e-7, True)],
)
def test_matches_numpy_without_bias_correction(problem, beta_1, beta_2, epsilon, amsgrad):
    initial, gradients = problem
    optimizer = AdamNoBiasCorrection(
        0.01, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad
    )
    got = run_keras(optimizer, initial, gradients)
    expected = numpy_adam(initial, gradients, 0.01, beta_1, beta_2, epsilon, False, amsgrad)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)
    # It really differs from Adam: its first step is (1 - beta_1) / sqrt(1 - beta_2) times
    # Adam's (3.16 for the default betas).
    corrected = numpy_adam(initial, gradients[:1], 0.01, beta_1, beta_2, epsilon, True)
    uncorrected = numpy_adam(initial, gradients[:1], 0.01, beta_1, beta_2, epsilon, False)
    ratio = (uncorrected[0] - initial[0]) / (corrected[0] - initial[0])
    np.testing.assert_allclose(ratio, (1 - beta_1) / np.sqrt(1 - beta_2), rtol=1e-2)


def test_the_numpy_reference_with_bias_correction_is_keras_adam(problem):
    initial, gradients = problem
    got = run_keras(keras.optimizers.Adam(0.01), initial, gradients)
    expected = numpy_adam(initial, gradients, 0.01, 0.9, 0.999, 1e-7, True)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_config_round_trip_and_reload_without_custom_objects(tmp_path):
    optimizer = AdamNoBiasCorrection(0.005, beta_1=0.8, epsilon=1e-4, amsgrad=True)
    config = optimizer.get_config()
    clone = AdamNoBiasCorrection.from_config(config)
    assert clone.get_config() == config
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert type(restored) is AdamNoBiasCorrection and restored.get_config() == config

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer=AdamNoBiasCorrection(0.01), loss="mse")
    model.fit(RNG.normal(size=(8, 3)), RNG.normal(size=(8, 2)), epochs=1, verbose=0)
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")
    assert type(reloaded.optimizer) is AdamNoBiasCorrection
    assert int(reloaded.optimizer.iterations.numpy()) == 1
