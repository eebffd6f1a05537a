"""The whole training run of a registered model: what `zoo.train` and `classiczoo train` do.

Strategy, seeding, data and normalization, the model and its optimizer, the callbacks
(TensorBoard, learning-rate log, plateau decay, checkpoints, monitors, pauses), the loop
(`model.fit`, or the project's under multi-worker and when resuming), the test figures, the
SavedModel export with its metadata, and the cleanup of the run's checkpoints once exported.
The registry is passed in (`zoo.registry`), so components never import `zoo`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from components.callbacks import (
    ActivationMonitor,
    GradientMonitor,
    LearningRateLogger,
    PauseEveryNSteps,
    TrainingCheckpoint,
    default_controller,
)
from components.data.augmentation import Augmenter, needs_soft_labels, parse_augment
from components.data.normalized import NormalizedData, load_normalized
from components.export.metadata import DataSplits, Hyperparameters, RunFacts
from components.export.saved_model import export_classifier
from components.optimizers import make_optimizer
from components.schedules import make_schedule, plateau_callback
from components.training.checkpointing import has_checkpoint
from components.training.compile import compile_classifier, inference_model, with_aux_targets
from components.training.config import ConfigError, ModelRegistry, TrainConfig
from components.training.distribute import (
    describe_strategy,
    is_chief,
    select_strategy,
    strategy_name,
    task_id,
)
from components.training.loop import DistributedTrainer
from components.training.metrics import run_metrics
from components.training.reproducibility import make_deterministic, seed_everything
from components.training.result import TrainResult, weights_digest


def train_model(config: TrainConfig, registry: ModelRegistry) -> TrainResult:
    """Trains, exports and evaluates a registered model as `config` says.

    Args:
        config: the run's settings (checked again here against the registry).
        registry: where models and their defaults come from (`zoo.registry`).

    Returns:
        A `TrainResult`; its `stopped_at_step` is set when a pause or a NaN stopped the run
        (nothing is exported then; resume with `--resume`).

    Raises:
        ConfigError: bad settings, a checkpoint in the way, or none to resume from.
        components.training.TFConfigError: a malformed `TF_CONFIG`.
    """
    config = config.resolve(registry)
    strategy = select_strategy(config.strategy)  # first: multi-worker needs a fresh context
    (make_deterministic if config.deterministic else seed_everything)(config.seed)
    policy = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy(config.precision)
    try:
        return _train(config, registry, strategy)
    finally:
        keras.mixed_precision.set_dtype_policy(policy)


def _choose_loop(config: TrainConfig, strategy) -> str:
    multiworker = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
    if config.loop == "fit" and multiworker:
        raise ConfigError(
            "loop 'fit' cannot run under MultiWorkerMirroredStrategy (keras-team/keras#20585); "
            "use loop 'custom' (the default there)."
        )
    if config.loop != "auto":
        return config.loop
    # A resumed run continues in the project's loop, which can start in the middle of an
    # epoch (it computes what model.fit computes; see components/training/loop.py).
    return "custom" if (multiworker or config.resume) else "fit"


def _check_checkpoints(config: TrainConfig) -> None:
    found = has_checkpoint(config.checkpoint_dir)
    if config.resume and not found:
        raise ConfigError(f"resume: no checkpoint in {config.checkpoint_dir} to resume from.")
    if found and not config.resume:
        raise ConfigError(
            f"{config.checkpoint_dir} holds a checkpoint of an unfinished run: pass --resume "
            "to continue it, or another --checkpoint-dir to start afresh."
        )


def _train(config: TrainConfig, registry: ModelRegistry, strategy) -> TrainResult:
    chief = is_chief()
    say = print if chief else (lambda *a, **k: None)  # other workers stay quiet
    loop = _choose_loop(config, strategy)
    say(describe_strategy(strategy, config.batch_size) + f" Loop: {loop}.")
    learning_rate = config.learning_rate
    if config.scale_lr:
        learning_rate *= strategy.num_replicas_in_sync
        say(f"Learning rate scaled by {strategy.num_replicas_in_sync} replicas: {learning_rate}.")
    _check_checkpoints(config)

    data = load_normalized(
        config.dataset,
        data_dir=config.data_dir,
        train_split=config.train_split,
        test_split=config.test_split,
        val_split=config.val_split,
        resize=config.resize,
    )
    say(data.describe())
    soft_labels = needs_soft_labels(parse_augment(config.augment), config.label_smoothing)
    train = data.pipeline(
        "train",
        config.batch_size,
        training=True,
        seed=config.seed,
        augment=config.augment,
        soft_labels=soft_labels,
    )
    validation = data.pipeline("validation", config.batch_size)
    if config.augment != "none" or config.label_smoothing:
        steps = parse_augment(config.augment)
        augmenter = Augmenter(steps, data.model_input_shape) if steps else None
        say(
            f"Augmentation of the training split: {augmenter.describe() if augmenter else 'none'}"
            f"; label smoothing {config.label_smoothing:g}."
        )

    with strategy.scope():
        model = registry.create(
            config.model,
            input_shape=data.model_input_shape,
            num_classes=len(data.data.class_names),
            **config.all_model_options(),
        )
        steps_per_epoch = -(-data.data.num_train // config.batch_size)
        if config.lr_schedule == "plateau":
            rate = learning_rate  # lowered by the plateau callback, below
        else:
            rate = make_schedule(
                config.lr_schedule,
                learning_rate,
                total_steps=config.epochs * steps_per_epoch,
                steps_per_epoch=steps_per_epoch,
            )
        optimizer = make_optimizer(config.optimizer, rate, weight_decay=config.weight_decay)
        if loop == "fit":
            compile_classifier(
                model,
                optimizer,
                jit_compile=config.jit_compile,
                soft_labels=soft_labels,
                label_smoothing=config.label_smoothing,
            )
    say(
        f"Model: {config.model}, {model.count_params():,} parameters; {config.optimizer} lr "
        f"{learning_rate} ({config.lr_schedule}), weight decay {config.weight_decay}, "
        f"{config.epochs} epoch{'s' if config.epochs != 1 else ''}, batch {config.batch_size}, "
        f"seed {config.seed}"
        f"{' (deterministic)' if config.deterministic else ''}, precision {config.precision}."
    )
    trainer = None
    if loop == "custom":
        trainer = DistributedTrainer(
            model,
            optimizer,
            strategy,
            jit_compile=config.jit_compile,
            checkpoint_dir=config.checkpoint_dir,
            checkpoint_every=config.checkpoint_every,
            chief=chief,
            task_id=task_id(),
            label_smoothing=config.label_smoothing,
        )
    # The monitors look at a batch as it is: class ids, no augmentation.
    look = validation if validation is not None else data.pipeline("train", config.batch_size)
    callbacks, monitors, pause = _callbacks(
        config, say, chief, strategy, trainer, look, _validation_accuracy_key(model, trainer)
    )

    start = time.time()
    if trainer is None:
        history = model.fit(
            with_aux_targets(train, model),
            validation_data=with_aux_targets(validation, model) if validation else None,
            epochs=config.epochs,
            shuffle=False,  # the pipeline shuffles; this silences Keras's warning that it won't
            callbacks=callbacks,
            verbose="auto",
        ).history
    else:
        history = trainer.fit(
            train,
            epochs=config.epochs,
            validation_data=validation,
            callbacks=callbacks,
            verbose=1 if chief else 0,
        ).history
    train_seconds = time.time() - start
    result = TrainResult(
        config=config,
        history={k: [float(x) for x in v] for k, v in history.items()},
        metrics=None,
        export_dir=None,
        model=model,
        preprocessing=data.preprocessing,
        stopped_at_step=None,
        checkpoint_dir=config.checkpoint_dir,
        monitors=monitors,
        pause=pause,
        weights_sha256=weights_digest(model),
    )
    nan_stop = "gradients" in monitors and monitors["gradients"].nan_layer is not None
    if nan_stop or (pause is not None and pause.stopped_at_step is not None):
        stopped = pause.stopped_at_step if (pause and pause.stopped_at_step) else None
        result.stopped_at_step = stopped or int(model.optimizer.iterations.numpy())
        why = "NaN/Inf (GradientMonitor)" if nan_stop else "decision"
        say(
            f"Stopped at step {result.stopped_at_step} by {why}; nothing exported; checkpoint "
            f"in {config.checkpoint_dir}. Continue with:\n  {result.resume_command}"
        )
        return result
    return _evaluate_and_export(result, data, strategy, loop, trainer, train_seconds, say)


def _validation_accuracy_key(model, trainer) -> str:
    """What the main head's validation accuracy is logged as: Keras names it after the head
    where there are auxiliary heads; the project's loop logs it as `val_accuracy`."""
    if trainer is not None or len(model.outputs) == 1:
        return "val_accuracy"
    return f"val_{model.output_names[0]}_accuracy"


