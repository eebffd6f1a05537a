"""What a training checkpoint holds, and the one place its `tf.train.CheckpointManager` is made.

A checkpoint holds the model's weights, the optimizer's variables (its step among them) and the
learning-rate scale of a `ScaledSchedule` (a rate set at a pause must survive a resume). The
project's loop, the `TrainingCheckpoint` callback of `model.fit`, the pause and the gradient
monitor all save through `checkpoint_manager`, so their checkpoints are interchangeable.
"""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from components.optimizers.learning_rate import inner_optimizer
from components.schedules import ScaledSchedule

# Checkpoints kept per directory: the newest few, enough to step back past a bad one.
MAX_TO_KEEP = 3


def _key(variable, drop_owner: bool = False) -> str:
    path = variable.path.split("/", 1)[1] if drop_owner else variable.path
    return path.replace("/", ".")


def training_checkpoint(
    model: keras.Model, optimizer: keras.optimizers.Optimizer
) -> tf.train.Checkpoint:
    """A `tf.train.Checkpoint` of everything a resumed run needs.

    Variables are keyed by their paths, not by the objects that hold them, so a checkpoint of a
    compiled model (`model.fit`, which also tracks metric variables) restores into an
    uncompiled one (the project's loop) and back; the optimizer's own (auto-numbered) name is
    left out of its keys.

    Args:
        model: the model being trained.
        optimizer: its optimizer, built (its slot variables exist).
    """
    parts = {
        "model": {_key(v): v for v in model.weights},
        "optimizer": {_key(v, drop_owner=True): v for v in optimizer.variables},
    }
    schedule = getattr(inner_optimizer(optimizer), "_learning_rate", None)
    if isinstance(schedule, ScaledSchedule):
        parts["lr_scale"] = schedule.scale
    return tf.train.Checkpoint(**parts)


def checkpoint_manager(
    model: keras.Model,
    optimizer: keras.optimizers.Optimizer,
    directory: str | Path,
    *,
    max_to_keep: int = MAX_TO_KEEP,
) -> tf.train.CheckpointManager:
    """The `tf.train.CheckpointManager` of a `training_checkpoint` in `directory`.

    The optimizer is built first if it is not yet (Keras may build it only at the first step;
    its slots belong in the checkpoint). Save with `manager.save(checkpoint_number=step)`.

    Args:
        model: the model being trained.
        optimizer: its optimizer.
        directory: where the checkpoints go.
        max_to_keep: the newest checkpoints kept.
    """
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    checkpoint = training_checkpoint(model, optimizer)
    return tf.train.CheckpointManager(checkpoint, str(directory), max_to_keep=max_to_keep)


def has_checkpoint(directory: str | Path) -> bool:
    """Whether `directory` holds anything (a checkpoint of a run that did not finish)."""
    directory = Path(directory)
    return directory.is_dir() and any(directory.iterdir())


__all__ = ["MAX_TO_KEEP", "checkpoint_manager", "has_checkpoint", "training_checkpoint"]
