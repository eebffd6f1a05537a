"""A callback is registered as serializable only if its config gives back a working callback."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.callbacks import (
    ActivationMonitor,
    AveragedWeightsValidation,
    BestWeights,
    GradientMonitor,
    LearningRateLogger,
    LRFinder,
    PauseEveryNSteps,
    ResumableReduceLROnPlateau,
    TrainingWeightsKeeper,
)
from components.checkpoints import WeightsCheckpoint
from components.optimizers import make_optimizer
from components.training import compile_classifier

X = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
Y = np.random.default_rng(1).integers(0, 3, 64)


def _model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    return compile_classifier(model, make_optimizer("sgd", 0.01))


REGISTERED = [
    lambda tmp: LearningRateLogger(),
    lambda tmp: LRFinder(min_lr=1e-4, max_lr=1.0, steps=8),
    lambda tmp: WeightsCheckpoint(str(tmp / "checkpoints"), every=3),
    lambda tmp: BestWeights("accuracy"),
    lambda tmp: ResumableReduceLROnPlateau("loss", patience=1),
    lambda tmp: AveragedWeightsValidation(),
    lambda tmp: TrainingWeightsKeeper(),
]


def _registered_callbacks():
    registered = keras.saving.get_custom_objects()
    return sorted(
        name
        for name, obj in registered.items()
        if name.startswith("classiczoo>")
        and isinstance(obj, type)
        and issubclass(obj, keras.callbacks.Callback)
    )


def test_the_registered_callbacks_are_exactly_these():
    assert _registered_callbacks() == [
        "classiczoo>AveragedWeightsValidation",
        "classiczoo>BestWeights",
        "classiczoo>LRFinder",
        "classiczoo>LearningRateLogger",
        "classiczoo>ResumableReduceLROnPlateau",
        "classiczoo>TrainingWeightsKeeper",
        "classiczoo>WeightsCheckpoint",
    ]


@pytest.mark.parametrize(
    "make",
    REGISTERED,
    ids=["lr_logger", "lr_finder", "checkpoint", "best", "plateau", "averaged", "keeper"],
)
def test_a_registered_callback_round_trips_and_works_in_fit(make, tmp_path):
    callback = make(tmp_path)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(callback))
    assert type(restored) is type(callback)
    assert restored.get_config() == callback.get_config()
    history = _model().fit(X, Y, batch_size=8, epochs=2, verbose=0, callbacks=[restored])
    assert len(history.history["loss"]) >= 1
    if isinstance(restored, LearningRateLogger):
        assert history.history["learning_rate"] == pytest.approx([0.01, 0.01])
    if isinstance(restored, LRFinder):
        assert len(restored.losses) == 8
    if isinstance(restored, WeightsCheckpoint):
        # 8 steps an epoch: saved at steps 3, 6, 8 (epoch end), 9, 12, 15, 16; 3 are kept.
        saved = sorted(p.name for p in (tmp_path / "checkpoints").glob("ckpt-*.weights.h5"))
        assert saved == ["ckpt-12.weights.h5", "ckpt-15.weights.h5", "ckpt-16.weights.h5"]
    if isinstance(restored, TrainingWeightsKeeper):  # the weights at the last epoch end
        assert len(restored.weights) == 2


@pytest.mark.parametrize(
    "callback",
    [
        GradientMonitor((X[:8], Y[:8]), every=2),
        ActivationMonitor(X[:8], every=2),
        PauseEveryNSteps(5),
    ],
    ids=["gradient_monitor", "activation_monitor", "pause"],
)
def test_callbacks_holding_live_objects_are_not_registered(callback):
    name = f"classiczoo>{type(callback).__name__}"
    assert keras.saving.get_registered_object(name) is None
    # Like Keras's own callbacks, they serialize by class only: no silent half-config.
    assert "get_config" not in type(callback).__dict__
