"""What a training checkpoint holds, in one place: model, optimizer (with its step), and the
learning-rate scale of a `ScaledSchedule` (a rate set at a pause must survive a resume)."""

from __future__ import annotations

import keras
import tensorflow as tf

from components.schedules import ScaledSchedule


def inner_optimizer(optimizer: keras.optimizers.Optimizer) -> keras.optimizers.Optimizer:
    """The optimizer itself, unwrapped from a LossScaleOptimizer."""
    return getattr(optimizer, "inner_optimizer", optimizer)


def _key(variable, drop_owner: bool = False) -> str:
    path = variable.path.split("/", 1)[1] if drop_owner else variable.path
    return path.replace("/", ".")


def training_checkpoint(model: keras.Model, optimizer: keras.optimizers.Optimizer):
    """A `tf.train.Checkpoint` of everything a resumed run needs.

    Variables are keyed by their paths, not by the objects that hold them, so a checkpoint of a
    compiled model (`model.fit`, which also tracks metric variables) restores into an
    uncompiled one (the project's loop) and back; the optimizer's own (auto-numbered) name is
    left out of its keys.
    """
    parts = {
        "model": {_key(v): v for v in model.weights},
        "optimizer": {_key(v, drop_owner=True): v for v in optimizer.variables},
    }
    schedule = getattr(inner_optimizer(optimizer), "_learning_rate", None)
    if isinstance(schedule, ScaledSchedule):
        parts["lr_scale"] = schedule.scale
    return tf.train.Checkpoint(**parts)


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    """The rate the next step uses (a schedule evaluated at the optimizer's step)."""
    return float(keras.ops.convert_to_numpy(inner_optimizer(optimizer).learning_rate))


def set_learning_rate(optimizer: keras.optimizers.Optimizer, rate: float) -> str:
    """Sets the rate from the next step on, without recompiling; returns what was done.

    A constant rate is assigned to the optimizer's variable; a `ScaledSchedule` is rescaled so
    that it passes through `rate` at the current step (see `components.schedules`).
    """
    optimizer = inner_optimizer(optimizer)
    schedule = optimizer._learning_rate
    if isinstance(schedule, ScaledSchedule):
        step = int(optimizer.iterations.numpy())
        schedule.set_rate(rate, step)
        return f"learning rate {rate:g} at step {step}; the schedule is rescaled from here on"
    if isinstance(schedule, keras.optimizers.schedules.LearningRateSchedule):
        raise ValueError(
            f"The learning rate follows a {type(schedule).__name__}, which cannot be changed "
            "mid-run; wrap it in components.schedules.ScaledSchedule."
        )
    optimizer.learning_rate = rate
    return f"learning rate {rate:g}"


@keras.saving.register_keras_serializable(package="classiczoo")
class TrainingCheckpoint(keras.callbacks.Callback):
    """Saves `training_checkpoint` every `every_steps` steps and at each epoch end (`model.fit`).

    The format is the project's loop's, so `recipes/train.py --resume` continues a `model.fit`
    run in that loop, from the saved step.

    Args:
        checkpoint_dir: where checkpoints go (the last 3 are kept).
        every_steps: steps between checkpoints (None: at epoch ends only).
    """

    def __init__(self, checkpoint_dir: str, every_steps: int | None = None):
        super().__init__()
        if every_steps is not None and every_steps < 1:
            raise ValueError(f"every_steps must be a positive integer, got {every_steps}.")
        self.checkpoint_dir = str(checkpoint_dir)
        self.every_steps = every_steps

    def get_config(self):
        return {"checkpoint_dir": self.checkpoint_dir, "every_steps": self.every_steps}

    def on_train_begin(self, logs=None):
        optimizer = self.model.optimizer
        if not optimizer.built:  # Keras may build it only at the first step; its slots count
            optimizer.build(self.model.trainable_variables)
        checkpoint = training_checkpoint(self.model, optimizer)
        self._manager = tf.train.CheckpointManager(checkpoint, self.checkpoint_dir, max_to_keep=3)
        self._step = int(optimizer.iterations.numpy())

    def _save(self):
        self._manager.save(checkpoint_number=self._step)

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self.every_steps and self._step % self.every_steps == 0:
            self._save()

    def on_epoch_end(self, epoch, logs=None):
        self._save()