def _callbacks(config, say, chief, strategy, trainer, look, accuracy_key):
    """The run's callbacks, its monitors by name, and its pause callback (or None)."""
    callbacks = []
    if chief:  # only the chief writes logs
        say(f"TensorBoard logs: {config.log_dir}  (tensorboard --logdir {config.log_dir})")
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(config.log_dir)))
    callbacks.append(LearningRateLogger())
    if config.restore_best:  # Keras's, told never to stop early
        callbacks.append(
            keras.callbacks.EarlyStopping(
                accuracy_key, mode="max", patience=config.epochs, restore_best_weights=True
            )
        )
    if config.lr_schedule == "plateau":
        callbacks.append(plateau_callback("val_loss" if config.val_split else "loss"))
    if trainer is None:
        callbacks.append(TrainingCheckpoint(str(config.checkpoint_dir), config.checkpoint_every))
    monitors = {}
    if config.monitor:
        x_look, y_look = next(iter(look))
        if "gradients" in config.monitor:
            monitors["gradients"] = GradientMonitor(
                (x_look.numpy(), y_look.numpy()),
                every=config.monitor_every,
                log_dir=str(config.log_dir / "gradients"),
                csv_path=str(config.log_dir / "gradients.csv") if chief else None,
                checkpoint_dir=str(config.checkpoint_dir),
                chief=chief,
            )
        if "activations" in config.monitor:
            monitors["activations"] = ActivationMonitor(
                x_look.numpy(),
                every=config.monitor_every,
                log_dir=str(config.log_dir / "activations"),
                chief=chief,
            )
        callbacks.extend(monitors.values())
        say(f"Monitoring {', '.join(monitors)} every {config.monitor_every} steps.")
    pause = None
    if config.pause_every:
        control = config.pause_control or ("prompt" if sys.stdin.isatty() else "auto")
        timeouts = {"timeout": config.pause_timeout, "on_timeout": config.pause_on_timeout}
        controller = default_controller(
            control, path=config.pause_file, **(timeouts if control == "file" else {})
        )
        pause = PauseEveryNSteps(
            config.pause_every,
            controller=controller,
            checkpoint_dir=str(config.checkpoint_dir),
            loop=trainer,
            strategy=strategy,
            chief=chief,
        )
        callbacks.append(pause)
        say(f"Pausing every {config.pause_every} steps; decisions by: {control}.")
    return callbacks, monitors, pause


