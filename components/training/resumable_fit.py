"""Keras's `fit` from any place in a run: the one training loop of every backend.

A run resumed in the middle of epoch e first fits that epoch's remaining batches (a `fit` of
one epoch), then the epochs after it (a second `fit`). Keras's `initial_epoch` keeps the epoch
numbers, its callbacks see every epoch end, and the data (a tf.data pipeline indexed by epoch,
or `ArrayBatches`) gives each epoch's batches as the uninterrupted run saw them, so the
resumed run ends with the same weights. Keras's own `BackupAndRestore` restarts the
interrupted epoch at its first batch (its batches so far are trained twice); Keras has no
mid-epoch resume, hence this function. The project's `strategy.run` loop remains only where
Keras's `fit` cannot train (MultiWorkerMirroredStrategy, keras-team/keras#20585).
"""

from __future__ import annotations

from collections.abc import Callable

import keras

from components.callbacks.weight_average import (
    TrainingWeightsKeeper,
    copy_averaged_weights,
    uses_weight_average,
)
from components.checkpoints.files import load_history
from components.checkpoints.weights import WeightsCheckpoint, restore_weights
from components.training.settings import ControlSettings


def run_checkpoint(
    model: keras.Model, control: ControlSettings, say: Callable = print
) -> WeightsCheckpoint:
    """The run's checkpoint callback, at the place of the checkpoint `control.resume` continues
    (its model and optimizer state restored into the compiled `model`, its History taken
    back), or at the start of a fresh run.

    Args:
        model: the compiled model (under a tf.distribute strategy: call in its scope).
        control: the run's `ControlSettings` (`checkpoint_dir`, `checkpoint_every`,
            `resume`).
        say: prints where the chief speaks.
    """
    place, history = {"epoch": 0, "batch": 0, "step": 0}, {}
    if control.resume:
        place = restore_weights(model, control.checkpoint_dir)
        history = load_history(control.checkpoint_dir, place["epoch"])
        say(
            f"Resumed from {control.checkpoint_dir} at step {place['step']} (epoch "
            f"{place['epoch'] + 1}, batch {place['batch']})."
        )
    return WeightsCheckpoint(
        control.checkpoint_dir,
        control.checkpoint_every,
        epoch=place["epoch"],
        batch=place["batch"],
        history=history,
    )


def fit_from(
    model: keras.Model,
    train_from: Callable[[int, int, int], tuple],
    *,
    epoch: int,
    batch: int,
    epochs: int,
    batches_per_epoch: int,
    validation=None,
    callbacks: list | None = None,
    verbose: int | str = "auto",
) -> float:
    """Fits `model` from batch `batch` of epoch `epoch` (0-based) to the end of `epochs`.

    Args:
        model: a compiled model.
        train_from: `(epoch, skip, end) -> (data, steps_per_epoch, callbacks)`: the training
            data of epochs `epoch` to `end - 1` without the first `skip` batches of the first,
            the steps of its epochs for `fit` (None: the data knows), and callbacks it needs.
        epoch, batch: where the run is (a fresh run: 0, 0; a resumed one: its checkpoint's).
        epochs: the run's epochs.
        batches_per_epoch: the batches of a whole epoch.
        validation: `fit`'s `validation_data`.
        callbacks: the run's callbacks (the same objects for every `fit` call).
        verbose: `fit`'s.

    Returns:
        The training loss of the last epoch `fit` ran (a part-way one included: the run's
        non-finite-loss check reads it).
    """
    if batch >= batches_per_epoch:  # a checkpoint after an epoch's last batch closed it
        epoch, batch = epoch + 1, 0
    last_loss = 0.0
    # Each fit ends by writing the optimizer's moving average into the model (`use_ema`):
    # a fit that another follows gives the weights being trained back (weight_average).
    keeper = TrainingWeightsKeeper() if uses_weight_average(model) else None
    while epoch < epochs and not model.stop_training:
        end = epoch + 1 if batch else epochs
        data, steps, data_callbacks = train_from(epoch, batch, end)
        keepers = [keeper] if keeper is not None and end < epochs else []
        logged = model.fit(
            data,
            validation_data=validation,
            initial_epoch=epoch,
            epochs=end,
            steps_per_epoch=steps,
            shuffle=False,  # the data orders itself, replayably; Keras's order would not be
            callbacks=[*data_callbacks, *(callbacks or []), *keepers],
            verbose=verbose,
        ).history
        if keepers and not model.stop_training:
            keeper.put_back()
        elif keeper is not None:  # the model holds the averages now
            copy_averaged_weights(model)
        last_loss = (logged.get("loss") or [last_loss])[-1]
        epoch, batch = end, 0
    return last_loss


__all__ = ["fit_from", "run_checkpoint"]
