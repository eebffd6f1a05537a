"""Fitting a registered model on a run's data: the part of a run between the data and the test.

One fit for every backend: the model and its optimizer on the run's devices, the callbacks
(TensorBoard, learning-rate log, best-epoch restore, plateau decay, checkpoints, monitors,
pauses) and Keras's `fit` from the run's place (`fit_from`), on whatever holds the data
(`components.data.run_data.RunData`: tf.data or NumPy batches). Only under a multi-worker
strategy, where Keras's `fit` fails (keras-team/keras#20585), the project's `strategy.run`
loop trains instead. `train_model` (components.training.run) follows it with the test and the
export; `cross_validate` (components.model_selection.cross_validation) with a fold's
validation figures.
"""

from __future__ import annotations

import dataclasses
import functools
import time

import keras

from components.callbacks import PauseEveryNSteps, StopOnSignal
from components.console import progress_verbosity
from components.data.augmentation import Augmenter, needs_soft_labels, parse_augment
from components.data.run_data import BatchPlan, RunData
from components.training.compile import (
    compile_classifier,
    inference_model,
    validation_accuracy_key,
)
from components.training.config import ModelRegistry, TrainConfig
from components.training.devices import RunDevices
from components.training.diagnosis import training_error
from components.training.exact_figures import ExactValidation, exact_figures
from components.training.resumable_fit import fit_from, run_checkpoint
from components.training.run_callbacks import run_callbacks
from components.training.run_hyperparameters import (
    describe_augmentation,
    describe_run,
    run_learning_rate,
    run_model,
)


@dataclasses.dataclass
class FittedModel:
    """What fitting leaves, and how to measure it.

    Args:
        model: the trained model (all heads).
        history: Keras's per-epoch History.
        data: the run's data.
        batch_size: the run's batch size (its measurements batch so too).
        trainer: the project's loop (None under `model.fit`).
        train_seconds: wall time of the fit.
        monitors: the gradient and activation monitors, by name.
        pause: the pause callback, or None.
        signal_stop: the callback that stops at a signal, or None.
        best_epoch: the epoch (0-based) whose weights the model holds with `restore_best`,
            else None.
        last_loss: the training loss of the last epoch `fit` ran, a part-way one included
            (None: the project's loop, whose history ends with it).
    """

    model: keras.Model
    history: dict[str, list[float]]
    data: RunData
    batch_size: int
    trainer: object | None
    train_seconds: float
    monitors: dict
    pause: PauseEveryNSteps | None
    signal_stop: StopOnSignal | None = None
    best_epoch: int | None = None
    last_loss: float | None = None

    @functools.cached_property
    def inference(self) -> keras.Model:
        """The main head alone (GoogLeNet's auxiliary heads dropped), made once for every
        evaluation and the export; compiled where it is a new model that Keras evaluates
        (the project's loop evaluates through its trainer)."""
        inference = inference_model(self.model)
        if inference is not self.model and self.trainer is None:
            compile_classifier(inference)
        return inference

    def figures(self, part: str, *, limit: int | None = None) -> dict[str, float] | None:
        """Loss and accuracy (and the compiled metrics) of the main head on `part` (or its
        first `limit` examples) in inference mode: no dropout, BatchNorm's moving statistics;
        exact whatever the padding of data-parallel batches. None: the part is empty."""
        batches = self.data.batches(part, self.batch_size, limit=limit)
        if batches is None:
            return None
        if self.trainer is not None:
            measured = self.trainer.evaluate(batches)
        elif self.data.padded:  # Keras's compiled figures would count the padding
            measured = exact_figures(self.inference, batches)
        else:
            measured = self.inference.evaluate(batches, return_dict=True, verbose=0)
        return {k: float(v) for k, v in measured.items()}

    def train_error(self) -> tuple[float, int]:
        """`(error, images)`: the inference-mode error on the first `TRAIN_ERROR_IMAGES`
        training images (the bias vs variance diagnosis's training error)."""
        return training_error(lambda n: self.figures("train", limit=n), self.data.num_train)


def run_batch_plan(config: TrainConfig) -> BatchPlan:
    """How a run batches its training part: its batch size, seed and augmentation, one-hot
    targets where the loss needs them (label smoothing, MixUp, CutMix); one head (`replace`
    `heads` once the model is built)."""
    return BatchPlan(
        config.optimization.batch_size,
        config.control.seed,
        config.data.augment,
        needs_soft_labels(parse_augment(config.data.augment), config.optimization.label_smoothing),
    )


