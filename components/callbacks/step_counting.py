"""The base of the callbacks that act every N optimizer steps.

Keras's `batch` argument restarts at 0 every epoch and a resumed run starts mid-way; these
callbacks need the optimizer's global step. Reading `optimizer.iterations` after every batch
would make each step wait for the device, so the step is read once at the start of training
and counted in Python from there.
"""

from __future__ import annotations

import keras


class StepCountingCallback(keras.callbacks.Callback):
    """Keeps `self.step`, the optimizer's step after the latest batch, and calls
    `on_step_end(step, logs)` after every batch.

    Subclasses that override `on_train_begin` or `on_train_batch_end` call `super()` first.

    Example:
    >>> class EveryHundred(StepCountingCallback):
    ...     def on_step_end(self, step, logs):
    ...         if step % 100 == 0:
    ...             print(f"step {step}: loss {float(logs['loss']):.3f}")
    """

    step: int = 0

    def on_train_begin(self, logs=None):
        self.step = int(self.model.optimizer.iterations.numpy())  # a resumed run continues

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self.on_step_end(self.step, logs or {})

    def on_step_end(self, step: int, logs: dict) -> None:
        """Called after every training step, with the optimizer's step count."""


__all__ = ["StepCountingCallback"]
