"""Where a run's steps run: a tf.distribute strategy on TensorFlow, Keras's data-parallel
distribution on the other backends.

`run_devices` picks them for a run's settings once, before anything is built (a multi-worker
strategy needs a fresh TensorFlow context); the run builds its model in `building()`, runs in
`active()` and records `record` in its metadata. The rest of the run is the same on every
backend.
"""

from __future__ import annotations

import contextlib
import dataclasses

import keras

from components.training.config import CUSTOM_LOOP_AVERAGE, ConfigError, TrainConfig


@dataclasses.dataclass(frozen=True)
class RunDevices:
    """The devices of a run and how its model is placed on them.

    Args:
        replicas: the devices (over all workers) each batch is split over.
        strategy_name: what the metadata calls them (`strategy_name` of a tf.distribute
            strategy; `DataParallel` or `single device` elsewhere).
        strategy: the tf.distribute strategy (TensorFlow), else None.
        distribution: Keras's `DataParallel` over the local devices (other backends, several
            devices), else None.
        chief: this worker writes checkpoints, logs and the export, and speaks.
        task: this worker's index (0 for a single worker).
        loop: `"fit"` (Keras's) or `"custom"` (the project's, under multi-worker).
        jit_compile: the compiled model's `jit_compile` (`"auto"`: Keras's JAX trainer compiles
            its steps with XLA).
        description: one line for the console.
    """

    replicas: int
    strategy_name: str
    strategy: object | None
    distribution: object | None
    chief: bool
    task: int
    loop: str
    jit_compile: bool | str
    description: str

    @property
    def multiworker(self) -> bool:
        return self.strategy_name == "MultiWorkerMirroredStrategy"

    @property
    def record(self) -> dict:
        """The metadata's facts of them (`run_hyperparameters`' strategy, replicas, loop,
        jit_compile, and the backend where not TensorFlow)."""
        record = {
            "strategy": self.strategy_name,
            "replicas": self.replicas,
            "loop": self.loop,
            "jit_compile": self.jit_compile in (True, "auto"),
        }
        if self.strategy is None:
            record["backend"] = keras.backend.backend()
        return record

    def building(self):
        """The scope to build the model and restore its checkpoint in: the strategy's."""
        return self.strategy.scope() if self.strategy is not None else contextlib.nullcontext()

    @contextlib.contextmanager
    def active(self):
        """Keras's distribution set for the while (the whole run: fit, measure, save)."""
        if self.distribution is None:
            yield
            return
        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(self.distribution)
        try:
            yield
        finally:
            keras.distribution.set_distribution(previous)


def run_devices(config: TrainConfig) -> RunDevices:
    """The devices a run's settings ask for, on Keras's backend.

    Raises:
        ConfigError: what the backend cannot do (the project's loop, a multi-worker strategy
            or TTA in the export graph off TensorFlow; Keras's fit under multi-worker), or a
            batch that does not split over the data-parallel devices.
        components.distribute.TFConfigError: a malformed `TF_CONFIG`.
    """
    if keras.backend.backend() == "tensorflow":
        return _tensorflow_devices(config)
    return _keras_devices(config)


def _tensorflow_devices(config: TrainConfig) -> RunDevices:
    from components.distribute.strategies import (
        describe_strategy,
        is_chief,
        select_strategy,
        strategy_name,
        task_id,
    )

    control = config.control
    strategy = select_strategy(control.strategy)
    multiworker = strategy_name(strategy) == "MultiWorkerMirroredStrategy"
    if control.loop == "fit" and multiworker:
        raise ConfigError(
            "loop 'fit' cannot run under MultiWorkerMirroredStrategy (keras-team/keras#20585); "
            "use loop 'custom' (the default there)."
        )
    # Keras's fit everywhere it can train: it resumes mid-epoch exactly (fit_from).
    loop = control.loop if control.loop != "auto" else ("custom" if multiworker else "fit")
    if loop == "custom" and config.optimization.ema_momentum:
        raise ConfigError(CUSTOM_LOOP_AVERAGE)
    return RunDevices(
        replicas=strategy.num_replicas_in_sync,
        strategy_name=strategy_name(strategy),
        strategy=strategy,
        distribution=None,
        chief=is_chief(),
        task=task_id(),
        loop=loop,
        jit_compile=control.jit_compile,
        description=describe_strategy(strategy, config.optimization.batch_size)
        + f" Loop: {loop}.",
    )


def check_keras_fit_config(config: TrainConfig, backend: str) -> None:
    """Refuses what only a TensorFlow run does, naming the alternative."""
    refused = {
        "loop custom (the project's tf.distribute loop)": config.control.loop == "custom",
        "strategy multiworker (tf.distribute)": config.control.strategy == "multiworker",
        "export_tta (a SavedModel graph; give `classiczoo export --tta flip` instead)": (
            config.output.export_tta != "none"
        ),
    }
    for what, asked in refused.items():
        if asked:
            raise ConfigError(
                f"{what} needs the tensorflow backend; Keras runs {backend!r}. Under {backend} "
                "a run is Keras's fit (loop auto or fit; strategy auto, default, onedevice or "
                "mirrored: data parallel over the local devices)."
            )


def _keras_devices(config: TrainConfig) -> RunDevices:
    backend = keras.backend.backend()
    check_keras_fit_config(config, backend)
    devices = keras.distribution.list_devices()
    parallel = config.control.strategy in ("auto", "mirrored") and len(devices) > 1
    batch_size = config.optimization.batch_size
    if parallel and batch_size % len(devices):
        raise ConfigError(
            f"batch_size {batch_size} must be a multiple of the {len(devices)} devices it is "
            "split over (data parallel)."
        )
    replicas = len(devices) if parallel else 1
    return RunDevices(
        replicas=replicas,
        strategy_name="DataParallel" if parallel else "single device",
        strategy=None,
        distribution=keras.distribution.DataParallel(devices=devices) if parallel else None,
        chief=True,
        task=0,
        loop="fit",
        jit_compile="auto",
        description=f"Backend {backend}: Keras's fit on "
        + (f"{replicas} devices, data parallel." if parallel else f"{devices[0]}."),
    )


__all__ = ["RunDevices", "check_keras_fit_config", "run_devices"]