def fit_run(
    config: TrainConfig, registry: ModelRegistry, data: RunData, devices: RunDevices
) -> FittedModel:
    """Builds the model and its optimizer on `devices` and fits it on `data`.

    Args:
        config: a resolved config (`TrainConfig.resolve`: the model's defaults filled in).
        registry: where the model comes from.
        data: the run's data; its validation part, if any, is Keras's validation data.
        devices: where the steps run (`run_devices`), and which loop trains.
    """
    say = print if devices.chief else (lambda *a, **k: None)  # other workers stay quiet
    optimization, control = config.optimization, config.control
    learning_rate = run_learning_rate(optimization, devices.replicas, say)
    plan = run_batch_plan(config)
    steps = parse_augment(config.data.augment)
    if steps or optimization.label_smoothing:
        augmenter = Augmenter(steps, data.model_input_shape) if steps else None
        say(describe_augmentation(augmenter, optimization.label_smoothing))
    custom = devices.loop == "custom"
    with devices.building():
        model, optimizer = run_model(
            config,
            registry,
            input_shape=data.model_input_shape,
            num_classes=len(data.class_names),
            num_train=data.num_train,
            learning_rate=learning_rate,
            soft_labels=plan.soft_labels,
            jit_compile=devices.jit_compile,
            compiled=not custom,
        )
    say(describe_run(config, model.count_params(), learning_rate))
    plan = dataclasses.replace(plan, heads=len(model.outputs))
    if custom:
        checkpoint = _distributed_trainer(config, model, optimizer, devices)
    else:
        with devices.building():
            checkpoint = run_checkpoint(model, control, say)
    trainer = checkpoint if custom else None
    callbacks, monitors, pause, best, signal_stop = run_callbacks(
        config,
        functools.partial(data.look_batch, optimization.batch_size),
        validation_accuracy_key(model, trainer),
        checkpoint=checkpoint,
        strategy=devices.strategy,
        chief=devices.chief,
        say=say,
    )
    start = time.time()
    last_loss = None
    if custom:
        history = trainer.fit(
            data.shuffled_batches(plan, seed_per_batch=control.deterministic),
            epochs=optimization.epochs,
            validation_data=data.batches("validation", optimization.batch_size),
            callbacks=callbacks,
            verbose=progress_verbosity() if devices.chief else 0,
        ).history
    else:
        validation = data.batches("validation", optimization.batch_size, heads=plan.heads)
        if validation is not None and data.padded:  # measured exactly, not by fit's own
            callbacks = [ExactValidation(validation, validation_accuracy_key(model)), *callbacks]
            validation = None
        last_loss = fit_from(
            model,
            functools.partial(data.training_batches, plan),
            epoch=checkpoint.epoch,
            batch=checkpoint.batch,
            epochs=optimization.epochs,
            batches_per_epoch=data.batches_per_epoch(plan),
            validation=validation,
            callbacks=callbacks,
            verbose=progress_verbosity(),
        )
        history = checkpoint.history
    train_seconds = time.time() - start
    if best is not None:
        best.restore()
    return FittedModel(
        model=model,
        history={k: [float(x) for x in v] for k, v in history.items()},
        data=data,
        batch_size=optimization.batch_size,
        trainer=trainer,
        train_seconds=train_seconds,
        monitors=monitors,
        pause=pause,
        signal_stop=signal_stop,
        best_epoch=None if best is None else best.best_epoch,
        last_loss=last_loss,
    )


def _distributed_trainer(config: TrainConfig, model, optimizer, devices: RunDevices):
    """The project's multi-worker loop: it checkpoints itself (TensorFlow's format, which
    `PreemptionCheckpointHandler` needs)."""
    from components.distribute.loop import DistributedTrainer

    control = config.control
    return DistributedTrainer(
        model,
        optimizer,
        devices.strategy,
        jit_compile=control.jit_compile,
        checkpoint_dir=control.checkpoint_dir,
        checkpoint_every=control.checkpoint_every,
        chief=devices.chief,
        task_id=devices.task,
        label_smoothing=config.optimization.label_smoothing,
    )


__all__ = ["FittedModel", "fit_run", "run_batch_plan"]
