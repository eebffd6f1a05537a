"""Checkpoints of a `model.fit` run on every Keras backend: Keras's weights files and the place.

A checkpoint is `ckpt-<step>.weights.h5`, Keras's own `save_weights` of the compiled model (its
weights and its optimizer's variables), and `ckpt-<step>.position.json`:
the epoch, the batches of it already trained, the global step and a `ScaledSchedule`'s scale (a
rate set at a pause survives a resume). Both are written to a temporary name and renamed; the
position file is written last, so a checkpoint with a position is complete. (Under JAX, a
callback's `self.model` brings the trainer's state back into the variables first: Keras's
`Callback.model` does it.) Keras's own `BackupAndRestore` is not used: a resume starts again at
the beginning of the interrupted epoch (its steps so far are trained twice), and at the end it
removes its whole directory, the user's files in it too. (Only the project's multi-worker
loop keeps TensorFlow's checkpoints: `components.checkpoints.tensorflow_checkpoint`.)
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import keras
import numpy as np

from components.atomic_files import atomic_path, ensure_free_space, write_text_atomic
from components.callbacks.step_counting import StepCountingCallback
from components.checkpoints.files import (
    MAX_TO_KEEP,
    checkpoint_mismatch,
    restore_callback_states,
    save_history,
)
from components.optimizers.learning_rate import scaled_schedule

WEIGHTS_SUFFIX = ".weights.h5"
POSITION_SUFFIX = ".position.json"


def _checkpoints(directory: Path) -> list[tuple[int, Path]]:
    """`(step, position file)` of the complete checkpoints in `directory`, oldest first."""
    found = []
    for position in directory.glob(f"ckpt-*{POSITION_SUFFIX}"):
        step = position.name[len("ckpt-") : -len(POSITION_SUFFIX)]
        weights = directory / f"ckpt-{step}{WEIGHTS_SUFFIX}"
        if step.isdigit() and weights.is_file():
            found.append((int(step), position))
    return sorted(found)


def loadable_weights(directory: str | Path) -> tuple[str | None, str]:
    """`(position file, "")` of the newest complete checkpoint in `directory`, or `(None, why
    not)`: the `loadable` of `check_resume` for runs on backends other than TensorFlow."""
    directory = Path(directory)
    if not directory.is_dir():
        return None, f"{directory} does not exist"
    for _, position in reversed(_checkpoints(directory)):
        try:
            place = json.loads(position.read_text())
            int(place["epoch"]), int(place["batch"]), int(place["step"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        return str(position), ""
    return None, "it holds no complete Keras checkpoint (ckpt-<step>.weights.h5 with its position)"


def restore_weights(model: keras.Model, directory: str | Path) -> dict:
    """Loads the newest complete checkpoint into a compiled `model` (weights and optimizer);
    returns its place: `epoch`, `batch` (of that epoch already trained), `step`.

    Raises:
        ValueError: no complete checkpoint in `directory`, or one of another run's flags.
    """
    position, why = loadable_weights(directory)
    if position is None:
        raise ValueError(f"No checkpoint to resume from in {directory}: {why}.")
    place = json.loads(Path(position).read_text())
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    weights = Path(directory) / f"ckpt-{place['step']}{WEIGHTS_SUFFIX}"
    # Keras only warns of variables it skips (another optimizer or schedule): that would
    # resume with fresh optimizer state, so it is refused.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.load_weights(weights)
        except ValueError as err:
            raise checkpoint_mismatch(weights, f"Keras says: {err}") from None
    skipped = [str(w.message) for w in caught if "load" in str(w.message).lower()]
    if skipped:
        raise checkpoint_mismatch(weights, f"Keras says: {skipped[0]}")
    schedule = scaled_schedule(model.optimizer)
    if schedule is not None and place.get("lr_scale") is not None:
        schedule.scale.assign(place["lr_scale"])
    return place


@keras.saving.register_keras_serializable(package="classiczoo")
class WeightsCheckpoint(StepCountingCallback):
    """Saves a checkpoint every `every` steps and at the end of every epoch, keeping the
    newest `keep`; also the `TrainingLoopHooks` through which `PauseEveryNSteps` saves.

    Args:
        directory: where the checkpoints go.
        every: steps between checkpoints (None: at epoch ends only).
        keep: checkpoints kept.
        epoch, batch: where the run starts (a resumed run: its checkpoint's place).
        history: the per-epoch History of the epochs before `epoch`, continued and saved
            beside the checkpoints at each epoch end (`history.json`).

    Example:
    >>> model.fit(batches, epochs=5, callbacks=[WeightsCheckpoint("ckpt", every=500)])
    ... # doctest: +SKIP
    """

    def __init__(
        self,
        directory: str | Path,
        every: int | None = None,
        keep: int = MAX_TO_KEEP,
        *,
        epoch: int = 0,
        batch: int = 0,
        history: dict | None = None,
    ):
        super().__init__()
        if every is not None and every < 1:
            raise ValueError(f"every must be a positive integer or None, got {every}.")
        self.directory = Path(directory)
        self.every, self.keep = every, keep
        self.epoch, self.batch = epoch, batch
        self.history = {k: list(v) for k, v in (history or {}).items()}
        self.states = {}

    def get_config(self) -> dict:
        """The constructor's settings; a run's place (`epoch`, `batch`, `history`) is state."""
        return {"directory": str(self.directory), "every": self.every, "keep": self.keep}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def keep_states_of(self, callbacks: dict) -> None:
        """Saves these callbacks' states (`get_state`) at every epoch end, by name, and gives
        them back at the start of every `fit` after the first epoch (`set_state`)."""
        self.states = dict(callbacks)

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.epoch:  # a resumed run, or the fit after a resumed epoch's rest
            # After the stateful callbacks' own on_train_begin, which resets them.
            restore_callback_states(self.directory, self.epoch, self.states)

    def on_epoch_begin(self, epoch, logs=None):
        if epoch != self.epoch:  # a new epoch (not the resumed one, already part-way)
            self.epoch, self.batch = epoch, 0
        self._fitted_batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batch += 1
        self._fitted_batches += 1
        super().on_train_batch_end(batch, logs)

    def on_step_end(self, step, logs):
        if self.every and step % self.every == 0:
            self.save_checkpoint()

    def on_epoch_end(self, epoch, logs=None):
        if self._fitted_batches < (self.params or {}).get("steps", 0):
            return  # stopped part-way (a pause, a NaN): Keras still ends the epoch; we do not
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        self.epoch, self.batch = epoch + 1, 0
        self.save_checkpoint()
        save_history(self.directory, self.history, epoch + 1, self.states)

    # -- TrainingLoopHooks ------------------------------------------------------------------
    def save_checkpoint(self) -> None:
        """Saves weights, optimizer and place now (also when another callback asks before
        this one has counted the batch just trained: the optimizer's step says)."""
        step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        batch = self.batch + (step - self.step)
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = self.directory / f"ckpt-{step}"
        ensure_free_space(self.directory, self._checkpoint_bytes(), f"checkpoint ckpt-{step}")
        with atomic_path(stem.with_name(stem.name + WEIGHTS_SUFFIX)) as partial:
            self.model.save_weights(partial)
        schedule = scaled_schedule(self.model.optimizer)
        place = {
            "epoch": self.epoch,
            "batch": batch,
            "step": step,
            "lr_scale": None if schedule is None else float(schedule.scale.numpy()),
        }
        write_text_atomic(stem.with_name(stem.name + POSITION_SUFFIX), json.dumps(place) + "\n")
        for old_step, old in _checkpoints(self.directory)[: -self.keep]:
            old.unlink(missing_ok=True)
            (self.directory / f"ckpt-{old_step}{WEIGHTS_SUFFIX}").unlink(missing_ok=True)

    def _checkpoint_bytes(self) -> int:
        """The size of the newest checkpoint here, else the model's and optimizer's weights'."""
        saved = _checkpoints(self.directory)
        if saved:
            weights = self.directory / f"ckpt-{saved[-1][0]}{WEIGHTS_SUFFIX}"
            if weights.is_file():
                return weights.stat().st_size
        variables = [*self.model.weights, *self.model.optimizer.variables]
        return sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables)

    def retrace(self) -> None:
        """Keras's train function traced again (a changed momentum is baked into it)."""
        self.model.make_train_function(force=True)


__all__ = ["WeightsCheckpoint", "loadable_weights", "restore_weights"]
