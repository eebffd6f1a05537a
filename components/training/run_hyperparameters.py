"""A run's hyperparameters: the optimizer they make, and the record its metadata keeps.

Both runs, TensorFlow's (`components.training.fitting`, `components.training.run`) and Keras's
fit on other backends (`components.training.keras_fit_run`), make their optimizer with
`run_optimizer` and record their settings through `run_hyperparameters`.
"""

from __future__ import annotations

import math

import keras

from components.export.metadata import Hyperparameters
from components.optimizers import make_optimizer
from components.schedules import make_schedule
from components.training.config import TrainConfig


def run_optimizer(
    config: TrainConfig, learning_rate: float, num_train: int
) -> keras.optimizers.Optimizer:
    """`config.optimizer` at `learning_rate` (scaled by the replicas where asked), following
    `config.lr_schedule` over `config.epochs` epochs of `num_train` examples, with
    `config.weight_decay`. The `plateau` schedule starts constant: its callback lowers it."""
    steps_per_epoch = math.ceil(num_train / config.batch_size)
    if config.lr_schedule == "plateau":
        rate = learning_rate
    else:
        rate = make_schedule(
            config.lr_schedule,
            learning_rate,
            total_steps=config.epochs * steps_per_epoch,
            steps_per_epoch=steps_per_epoch,
        )
    return make_optimizer(config.optimizer, rate, weight_decay=config.weight_decay)


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
        optimizer=config.optimizer,
        learning_rate=config.learning_rate,
        lr_schedule=config.lr_schedule,
        weight_decay=config.weight_decay,
        epochs=config.epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        strategy=strategy,
        replicas=replicas,
        loop=loop,
        precision=config.precision,
        jit_compile=jit_compile,
        deterministic=config.deterministic,
        model_options=config.all_model_options(),
        augment=config.augment,
        label_smoothing=config.label_smoothing,
        best_epoch=best_epoch,
        backend=backend,
    )


__all__ = ["run_hyperparameters", "run_optimizer"]
