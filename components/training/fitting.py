"""Fitting a registered model on loaded data: the part of a run between the data and the test.

The model and its optimizer under the strategy, the callbacks (TensorBoard, learning-rate log,
best-epoch restore, plateau decay, checkpoints, monitors, pauses) and the loop (`model.fit`
from the run's place, `fit_from`; or, under multi-worker, the project's `strategy.run` loop).
`train_model` (components.training.run) follows it with the test and the export;
`cross_validate` (components.model_selection.cross_validation) with a fold's validation
figures. `inference_figures` measures a fitted model on any pipeline.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Callable

import keras
import tensorflow as tf

from components.callbacks import PauseEveryNSteps, StopOnSignal
from components.console import progress_verbosity
from components.data.augmentation import Augmenter, needs_soft_labels, parse_augment
from components.data.normalized import NormalizedData
from components.distribute.loop import DistributedTrainer
from components.distribute.strategies import task_id
from components.training.compile import (
    compile_classifier,
    inference_model,
    validation_accuracy_key,
    with_aux_targets,
)
from components.training.config import ConfigError, ModelRegistry, TrainConfig
from components.training.resumable_fit import fit_from, run_checkpoint
from components.training.run_callbacks import run_callbacks
from components.training.run_hyperparameters import (
    describe_augmentation,
    describe_run,
    run_learning_rate,
    run_model,
)
from components.training.settings import ControlSettings


@dataclasses.dataclass
class FittedModel:
    """What fitting leaves.

    Args:
        model: the trained model (all heads).
        history: Keras's per-epoch History.
        loop: `"fit"` or `"custom"`.
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
    loop: str
    trainer: DistributedTrainer | None
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


def training_pipeline(
    config: TrainConfig, data: NormalizedData, soft_labels: bool, **epochs
) -> tf.data.Dataset:
    """The run's training batches: shuffled, augmented, normalized (`NormalizedData.pipeline`);
    `epochs` (`epochs=(first, end), skip=k`) gives the epoch-indexed form `fit_from` trains on."""
    return data.pipeline(
        "train",
        config.optimization.batch_size,
        training=True,
        seed=config.control.seed,
        augment=config.data.augment,
        soft_labels=soft_labels,
        # Only the project's (multi-worker) loop reads this: it replays a deterministic run's
        # augmentation batch by batch. Keras's fit gets the epoch-indexed pipeline.
        seed_per_batch=config.control.deterministic,
        **epochs,
    )


def epoch_batches(
    config: TrainConfig, data: NormalizedData, soft_labels: bool, model: keras.Model
) -> tuple[Callable, int]:
    """`fit_from`'s `train_from` for the run's training batches (with the targets of every
    head of `model`), and the batches of an epoch."""
    batches_per_epoch = math.ceil(data.data.num_train / config.optimization.batch_size)

    def train_from(epoch: int, skip: int, end: int):
        train = training_pipeline(config, data, soft_labels, epochs=(epoch, end), skip=skip)
        return with_aux_targets(train, model), batches_per_epoch - skip, []

    return train_from, batches_per_epoch


def choose_loop(control: ControlSettings, strategy) -> str:
    """`fit` or `custom`: what `control.loop` asks, `auto` decided by the strategy."""
    multiworker = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
    if control.loop == "fit" and multiworker:
        raise ConfigError(
            "loop 'fit' cannot run under MultiWorkerMirroredStrategy (keras-team/keras#20585); "
            "use loop 'custom' (the default there)."
        )
    if control.loop != "auto":
        return control.loop
    # Keras's fit everywhere it can train: it resumes mid-epoch exactly (fit_from).
    return "custom" if multiworker else "fit"


