"""End training cleanly on SIGTERM or SIGINT: at the next step boundary, with a checkpoint.

A cluster scheduler, `docker stop` or `kill` sends SIGTERM; Ctrl-C sends SIGINT. Without this
the process dies where it is (SIGTERM: exit 143, no word) or raises `KeyboardInterrupt` out of
the middle of a step. With it, the signal only sets a flag; after the step that is running the
callback saves a checkpoint (the same one a pause saves), stops the fit, and the run reports
the checkpoint and the command that resumes it (`components.training.result.TrainResult`),
then exits 128 + the signal's number (143, 130), as the shell would. A second signal ends the
process at once, as if no handler were installed.

Keras and TensorFlow have no such callback: `keras.callbacks.BackupAndRestore` saves at epoch
ends or every N steps but leaves the signal itself to the default handler.
"""

from __future__ import annotations

import os
import signal
import threading

from components.callbacks.step_counting import StepCountingCallback

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopOnSignal(StepCountingCallback):
    """Stops `fit` at the next step boundary after SIGTERM or SIGINT, saving a checkpoint.

    Handlers are installed for the duration of each `fit` call (on the main thread only:
    Python delivers signals there) and the previous ones restored after it.

    Args:
        checkpoint: the run's checkpoints (`components.callbacks.TrainingLoopHooks`, e.g. a
            `components.checkpoints.WeightsCheckpoint`); None: nothing is saved. One that has
            `agree_to_stop()` (the multi-worker loop) is asked first, each step, until every
            worker stops at one step.
        signals: the signals that stop training.

    Attributes:
        received: the number of the signal received, or None.
        stopped_at_step: the optimizer step training stopped at, or None.

    Example:
    >>> from components.checkpoints import WeightsCheckpoint
    >>> checkpoint = WeightsCheckpoint("checkpoints/run", every=500)
    >>> model.fit(data, epochs=10, callbacks=[checkpoint, StopOnSignal(checkpoint)])
    ... # doctest: +SKIP
    """

    def __init__(self, checkpoint=None, signals=SIGNALS):
        super().__init__()
        self.checkpoint = checkpoint
        self.signals = tuple(signals)
        self.received: int | None = None
        self.stopped_at_step: int | None = None
        self._previous: dict[int, object] = {}

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if threading.current_thread() is threading.main_thread():
            for number in self.signals:
                self._previous[number] = signal.signal(number, self._receive)

    def on_train_end(self, logs=None):
        # A signal during the last epoch's end (validation, logs) stops the run all the same:
        # training is over, so no worker is left waiting in a step.
        if self.received is not None and self.stopped_at_step is None:
            self._stop(self.step)
        self._restore()

    def _restore(self) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous = {}

    def _receive(self, number, frame) -> None:
        if self.received is not None:  # the second: end now, as the default handler would
            self._restore()
            signal.signal(number, signal.SIG_DFL)
            os.kill(os.getpid(), number)
            return
        self.received = number
        print(
            f"\n{signal.Signals(number).name} received: stopping after this step, with a "
            "checkpoint (send it again to end at once).",
            flush=True,
        )

    def on_step_end(self, step, logs):
        if self.stopped_at_step is not None:
            return
        if self.received is None:
            if not getattr(self.checkpoint, "stop_agreed", False):
                return
            # Another worker of the cluster was signalled, and the cluster stops as one: so
            # does this worker, as if signalled too (a launcher sends every worker SIGTERM).
            self.received = signal.SIGTERM
        # A cluster's workers must stop at one step (`agree_to_stop` of the project's
        # multi-worker loop); elsewhere the step that is running is the one.
        agree_to_stop = getattr(self.checkpoint, "agree_to_stop", None)
        if agree_to_stop is None or agree_to_stop():
            self._stop(step)

    def _stop(self, step) -> None:
        if self.checkpoint is not None:
            self.checkpoint.save_checkpoint()
        self.stopped_at_step = step
        self.model.stop_training = True


__all__ = ["SIGNALS", "StopOnSignal"]
