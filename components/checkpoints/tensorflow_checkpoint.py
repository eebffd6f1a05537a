"""TensorFlow's checkpoints, for the project's multi-worker loop: the one place its
`tf.train.CheckpointManager` is made, and the check that a directory holds one to resume.

A checkpoint holds the model's weights, the optimizer's variables (its step among them) and the
learning-rate scale of a `ScaledSchedule` (a rate set at a pause must survive a resume).
`tf.distribute.experimental.PreemptionCheckpointHandler`, which saves when a worker is told to
stop, needs this format; every `fit` run keeps Keras's weights files instead
(`components.checkpoints.weights`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import keras

from components.checkpoints.files import MAX_TO_KEEP
from components.optimizers.learning_rate import scaled_schedule

if TYPE_CHECKING:
    import tensorflow as tf


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
    schedule = scaled_schedule(optimizer)
    if schedule is not None:
        parts["lr_scale"] = schedule.scale
    import tensorflow as tf  # here: the file list below is read without TensorFlow

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
    import tensorflow as tf

    return tf.train.CheckpointManager(checkpoint, str(directory), max_to_keep=max_to_keep)


def loadable_checkpoint(directory: str | Path) -> tuple[str | None, str]:
    """`(prefix, "")` of the newest checkpoint in `directory` that TensorFlow can read, or
    `(None, why not)`.

    Example:
    >>> loadable_checkpoint("no/such/dir")
    (None, 'no/such/dir does not exist')
    """
    import tensorflow as tf  # here: the lock and the file list work without TensorFlow

    directory = Path(directory)
    if not directory.is_dir():
        return None, f"{directory} does not exist"
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # TensorFlow warns "Checkpoint ignored" of a damaged file: we say why
    try:
        prefix = tf.train.latest_checkpoint(str(directory))
    except Exception as err:  # a damaged state file raises a parse error of any kind
        return None, f"its checkpoint state file is damaged ({type(err).__name__})"
    finally:
        logger.setLevel(level)
    if prefix is None:
        what = "is damaged" if (directory / "checkpoint").exists() else "is missing"
        return None, f"it holds no checkpoint it can load (its `checkpoint` state file {what})"
    try:
        tf.train.load_checkpoint(prefix)
    except Exception as err:
        return None, f"{Path(prefix).name} cannot be read ({type(err).__name__})"
    return prefix, ""


__all__ = ["checkpoint_manager", "loadable_checkpoint", "training_checkpoint"]
