"""The callbacks whose state a checkpoint keeps: `BestWeights` and `ResumableReduceLROnPlateau`,
and their states through the checkpoint's files (`save_history`, `restore_callback_states`)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.callbacks import BestWeights, ResumableReduceLROnPlateau
from components.checkpoints.files import (
    restore_callback_states,
    save_history,
    stateful_callbacks,
)
from components.checkpoints.weights import WeightsCheckpoint

pytestmark = pytest.mark.backends


class ScriptedLog(keras.callbacks.Callback):
    """Writes `values[epoch]` into the epoch's logs under `key`: a metric whose course the
    test decides (Keras hands every callback the same logs)."""

    def __init__(self, key, values):
        super().__init__()
        self.key, self.values = key, values

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class WeightsAtEpochEnds(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def _model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(keras.optimizers.SGD(0.1), keras.losses.SparseCategoricalCrossentropy(True))
    return model


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 4)).astype("float32"), rng.integers(0, 3, 32)


def test_best_weights_restores_the_first_best_epoch():
    model, (x, y) = _model(), _data()
    recorded, best = WeightsAtEpochEnds(), BestWeights("score")
    scores = [0.2, 0.7, 0.7, 0.1]  # the best twice: the first of them counts (Keras's rule)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[ScriptedLog("score", scores), recorded, best])
    assert best.best_epoch == 1 and best.best == 0.7
    for got, expected in zip(model.get_weights(), recorded.weights[1], strict=True):
        np.testing.assert_array_equal(got, expected)
    assert not np.allclose(model.get_weights()[0], recorded.weights[3][0])


def test_best_weights_names_a_missing_monitor_and_refuses_a_bad_mode():
    model, (x, y) = _model(), _data()
    with pytest.raises(ValueError, match="'val_accuracy', which the logs lack; logged: loss"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[BestWeights("val_accuracy")])
    with pytest.raises(ValueError, match="mode must be 'max' or 'min', got 'auto'"):
        BestWeights(mode="auto")


@pytest.mark.parametrize(
    "callback",
    [BestWeights("val_loss", "min", False), ResumableReduceLROnPlateau("loss", factor=0.2)],
    ids=["best", "plateau"],
)
def test_config_round_trips_through_keras_serialization(callback):
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(callback))
    assert type(again) is type(callback) and again.get_config() == callback.get_config()


def test_states_go_through_the_checkpoint_files(tmp_path, capsys):
    model, (x, y) = _model(), _data()
    best, plateau = (
        BestWeights("score"),
        ResumableReduceLROnPlateau("score", patience=5, mode="max"),
    )
    scripted = ScriptedLog("score", [0.5, 0.4])
    model.fit(x, y, epochs=2, verbose=0, callbacks=[scripted, best, plateau])
    save_history(tmp_path, {"score": [0.5, 0.4]}, 2, stateful_callbacks([scripted, best, plateau]))
    fresh_best, fresh_plateau = (
        BestWeights("score"),
        ResumableReduceLROnPlateau("score", mode="max"),
    )
    fresh = stateful_callbacks([fresh_best, fresh_plateau])
    assert restore_callback_states(tmp_path, 2, fresh) == list(fresh)
    assert fresh_plateau.get_state() == plateau.get_state() == {
        "best": 0.5, "wait": 1, "cooldown_counter": 0
    }  # fmt: skip
    assert (fresh_best.best, fresh_best.best_epoch) == (0.5, 0)
    for got, expected in zip(fresh_best.best_weights, best.best_weights, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert [p.name for p in tmp_path.glob("callbacks-*.npz")] == ["callbacks-2.npz"]
    # States of another epoch end (a run killed between its checkpoint and this file) are
    # not used, and the run says so.
    assert restore_callback_states(tmp_path, 3, stateful_callbacks([BestWeights()])) == []
    assert "No saved state of BestWeights at the end of epoch 3" in capsys.readouterr().out


def test_a_resumed_plateau_lowers_the_rate_when_the_uninterrupted_one_does(tmp_path):
    x, y = _data()
    losses = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98]  # no gain after epoch 2: halve at 4 and 6

    def fit(model, directory, first, last, epoch=0):
        checkpoint = WeightsCheckpoint(directory, epoch=epoch)
        plateau = ResumableReduceLROnPlateau("val_score", factor=0.5, patience=2, mode="min")
        checkpoint.keep_states_of(stateful_callbacks([plateau]))
        model.fit(
            x, y, initial_epoch=first, epochs=last, verbose=0,
            callbacks=[ScriptedLog("val_score", losses), plateau, checkpoint],
        )  # fmt: skip
        return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))

    whole = fit(_model(), tmp_path / "whole", 0, 6)
    model = _model()
    fit(model, tmp_path / "resumed", 0, 3)
    resumed = fit(model, tmp_path / "resumed", 3, 6, epoch=3)
    # Started afresh at epoch 4, the plateau would halve once, at epoch 6 (0.05).
    assert whole == pytest.approx(0.025) and resumed == pytest.approx(whole)
