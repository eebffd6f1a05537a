"""Pause training every N steps so a person decides whether and how to go on.

From the course notes: every N iterations stop, look at the loss, and decide whether to
continue and at what learning rate. No Keras library has this; `PauseEveryNSteps` makes it a
callback that works in `model.fit` and in the project's `DistributedTrainer`.

The callback needs two things of the run's checkpoints: to save one now, and to trace the
training step again after a change that the traced step bakes in (the momentum). They come as
a `TrainingLoopHooks` object: `components.checkpoints.WeightsCheckpoint` under `model.fit`
(on every backend), the project's `DistributedTrainer` in its multi-worker loop.

Not registered as serializable: its controller (a terminal, a file, a policy) and the
checkpoint it saves through are live objects, which a config cannot carry.
"""

from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Protocol

import numpy as np

from components.callbacks.pause_commands import Decision
from components.callbacks.pause_controllers import AutoController
from components.callbacks.step_counting import StepCountingCallback
from components.optimizers.learning_rate import (
    current_learning_rate,
    inner_optimizer,
    set_learning_rate,
)

if TYPE_CHECKING:
    import tensorflow as tf


class TrainingLoopHooks(Protocol):
    """What the run's checkpoints offer the pause (and the gradient monitor)."""

    def save_checkpoint(self) -> None:
        """Saves model, optimizer and step (every worker calls it under multi-worker)."""

    def retrace(self) -> None:
        """Traces the training step again, e.g. after the optimizer's momentum changed."""