def fit_loaded(
    config: TrainConfig,
    registry: ModelRegistry,
    strategy: tf.distribute.Strategy,
    data: NormalizedData,
    *,
    loop: str,
    chief: bool = True,
) -> FittedModel:
    """Builds the model and its optimizer under `strategy` and fits it on `data`.

    Args:
        config: a resolved config (`TrainConfig.resolve`: the model's defaults filled in).
        registry: where the model comes from.
        strategy: the tf.distribute strategy (`select_strategy`).
        data: the loaded splits and their normalization; its validation part, if any, is
            Keras's validation data.
        loop: `"fit"` or `"custom"` (`choose_loop`).
        chief: this worker writes logs and speaks.
    """
    say = print if chief else (lambda *a, **k: None)  # other workers stay quiet
    optimization, control = config.optimization, config.control
    learning_rate = run_learning_rate(optimization, strategy.num_replicas_in_sync, say)
    soft_labels = needs_soft_labels(
        parse_augment(config.data.augment), optimization.label_smoothing
    )

    validation = data.pipeline("validation", optimization.batch_size)
    if config.data.augment != "none" or optimization.label_smoothing:
        steps = parse_augment(config.data.augment)
        augmenter = Augmenter(steps, data.model_input_shape) if steps else None
        say(describe_augmentation(augmenter, optimization.label_smoothing))

    with strategy.scope():
        model, optimizer = run_model(
            config,
            registry,
            input_shape=data.model_input_shape,
            num_classes=len(data.data.class_names),
            num_train=data.data.num_train,
            learning_rate=learning_rate,
            soft_labels=soft_labels,
            jit_compile=control.jit_compile,
            compiled=loop == "fit",
        )
    say(describe_run(config, model.count_params(), learning_rate))
    trainer = checkpoint = None
    if loop == "fit":
        with strategy.scope():
            checkpoint = run_checkpoint(model, control, say)
    else:
        trainer = DistributedTrainer(
            model,
            optimizer,
            strategy,
            jit_compile=control.jit_compile,
            checkpoint_dir=control.checkpoint_dir,
            checkpoint_every=control.checkpoint_every,
            chief=chief,
            task_id=task_id(),
            label_smoothing=optimization.label_smoothing,
        )
    # The monitors look at a batch as it is: class ids, no augmentation.
    look = validation
    if look is None:
        look = data.pipeline("train", optimization.batch_size)

    def look_batch():
        x, y = next(iter(look))
        return x.numpy(), y.numpy()

    callbacks, monitors, pause, best, signal_stop = run_callbacks(
        config,
        look_batch,
        validation_accuracy_key(model, trainer),
        checkpoint=trainer or checkpoint,
        strategy=strategy,
        chief=chief,
        say=say,
    )

    start = time.time()
    last_loss = None
    if trainer is None:
        train_from, batches_per_epoch = epoch_batches(config, data, soft_labels, model)

        last_loss = fit_from(
            model,
            train_from,
            epoch=checkpoint.epoch,
            batch=checkpoint.batch,
            epochs=optimization.epochs,
            batches_per_epoch=batches_per_epoch,
            validation=with_aux_targets(validation, model) if validation else None,
            callbacks=callbacks,
            verbose=progress_verbosity(),
        )
        history = checkpoint.history
    else:
        history = trainer.fit(
            training_pipeline(config, data, soft_labels),
            epochs=optimization.epochs,
            validation_data=validation,
            callbacks=callbacks,
            verbose=progress_verbosity() if chief else 0,
        ).history
    train_seconds = time.time() - start
    if best is not None:
        best.restore()
    return FittedModel(
        model=model,
        history={k: [float(x) for x in v] for k, v in history.items()},
        loop=loop,
        trainer=trainer,
        train_seconds=train_seconds,
        monitors=monitors,
        pause=pause,
        signal_stop=signal_stop,
        best_epoch=None if best is None else best.best_epoch,
        last_loss=last_loss,
    )


def inference_figures(fitted: FittedModel, dataset: tf.data.Dataset) -> dict[str, float]:
    """Loss and accuracy (and the compiled metrics) of the main head on `dataset`, in
    inference mode: no dropout, BatchNorm's moving statistics."""
    if fitted.trainer is not None:
        return {k: float(v) for k, v in fitted.trainer.evaluate(dataset).items()}
    figures = fitted.inference.evaluate(dataset, return_dict=True, verbose=0)
    return {k: float(v) for k, v in figures.items()}


__all__ = [
    "FittedModel",
    "choose_loop",
    "fit_loaded",
    "inference_figures",
    "validation_accuracy_key",
]
