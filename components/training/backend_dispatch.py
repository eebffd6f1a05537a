"""The run of `zoo.train` on the Keras backend at hand, its settings checked first.

Keras picks its backend once per process, when it is first imported. The run
(`components.training.run.train_model`) is the same on TensorFlow and JAX; what differs (the
devices, how the data is batched, the saved format) it asks of the backend. This module checks
the backend and the output directories before anything slow is imported or loaded.
"""

from __future__ import annotations

import keras

from components.atomic_files import check_writable_dir
from components.training.config import ConfigError, ModelRegistry, TrainConfig
from components.training.result import TrainResult


def check_backend(config: TrainConfig) -> str:
    """Keras's backend; a `ConfigError` where the config asks for another, saying how to
    choose it."""
    backend, asked = keras.backend.backend(), config.control.backend
    if asked is not None and asked != backend:
        raise ConfigError(
            f"backend {asked!r} asked, but Keras runs {backend!r} in this process: it "
            f"picks its backend once, when first imported. Choose it before: KERAS_BACKEND="
            f"{asked} in the environment, `classiczoo train --backend {asked}`, or "
            f"zoo.train(backend={asked!r}, ...) before anything imports Keras."
        )
    if backend not in ("tensorflow", "jax"):
        raise ConfigError(
            f"Keras runs the {backend!r} backend; runs train under tensorflow or jax "
            "(KERAS_BACKEND)."
        )
    if backend == "jax" and config.output.export_format != "saved_model":
        raise ConfigError(
            f"--format {config.output.export_format} converts the SavedModel of a TensorFlow "
            "run; a run under jax saves model.keras: convert it afterwards with `classiczoo "
            f"export <version dir>/model.keras --format {config.output.export_format}` "
            "(which runs under TensorFlow)."
        )
    return backend


def train_on_backend(config: TrainConfig, registry: ModelRegistry, data=None) -> TrainResult:
    """Trains, saves and measures a zoo model as `config` says, on Keras's backend.

    Args:
        config: the run's settings.
        registry: where models and their defaults come from (`zoo.registry`).
        data: `(x_train, y_train, x_test, y_test)` arrays to train on instead of the dataset.

    Raises:
        ConfigError: bad settings, or a backend other than Keras's.
        OSError: an output directory that cannot be made or written, before any training.
    """
    check_backend(config)
    for flag, path in (
        ("--export-dir", config.output.export_dir),
        ("--checkpoint-dir", config.control.checkpoint_dir),
        ("--log-dir", config.output.log_dir),
    ):
        if path is not None:  # found now, not after training with a bare [Errno 20]
            check_writable_dir(path, flag)
    from components.training.run import train_model

    return train_model(config, registry, data)


__all__ = ["check_backend", "train_on_backend"]
