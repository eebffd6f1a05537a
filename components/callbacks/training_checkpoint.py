"""Checkpoints of model, optimizer and step for `model.fit`, in the project loop's format."""

from __future__ import annotations

import keras

from components.callbacks.step_counting import StepCountingCallback
from components.training.checkpointing import checkpoint_manager, save_history


@keras.saving.register_keras_serializable(package="classiczoo")
class TrainingCheckpoint(StepCountingCallback):
    """Saves a `training_checkpoint` every `every_steps` steps and at each epoch end.

    The format is the project's loop's (`components.training.checkpointing`), so `classiczoo
    train --resume` continues a `model.fit` run in that loop, from the saved step. Keras's
    `BackupAndRestore` restarts an interrupted epoch from its first batch; this one does not
    need to.

    Args:
        checkpoint_dir: where checkpoints go (the newest 3 are kept).
        every_steps: steps between checkpoints (None: at epoch ends only).

    Example:
    >>> callback = TrainingCheckpoint("checkpoints/lenet5_bn", every_steps=500)
    >>> model.fit(data, epochs=3, callbacks=[callback])  # doctest: +SKIP
    """

    def __init__(self, checkpoint_dir: str, every_steps: int | None = None):
        super().__init__()
        if every_steps is not None and (int(every_steps) != every_steps or every_steps < 1):
            raise ValueError(f"every_steps must be a positive integer, got {every_steps}.")
        self.checkpoint_dir = str(checkpoint_dir)
        self.every_steps = every_steps
        self.states = {}

    def get_config(self):
        return {"checkpoint_dir": self.checkpoint_dir, "every_steps": self.every_steps}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def keep_states_of(self, callbacks: dict) -> None:
        """Saves these callbacks' states (`get_state`) at every epoch end, by name."""
        self.states = dict(callbacks)

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._manager = checkpoint_manager(self.model, self.model.optimizer, self.checkpoint_dir)

    def on_step_end(self, step, logs):
        if self.every_steps and step % self.every_steps == 0:
            self._manager.save(checkpoint_number=step)

    def on_epoch_end(self, epoch, logs=None):
        self._manager.save(checkpoint_number=self.step)
        # Keras's History hears of this epoch after us: add its logs for the saved History.
        history = {k: list(v) for k, v in getattr(self.model.history, "history", {}).items()}
        for key, value in (logs or {}).items():
            history.setdefault(key, []).append(float(value))
        save_history(self.checkpoint_dir, history, epoch + 1, self.states)


__all__ = ["TrainingCheckpoint"]
