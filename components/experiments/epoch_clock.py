"""A callback that times each epoch's training and, off the clock, measures the model."""

from __future__ import annotations

import time
from collections.abc import Callable

import keras


class EpochClock(keras.callbacks.Callback):
    """Times each epoch's training, then (with the clock stopped) calls `measure`.

    An epoch's seconds run from Keras's `on_epoch_begin` to its `on_epoch_end`: the training
    steps, the first epoch's tracing included; Keras's own validation pass, if any, falls
    inside that span, so time-to-accuracy runs validate here instead. `measure` (e.g. the test
    accuracy of the model in inference mode) runs after the clock stops. `StepLossRecorder`
    times epochs as well, but records every step's loss and measures nothing. The records run
    on across `fit` calls (`fit_from` may fit one run in several): one clock per run.

    Args:
        measure: called after each epoch's clock stops; returns the figure to record.
        log: called as `log(epoch, seconds, value)` after each measurement (epoch from 0);
            None: nothing said.

    Example:
    >>> clock = EpochClock(lambda: 0.5)
    >>> model.fit(x, y, epochs=2, callbacks=[clock])  # doctest: +SKIP
    >>> clock.epoch_seconds, clock.values  # doctest: +SKIP
    ([1.93, 0.41], [0.5, 0.5])
    """

    def __init__(
        self,
        measure: Callable[[], float],
        log: Callable[[int, float, float], None] | None = None,
    ):
        super().__init__()
        if not callable(measure):
            raise ValueError(f"measure must be callable, got {measure!r}.")
        self.measure = measure
        self.log = log
        self.epoch_seconds: list[float] = []
        self.values: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(time.perf_counter() - self._start)
        self.values.append(float(self.measure()))
        if self.log is not None:
            self.log(epoch, self.epoch_seconds[-1], self.values[-1])


__all__ = ["EpochClock"]
