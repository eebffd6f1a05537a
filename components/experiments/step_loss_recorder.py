"""A callback that records every step's loss and each epoch's seconds."""

from __future__ import annotations

import time

import keras


class StepLossRecorder(keras.callbacks.Callback):
    """Records `LastBatchLoss` at every step and the seconds of each epoch's steps.

    An epoch's time runs from its start to its last step's end (validation excluded); the first
    epoch's includes tracing the training step.
    """

    def on_train_begin(self, logs=None):
        self.losses: list[float] = []
        self.epoch_seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["last_batch_loss"]))
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(self._last - self._start)


__all__ = ["StepLossRecorder"]
