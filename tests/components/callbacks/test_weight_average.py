"""The moving average of the weights (`use_ema`) in a run, against the average NumPy computes
from the weights of every step (this file runs in the JAX pass too)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.callbacks import (
    AveragedWeightsValidation,
    BestWeights,
    averaged_weights,
    uses_weight_average,
)
from components.checkpoints.weights import WeightsCheckpoint, restore_weights
from components.config_error import ConfigError
from components.optimizers import make_optimizer
from components.training import TrainConfig
from components.training.resumable_fit import fit_from

pytestmark = pytest.mark.backends
RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 6)).astype("float32")
Y = RNG.integers(0, 3, 64)
X_VAL = RNG.normal(size=(32, 6)).astype("float32")
Y_VAL = RNG.integers(0, 3, 32)
BATCH, MOMENTUM = 16, 0.8


def _model() -> keras.Model:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(5, activation="relu", name="hidden")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3, name="logits")(hidden))
    model.compile(
        optimizer=make_optimizer("nesterov", 0.2, ema_momentum=MOMENTUM),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def _weights(model) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(v) for v in model.trainable_variables]


class _Batches(keras.utils.PyDataset):
    """One epoch of `X` in order, without its first `skip` batches."""

    def __init__(self, skip: int = 0):
        super().__init__()
        self.skip = skip

    def __len__(self):
        return len(X) // BATCH - self.skip

    def __getitem__(self, index):
        rows = slice((index + self.skip) * BATCH, (index + self.skip + 1) * BATCH)
        return X[rows], Y[rows]


def _train_from(epoch, skip, end):
    return _Batches(skip), None, []


class _EveryStep(keras.callbacks.Callback):
    """The trained weights after every step."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_batch_end(self, batch, logs=None):
        self.weights.append(_weights(self.model))


def _assert_close(got: list, want: list, **tolerance) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, **(tolerance or {"rtol": 1e-5, "atol": 1e-6}))


def _numpy_average(trajectory: list[list[np.ndarray]]) -> list[np.ndarray]:
    """Keras's documented rule: the first step copies, then m * average + (1 - m) * weights."""
    average = [w.astype(np.float64) for w in trajectory[0]]
    for weights in trajectory[1:]:
        average = [
            MOMENTUM * a + (1 - MOMENTUM) * w for a, w in zip(average, weights, strict=True)
        ]
    return average


def _fit(model, *, epoch=0, batch=0, callbacks=()):
    fit_from(
        model,
        _train_from,
        epoch=epoch,
        batch=batch,
        epochs=3,
        batches_per_epoch=len(X) // BATCH,
        callbacks=list(callbacks),
        verbose=0,
    )


def test_a_run_ends_with_the_average_numpy_computes_and_a_resume_ends_there_too():
    uninterrupted, steps = _model(), _EveryStep()
    _fit(uninterrupted, callbacks=[steps])
    assert len(steps.weights) == 12
    expected = _numpy_average(steps.weights)
    _assert_close(_weights(uninterrupted), expected)
    # The average is not the last step's weights: the test tells them apart.
    assert (
        max(np.abs(a - b).max() for a, b in zip(expected, steps.weights[-1], strict=True)) > 1e-3
    )
    # The model trains on (under JAX the averages written in must not share their arrays).
    assert np.isfinite(uninterrupted.train_on_batch(X[:BATCH], Y[:BATCH]))

    # A run interrupted after 2 steps of epoch 1 resumes there (two fit calls): the weights it
    # trains on after the first fit are the trained ones, not the average that fit wrote.
    resumed, resumed_steps = _model(), _EveryStep()
    for index in range(2):
        rows = slice(index * BATCH, (index + 1) * BATCH)
        resumed.train_on_batch(X[rows], Y[rows])
    _fit(resumed, batch=2, callbacks=[resumed_steps])
    assert len(resumed_steps.weights) == 10
    for got, want in zip(resumed_steps.weights, steps.weights[2:], strict=True):
        _assert_close(got, want)
    _assert_close(_weights(resumed), expected)


