"""What a training checkpoint holds, and the one place its `tf.train.CheckpointManager` is made.

A checkpoint holds the model's weights, the optimizer's variables (its step among them) and the
learning-rate scale of a `ScaledSchedule` (a rate set at a pause must survive a resume). The
project's loop, the `TrainingCheckpoint` callback of `model.fit`, the pause and the gradient
monitor all save through `checkpoint_manager`, so their checkpoints are interchangeable.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import keras

from components.atomic_files import write_text_atomic
from components.optimizers.learning_rate import scaled_schedule

if TYPE_CHECKING:
    import tensorflow as tf

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


HISTORY_NAME = "history.json"
# What a run writes there: tf.train.CheckpointManager's state file and each checkpoint's index
# and data, and the per-epoch History of the finished epochs.
CHECKPOINT_PATTERNS = (
    "checkpoint",
    "ckpt-*.index",
    "ckpt-*.data-*",
    HISTORY_NAME,
    # Keras's own weights files and their places in the run, on backends other than
    # TensorFlow (components.training.keras_checkpoint).
    "ckpt-*.weights.h5",
    "ckpt-*.position.json",
)


def save_history(directory: str | Path, history: dict[str, list], epochs: int) -> None:
    """Writes the History of the first `epochs` finished epochs beside the checkpoints
    (atomically), so that a resumed run reports every epoch, not only those after the resume.
    Non-finite values are written as null (strict JSON)."""
    finite = {
        key: [float(v) if math.isfinite(float(v)) else None for v in values[:epochs]]
        for key, values in history.items()
    }
    write_text_atomic(
        Path(directory) / HISTORY_NAME,
        json.dumps({"epochs": epochs, "history": finite}, allow_nan=False) + "\n",
    )


def load_history(directory: str | Path, epochs: int) -> dict[str, list[float]]:
    """The saved History of the first `epochs` epochs ({} if none was saved, or it is
    unreadable: the run then reports the epochs after the resume only)."""
    try:
        saved = json.loads((Path(directory) / HISTORY_NAME).read_text())
        history = saved["history"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {
        key: [float("nan") if v is None else float(v) for v in values[:epochs]]
        for key, values in history.items()
        if isinstance(values, list) and len(values) >= epochs
    }


def checkpoint_files(directory: str | Path) -> list[Path]:
    """The checkpoint files in `directory` (not its other files, not its subdirectories)."""
    directory = Path(directory)
    files = {p for pattern in CHECKPOINT_PATTERNS for p in directory.glob(pattern)}
    return sorted(p for p in files if p.is_file())


def has_checkpoint(directory: str | Path) -> bool:
    """Whether `directory` holds checkpoint files (of a run that did not finish); other files
    do not count."""
    return bool(checkpoint_files(directory))


__all__ = [
    "CHECKPOINT_PATTERNS",
    "MAX_TO_KEEP",
    "checkpoint_files",
    "checkpoint_manager",
    "HISTORY_NAME",
    "has_checkpoint",
    "load_history",
    "save_history",
    "training_checkpoint",
]
