"""A run's hyperparameters: the optimizer they make, and the record its metadata keeps.

The run (`components.training.fitting`, `components.training.run`) makes its optimizer with
`run_optimizer` and records its settings through `run_hyperparameters`, on every backend.
"""

from __future__ import annotations

import math

import keras

from components.export.metadata import Hyperparameters
from components.optimizers import make_optimizer
from components.schedules import make_schedule
from components.training.config import OptimizationSettings, TrainConfig


def run_optimizer(
    optimization: OptimizationSettings, learning_rate: float, num_train: int
) -> keras.optimizers.Optimizer:
    """The settings' optimizer at `learning_rate` (the run's: scaled by the replicas where
    asked), following their schedule over `epochs` epochs of `num_train` examples, with their
    weight decay and moving average of the weights. The `plateau` schedule starts constant:
    its callback lowers it."""
    steps_per_epoch = math.ceil(num_train / optimization.batch_size)
    if optimization.lr_schedule == "plateau":
        rate = learning_rate
    else:
        rate = make_schedule(
            optimization.lr_schedule,
            learning_rate,
            total_steps=optimization.epochs * steps_per_epoch,
            steps_per_epoch=steps_per_epoch,
        )
    return make_optimizer(
        optimization.optimizer,
        rate,
        weight_decay=optimization.weight_decay,
        ema_momentum=optimization.ema_momentum,
    )


def run_model(
    config: TrainConfig,
    registry,
    *,
    input_shape,
    num_classes: int,
    num_train: int,
    learning_rate: float,
    soft_labels: bool,
    jit_compile: bool | str = "auto",
    compiled: bool = True,
) -> tuple[keras.Model, keras.optimizers.Optimizer]:
    """The run's model (its options, for `input_shape` and `num_classes`) and optimizer
    (`run_optimizer`), the model compiled with the run's loss unless `compiled` is False (the
    project's own loop compiles nothing): what every backend's run and the benchmarks build.

    Args:
        config: the resolved run settings.
        registry: where the model comes from (`zoo.registry`).
        input_shape, num_classes: the model's input (after the preprocessing) and classes.
        num_train: training examples, for the schedule's steps.
        learning_rate: the run's rate (`run_learning_rate`).
        soft_labels: whether targets are one-hot (mixed or smoothed labels).
        jit_compile: Keras's `jit_compile` of the compiled model.
        compiled: compile the model.
    """
    from components.training.compile import compile_classifier

    model = registry.create(
        config.model.name,
        input_shape=input_shape,
        num_classes=num_classes,
        **config.model.options(),
    )
    optimizer = run_optimizer(config.optimization, learning_rate, num_train)
    if compiled:
        compile_classifier(
            model,
            optimizer,
            jit_compile=jit_compile,
            soft_labels=soft_labels,
            label_smoothing=config.optimization.label_smoothing,
        )
    return model, optimizer


def run_learning_rate(optimization: OptimizationSettings, replicas: int, say=print) -> float:
    """The settings' learning rate, multiplied by the replicas where `scale_lr` asks (Goyal et
    al. 2017's linear scaling rule), said where it is."""
    if not optimization.scale_lr:
        return optimization.learning_rate
    learning_rate = optimization.learning_rate * replicas
    say(f"Learning rate scaled by {replicas} replicas: {learning_rate}.")
    return learning_rate


def describe_augmentation(augmenter, label_smoothing: float) -> str:
    """The training split's augmentation and label smoothing in one line, for the run's log."""
    return (
        f"Augmentation of the training split: {augmenter.describe() if augmenter else 'none'}"
        f"; label smoothing {label_smoothing:g}."
    )


def describe_run(config: TrainConfig, parameters: int, learning_rate: float) -> str:
    """The run's model and hyperparameters in one line, for its log."""
    optimization, control = config.optimization, config.control
    epochs = optimization.epochs
    average = optimization.ema_momentum
    averaged = f", moving average of the weights {average:g}" if average else ""
    return (
        f"Model: {config.model.name}, {parameters:,} parameters; {optimization.optimizer} lr "
        f"{learning_rate} ({optimization.lr_schedule}), weight decay "
        f"{optimization.weight_decay}{averaged}, {epochs} epoch{'s' if epochs != 1 else ''}, "
        f"batch {optimization.batch_size}, seed {control.seed}"
        f"{' (deterministic)' if control.deterministic else ''}, precision {control.precision}."
    )


def run_hyperparameters(
    config: TrainConfig,
    *,
    strategy: str,
    replicas: int,
    loop: str,
    jit_compile: bool,
    best_epoch: int | None,
    backend: str = "tensorflow",
) -> Hyperparameters:
    """The metadata's `hyperparameters` of a run of `config` (resolved), with its strategy and
    replicas, loop, XLA, the epoch it kept (1-based; None: the last) and its Keras backend."""
    return Hyperparameters(
        optimizer=config.optimization.optimizer,
        learning_rate=config.optimization.learning_rate,
        lr_schedule=config.optimization.lr_schedule,
        weight_decay=config.optimization.weight_decay,
        epochs=config.optimization.epochs,
        batch_size=config.optimization.batch_size,
        seed=config.control.seed,
        strategy=strategy,
        replicas=replicas,
        loop=loop,
        precision=config.control.precision,
        jit_compile=jit_compile,
        deterministic=config.control.deterministic,
        model_options=config.model.options(),
        augment=config.data.augment,
        label_smoothing=config.optimization.label_smoothing,
        ema_momentum=config.optimization.ema_momentum,
        best_epoch=best_epoch,
        backend=backend,
        recipe=config.model.recipe,
    )


__all__ = [
    "describe_augmentation",
    "describe_run",
    "run_hyperparameters",
    "run_learning_rate",
    "run_model",
    "run_optimizer",
]
