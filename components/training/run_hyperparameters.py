"""The `hyperparameters` a run records in its metadata: its config and what only the run knows.

Both runs, TensorFlow's (`components.training.run`) and Keras's fit on other backends
(`components.training.keras_fit_run`), record them through `run_hyperparameters`.
"""

from __future__ import annotations

from components.export.metadata import Hyperparameters
from components.training.config import TrainConfig


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


__all__ = ["run_hyperparameters"]