class PauseEveryNSteps(StepCountingCallback):
    """Every `n` optimizer steps: checkpoint, show the state of training, ask, apply.

    At each pause it first saves a checkpoint (model, optimizer, step), so whatever is decided
    nothing is lost; then shows the step, epoch, the loss and accuracy at the last pauses, the
    learning rate and the last validation figures; then applies the controller's decision:
    continue, continue K more steps, ask every N steps from now on, set the learning rate
    and/or momentum (from the next step, without recompiling; a schedule is rescaled), or stop
    (training ends cleanly; `classiczoo train --resume` continues from the checkpoint).
    Under several replicas or workers only the chief asks; the decision is broadcast with an
    all-reduce so every worker applies the same one at the same step.

    Args:
        n: steps between pauses, >= 1.
        controller: has `decide(status) -> Decision`: `TerminalController`, `FileController`,
            or `AutoController` (the default: continue, logged).
        checkpoint: the run's checkpoints (`TrainingLoopHooks`: a `WeightsCheckpoint` among
            the callbacks of `model.fit`, or the project's `DistributedTrainer`); None: no
            checkpoint is saved at a pause.
        strategy: the tf.distribute strategy, for broadcasting the decision.
        chief: whether this process asks (False on non-chief workers).

    Example:
    >>> from components.callbacks import FileController
    >>> from components.checkpoints import WeightsCheckpoint
    >>> checkpoint = WeightsCheckpoint("checkpoints/run", every=500)
    >>> pause = PauseEveryNSteps(
    ...     500, controller=FileController("control.txt"), checkpoint=checkpoint
    ... )
    >>> model.fit(data, epochs=10, callbacks=[pause, checkpoint])  # doctest: +SKIP
    """

    def __init__(
        self,
        n: int,
        controller=None,
        checkpoint: TrainingLoopHooks | None = None,
        strategy: tf.distribute.Strategy | None = None,
        chief: bool = True,
    ):
        super().__init__()
        if int(n) != n or n < 1:
            raise ValueError(f"n must be a positive integer number of steps, got {n}.")
        self.n = int(n)
        self.controller = controller or AutoController()
        self.checkpoint = checkpoint
        self.strategy = strategy
        self.chief = chief
        self.decisions: list[tuple[int, Decision]] = []
        self.stopped_at_step: int | None = None

    # -- state --------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._next_pause = self.step + self.n
        self._epoch = 0
        self._trend = collections.deque(maxlen=5)
        self._validation = {}
        self.stopped_at_step = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        self._validation = {k: float(v) for k, v in (logs or {}).items() if k.startswith("val_")}

    def on_step_end(self, step, logs):
        if step >= self._next_pause:
            self._pause(dict(logs))

    # -- a pause ------------------------------------------------------------------------------
    def _save(self):
        if self.checkpoint is not None:
            self.checkpoint.save_checkpoint()

    def _status(self, logs) -> str:
        figures = {k: float(v) for k, v in logs.items() if k in ("loss", "accuracy")}
        self._trend.append((self.step, figures))
        trend = "; ".join(
            f"step {s}: " + ", ".join(f"{k} {v:.4f}" for k, v in f.items()) for s, f in self._trend
        )
        validation = ", ".join(f"{k} {v:.4f}" for k, v in self._validation.items()) or "none yet"
        saved = "saved" if self.checkpoint is not None else "no checkpoint"
        return (
            f"\n=== Paused at step {self.step} (epoch {self._epoch + 1}); checkpoint: {saved}\n"
            f"  epoch running averages at the last pauses: {trend}\n"
            f"  learning rate: {current_learning_rate(self.model.optimizer):.6g}\n"
            f"  last validation: {validation}"
        )

    def _pause(self, logs):
        self._save()
        status = self._status(logs)
        decision = self.controller.decide(status) if self.chief else Decision()
        decision = self._broadcast(decision)
        self._apply(decision)

    def _broadcast(self, decision: Decision) -> Decision:
        strategy = self.strategy
        if strategy is None or strategy.num_replicas_in_sync == 1:
            return decision
        # 0 means "unset"; momentum is sent as m + 1 so that 0 stays a valid momentum.
        mine = np.array(
            [
                1.0 if decision.action == "stop" else 0.0,
                decision.steps or 0,
                decision.every or 0,
                decision.learning_rate or 0.0,
                decision.momentum + 1.0 if decision.momentum is not None else 0.0,
            ],
            np.float64,
        )

        import tensorflow as tf  # a strategy is tf.distribute's

        def values(context):
            first = context.replica_id_in_sync_group == 0
            return tf.constant(mine if (self.chief and first) else np.zeros_like(mine))

        per_replica = strategy.experimental_distribute_values_from_function(values)
        got = strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None).numpy()
        return Decision(
            action="stop" if got[0] else "continue",
            steps=int(got[1]) or None,
            every=int(got[2]) or None,
            learning_rate=float(got[3]) or None,
            momentum=float(got[4]) - 1.0 if got[4] else None,
            source=decision.source,
        )

    def _apply(self, decision: Decision):
        self.decisions.append((self.step, decision))
        if decision.learning_rate is not None:
            try:
                print(f"Set {set_learning_rate(self.model.optimizer, decision.learning_rate)}.")
            except ValueError as err:
                print(f"Learning rate unchanged: {err}")
        if decision.momentum is not None:
            self._set_momentum(decision.momentum)
        if decision.every is not None:
            self.n = decision.every
        self._next_pause = self.step + (decision.steps or self.n)
        if decision.action == "stop":
            self.stopped_at_step = self.step
            self.model.stop_training = True
            print(f"Stopping at step {self.step}; the checkpoint holds this state.", flush=True)
        else:
            print(f"Continuing; next pause at step {self._next_pause}.", flush=True)

    def _set_momentum(self, momentum: float):
        optimizer = inner_optimizer(self.model.optimizer)
        if not hasattr(optimizer, "momentum"):
            print(f"Momentum unchanged: {type(optimizer).__name__} has no momentum.")
            return
        optimizer.momentum = momentum
        # The momentum is baked into the traced step: trace it again (no recompiling).
        if self.checkpoint is not None:
            self.checkpoint.retrace()
        else:
            self.model.make_train_function(force=True)
        print(f"Set momentum {momentum:g}.")
