"""Smith's learning-rate range test (Smith 2017, "Cyclical learning rates", section 3.3).

Raise the learning rate exponentially from `min_lr` to `max_lr` over `steps` steps, record the
loss of each step, then put the weights and the optimizer's state back as they were. The
suggested rate is where the smoothed loss falls fastest (per log-step of the rate). Keras has
no such tool.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import numpy as np

from components.figures import pyplot, save_figure
from components.optimizers.learning_rate import inner_optimizer

if TYPE_CHECKING:
    import tensorflow as tf


@keras.saving.register_keras_serializable(package="classiczoo")
class LRFinder(keras.callbacks.Callback):
    """Records the loss while the learning rate grows exponentially; restores the model after.

    The optimizer must have a constant learning rate (a variable), not a schedule.

    Args:
        min_lr: first learning rate, > 0.
        max_lr: last learning rate, > min_lr.
        steps: number of steps (the rate is `min_lr * (max_lr/min_lr) ** (i / (steps - 1))`).
        smoothing: exponential smoothing of the loss (0: none).
        stop_factor: stop early once the smoothed loss exceeds this times its minimum.

    Example:
    >>> finder = find_learning_rate(model, train, steps=100)  # doctest: +SKIP
    >>> finder.suggestion(), finder.plot("lr_find.png")  # doctest: +SKIP
    """

    def __init__(self, min_lr=1e-6, max_lr=1.0, steps=100, smoothing=0.9, stop_factor=4.0):
        super().__init__()
        if not 0 < min_lr < max_lr:
            raise ValueError(f"Need 0 < min_lr < max_lr, got {min_lr}, {max_lr}.")
        if steps < 3:
            raise ValueError(f"steps must be >= 3, got {steps}.")
        if not 0 <= smoothing < 1:
            raise ValueError(f"smoothing must be in [0, 1), got {smoothing}.")
        self.min_lr, self.max_lr, self.steps = float(min_lr), float(max_lr), int(steps)
        self.smoothing, self.stop_factor = float(smoothing), float(stop_factor)
        self.learning_rates: list[float] = []
        self.losses: list[float] = []

    def get_config(self):
        return {
            "min_lr": self.min_lr,
            "max_lr": self.max_lr,
            "steps": self.steps,
            "smoothing": self.smoothing,
            "stop_factor": self.stop_factor,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def rate_at(self, i: int) -> float:
        return self.min_lr * (self.max_lr / self.min_lr) ** (i / (self.steps - 1))

    def on_train_begin(self, logs=None):
        optimizer = inner_optimizer(self.model.optimizer)
        if isinstance(optimizer._learning_rate, keras.optimizers.schedules.LearningRateSchedule):
            raise ValueError("LRFinder needs a constant learning rate, not a schedule.")
        if not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self._weights = [w.numpy().copy() for w in self.model.weights]
        self._optimizer_state = [v.numpy().copy() for v in self.model.optimizer.variables]
        self._original_lr = float(optimizer.learning_rate.numpy())
        self.learning_rates, self.losses = [], []
        self._previous_mean, self._seen = 0.0, 0
        optimizer.learning_rate = self.rate_at(0)

    def on_epoch_begin(self, epoch, logs=None):
        self._previous_mean, self._seen = 0.0, 0

    def on_train_batch_end(self, batch, logs=None):
        # Keras's logs hold the epoch's running mean; recover this batch's own loss from it.
        mean = float(logs["loss"])
        self._seen += 1
        loss = self._seen * mean - (self._seen - 1) * self._previous_mean
        self._previous_mean = mean
        i = len(self.losses)
        self.learning_rates.append(self.rate_at(i))
        self.losses.append(loss)
        smoothed = self.smoothed_losses()
        if not math.isfinite(loss) or smoothed[-1] > self.stop_factor * min(smoothed):
            self.model.stop_training = True  # diverged: the rest of the range says nothing
        elif i + 1 < self.steps:
            inner_optimizer(self.model.optimizer).learning_rate = self.rate_at(i + 1)
        else:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        for weight, value in zip(self.model.weights, self._weights, strict=True):
            weight.assign(value)
        for variable, value in zip(
            self.model.optimizer.variables, self._optimizer_state, strict=True
        ):
            variable.assign(value)
        inner_optimizer(self.model.optimizer).learning_rate = self._original_lr

    def smoothed_losses(self) -> np.ndarray:
        """Bias-corrected exponential moving average of the recorded losses."""
        out, average = [], 0.0
        for i, loss in enumerate(self.losses, start=1):
            average = self.smoothing * average + (1 - self.smoothing) * loss
            out.append(average / (1 - self.smoothing**i))
        return np.asarray(out)

    def suggestion(self) -> float:
        """The rate where the smoothed loss falls fastest per log-step of the rate."""
        smoothed = self.smoothed_losses()
        if len(smoothed) < 3:
            raise ValueError("Too few steps were recorded to suggest a learning rate.")
        slopes = np.gradient(smoothed, np.log(self.learning_rates))
        return float(self.learning_rates[int(np.argmin(slopes))])

    def plot(self, path: str | Path) -> Path:
        """Saves loss against learning rate (log scale) with the suggestion marked, as PNG."""
        plt = pyplot()
        suggestion = self.suggestion()
        figure, axis = plt.subplots(figsize=(7, 4.5))
        axis.plot(self.learning_rates, self.losses, alpha=0.3, label="loss per step")
        axis.plot(self.learning_rates, self.smoothed_losses(), label="smoothed")
        axis.axvline(suggestion, color="red", linestyle="--", label=f"suggested {suggestion:.2g}")
        axis.set_xscale("log")
        axis.set_xlabel("learning rate")
        axis.set_ylabel("training loss")
        axis.set_title("Learning-rate range test")
        axis.legend()
        figure.tight_layout()
        return save_figure(figure, path, dpi=100)


def find_learning_rate(
    model: keras.Model,
    dataset: tf.data.Dataset,
    *,
    min_lr: float = 1e-6,
    max_lr: float = 1.0,
    steps: int = 100,
    verbose: int = 0,
) -> LRFinder:
    """Runs the range test on a compiled model; its weights and optimizer end as they began."""
    finder = LRFinder(min_lr, max_lr, steps)
    model.fit(
        dataset.repeat(),
        steps_per_epoch=steps,
        epochs=1,
        callbacks=[finder],
        verbose=verbose,
        shuffle=False,
    )
    return finder