def _evaluate_and_export(
    result: TrainResult, data: NormalizedData, strategy, loop, trainer, train_seconds, say
) -> TrainResult:
    config = result.config
    # Evaluation and export use the main head alone (GoogLeNet's auxiliary heads are dropped).
    model = result.model
    inference = inference_model(model)
    test = data.pipeline("test", config.batch_size)
    if trainer is None:
        if inference is not model:
            compile_classifier(inference)
        test_figures = inference.evaluate(test, return_dict=True, verbose=0)
    else:
        test_figures = trainer.evaluate(test)
    print(f"Final weights sha256: {result.weights_sha256} (task {task_id()})")
    key = _validation_accuracy_key(model, trainer)
    # restore_best keeps the first epoch of the best validation accuracy (Keras's rule).
    best = int(np.argmax(result.history[key])) if config.restore_best else None
    metrics = run_metrics(
        result.history,
        model,
        test=test_figures,
        train_seconds=train_seconds,
        epoch=-1 if best is None else best,
    )
    facts = RunFacts(
        kind="train",
        model=config.model,
        dataset=config.dataset,
        splits=data.data.splits,
        data=DataSplits(config.train_split, config.val_split, config.test_split),
        metrics=metrics,
        command=config.command_line(),
        hyperparameters=Hyperparameters(
            optimizer=config.optimizer,
            learning_rate=config.learning_rate,
            lr_schedule=config.lr_schedule,
            weight_decay=config.weight_decay,
            epochs=config.epochs,
            batch_size=config.batch_size,
            seed=config.seed,
            strategy=strategy_name(strategy),
            replicas=strategy.num_replicas_in_sync,
            loop=loop,
            precision=config.precision,
            jit_compile=config.jit_compile,
            deterministic=config.deterministic,
            model_options=config.all_model_options(),
            augment=config.augment,
            label_smoothing=config.label_smoothing,
            best_epoch=None if best is None else best + 1,
        ),
    )
    chief = is_chief()
    # Every worker writes the SavedModel (saving may need them all); only the chief keeps it.
    export_base = config.export_dir / config.model if chief else Path(tempfile.mkdtemp())
    export_dir = export_classifier(
        inference,
        export_base,
        image_shape=data.data.image_shape,
        preprocessing=data.preprocessing,
        class_names=data.data.class_names,
        run=facts,
        tta=config.export_tta,
    )
    if not chief:
        shutil.rmtree(export_base, ignore_errors=True)
    elif Path(config.checkpoint_dir).is_dir():
        # The run is complete and exported; its checkpoints were only for resuming it.
        shutil.rmtree(config.checkpoint_dir)
    say(
        f"Test: loss {metrics.test['loss']:.4f}, accuracy {metrics.test['accuracy']:.4f} "
        f"({train_seconds:.1f} s training)."
    )
    say(f"Exported SavedModel: {export_dir}")
    result.metrics = metrics
    result.export_dir = export_dir
    result.model = inference
    return result


__all__ = ["TrainResult", "train_model"]
