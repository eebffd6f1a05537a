"""The step-counting base of the every-N-steps callbacks: the optimizer's global step."""

from __future__ import annotations

import keras
import numpy as np

from components.callbacks import (
    ActivationMonitor,
    GradientMonitor,
    PauseEveryNSteps,
    StepCountingCallback,
)
from components.checkpoints import WeightsCheckpoint
from components.optimizers import make_optimizer
from components.training import compile_classifier


class Steps(StepCountingCallback):
    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.seen = []

    def on_step_end(self, step, logs):
        self.seen.append((step, round(float(logs["loss"]), 6) > 0))


def test_steps_count_across_epochs_and_continue_where_the_optimizer_is():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = compile_classifier(
        keras.Model(inputs, keras.layers.Dense(3)(inputs)), make_optimizer("sgd", 0.1)
    )
    x, y = np.random.default_rng(0).normal(size=(40, 4)), np.zeros(40, "int64")
    steps = Steps()
    model.fit(x, y, batch_size=10, epochs=2, verbose=0, callbacks=[steps])
    assert [s for s, _ in steps.seen] == list(range(1, 9))  # 4 batches an epoch, 2 epochs
    assert all(has_loss for _, has_loss in steps.seen)
    model.fit(x, y, batch_size=10, epochs=1, verbose=0, callbacks=[steps])  # a later run
    assert [s for s, _ in steps.seen] == [9, 10, 11, 12]


def test_the_every_n_steps_callbacks_share_the_base():
    for kind in (PauseEveryNSteps, GradientMonitor, ActivationMonitor, WeightsCheckpoint):
        assert issubclass(kind, StepCountingCallback)