def _numpy_loss(weights, x, y) -> float:
    kernel, bias, out_kernel, out_bias = weights
    logits = np.maximum(x @ kernel + bias, 0) @ out_kernel + out_bias
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_p[np.arange(len(y)), y].mean())


def test_validation_measures_the_average_and_best_weights_keep_it():
    model, steps = _model(), _EveryStep()
    best = BestWeights("val_loss", mode="min", restore_on_train_end=False)
    history = model.fit(
        X,
        Y,
        batch_size=BATCH,
        epochs=3,
        shuffle=False,
        validation_data=(X_VAL, Y_VAL),
        callbacks=[steps, AveragedWeightsValidation(), best],
        verbose=0,
    ).history
    per_epoch = len(X) // BATCH
    averages = [_numpy_average(steps.weights[: (e + 1) * per_epoch]) for e in range(3)]
    truth = [_numpy_loss(a, X_VAL, Y_VAL) for a in averages]
    assert history["val_loss"] == pytest.approx(truth, rel=1e-4)
    # The trained weights' loss differs: the validation above measured the average.
    trained = _numpy_loss(steps.weights[-1], X_VAL, Y_VAL)
    assert abs(trained - truth[-1]) > 1e-3
    _assert_close(best.best_weights, averages[best.best_epoch])  # all weights are trainable here


def test_averaged_weights_swaps_in_and_back_and_does_nothing_without_an_average():
    model, steps = _model(), _EveryStep()
    model.fit(X, Y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[steps])
    assert uses_weight_average(model)
    # After fit the model holds the average; the trained weights are the last step's.
    average = _weights(model)
    model.set_weights(steps.weights[-1])
    with averaged_weights(model):
        _assert_close(_weights(model), average, rtol=0, atol=0)
    _assert_close(_weights(model), steps.weights[-1], rtol=0, atol=0)

    plain = keras.Sequential([keras.Input((6,)), keras.layers.Dense(3)])
    plain.compile(optimizer="sgd", loss="mse")
    before = _weights(plain)
    with averaged_weights(plain):
        _assert_close(_weights(plain), before, rtol=0, atol=0)
    assert not uses_weight_average(plain)


def test_the_setting_reaches_the_optimizer_and_bad_values_are_refused():
    optimizer = make_optimizer("adam", 1e-3, ema_momentum=0.99)
    assert optimizer.use_ema and optimizer.ema_momentum == 0.99
    assert not make_optimizer("adam", 1e-3).use_ema
    with pytest.raises(ValueError, match="ema_momentum"):
        make_optimizer("adam", 1e-3, ema_momentum=1.0)
    with pytest.raises(ConfigError, match=r"ema_momentum.*in \(0, 1\)"):
        TrainConfig.of(ema_momentum=1.5)
    with pytest.raises(ConfigError, match="loop custom"):
        TrainConfig.of(ema_momentum=0.99, loop="custom")
    assert TrainConfig.of(ema_momentum=0.99).optimization.ema_momentum == 0.99


def test_the_checkpoint_keeps_the_average(tmp_path):
    model = _model()
    checkpoint = WeightsCheckpoint(tmp_path, every=3)
    model.fit(X, Y, batch_size=BATCH, epochs=1, shuffle=False, verbose=0, callbacks=[checkpoint])
    # The epoch end's checkpoint (step 4) was saved before fit wrote the average in.
    saved = [keras.ops.convert_to_numpy(v) for v in _averages(model)]
    restored = _model()
    place = restore_weights(restored, tmp_path)
    assert place["step"] == 4
    _assert_close([keras.ops.convert_to_numpy(v) for v in _averages(restored)], saved)
    assert max(np.abs(a).max() for a in saved) > 0


def _averages(model):
    return model.optimizer._model_variables_moving_average
