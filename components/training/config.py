"""`TrainConfig`: every setting of a training run, checked where it enters.

One field per flag of `classiczoo train` (the flag's name with `_` for `-`; `--lr` is
`learning_rate`, `--model-arg` is `model_options`), with the same defaults. Fields that default
to None take the model's own value (`zoo.get_defaults(model)`) when the run resolves them
against the registry (`TrainConfig.resolve`). Bad values raise a `ConfigError` naming the field,
the value and what is valid, before anything is loaded or trained.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import shlex
import sys
from pathlib import Path
from typing import Any, Protocol

from components.config_error import ConfigError
from components.data.augmentation import parse_augment
from components.diagnostics.bias_variance import check_error_rate
from components.export.tta import TTA_MODES
from components.optimizers.factory import OPTIMIZERS
from components.schedules import LR_SCHEDULES

# The training strategies: tf.distribute's under TensorFlow (components.distribute.strategies),
# keras.distribution's under JAX (components.training.keras_fit_run).
STRATEGIES = ("auto", "default", "onedevice", "mirrored", "multiworker")
MONITORS = ("gradients", "activations")
LOOPS = ("auto", "fit", "custom")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
PAUSE_CONTROLS = ("prompt", "file", "auto")
PAUSE_ON_TIMEOUT = ("continue", "stop")
SCALES = ("auto", "paper", "small")
# The Keras backends a run trains under: TensorFlow's own run (tf.data, tf.distribute,
# SavedModel), or Keras's fit on NumPy batches with a `.keras` file at the end.
BACKENDS = ("tensorflow", "jax")
# The fields that default to the model's own value.
MODEL_DEFAULT_FIELDS = (
    "epochs",
    "batch_size",
    "optimizer",
    "learning_rate",
    "lr_schedule",
    "augment",
    "label_smoothing",
)


class ModelRegistry(Protocol):
    """What a run needs of a model registry (`zoo.registry` is one)."""

    def list_models(self, pattern: str = "*") -> list[str]: ...

    def get_defaults(self, name: str) -> Any: ...

    def model_options(self, name: str) -> list[str]: ...

    def create(self, name: str, input_shape=None, num_classes=None, **options) -> Any: ...


def _positive_int(name: str, value, optional: bool = True) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a positive integer, got {value!r}.")


def _positive_number(name: str, value) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ConfigError(f"{name} must be a positive number, got {value!r}.")
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value!r}.")


def _choice(name: str, value, choices, optional: bool = True) -> None:
    if value is None and optional:
        return
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}.")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """How to train a zoo model, export it and evaluate it: the fields of `classiczoo train`.

    Args:
        model: a zoo model's name.
        dataset: a tfds image-classification dataset.
        epochs, batch_size, optimizer, learning_rate, lr_schedule: None takes the model's
            defaults; `batch_size` is global (over all replicas).
        weight_decay: decoupled weight decay, >= 0 (biases and BatchNorm excluded).
        augment: the training pipeline's augmentation policy (`components.data.augmentation`:
            `none`, `flip`, `crop`, `standard`, `erasing`, `mixup`, `cutmix`, or a comma
            list); None takes the model's.
        label_smoothing: of the training targets, in [0, 1); None takes the model's.
        human_error: human-level error, the proxy for the Bayes error in the bias vs
            variance diagnosis of a run with a validation split (None: the dataset's published
            figure where there is one: Fashion-MNIST's crowd 0.835 accuracy, error 0.165).
        seed: seeds Python, NumPy, TensorFlow, Keras and the shuffle, >= 0.
        deterministic: also turn on TensorFlow's op determinism, so that two runs with the same
            seed give identical weights (`components.training.reproducibility`).
        val_split: fraction of `train_split` held out for validation, in [0, 1).
        restore_best: keep the weights of the epoch with the best validation accuracy, not
            the last (`components.callbacks.BestWeights`, whose state the checkpoints keep:
            a resumed run exports what the uninterrupted one would); needs `val_split`.
        train_split, test_split: tfds splits, slicing allowed (`"train[:5000]"`).
        resize: resize images to `resize` x `resize` (in the pipeline and the export), or None.
        data_dir: the tfds data dir (None: tfds's own).
        image_dir: a folder of class folders of images to train on instead of the tfds
            dataset (`components.data.image_folders`); `train_split` slices it as `train`.
        test_image_dir: the test images' folder (same classes); None: `test_split` slices
            `image_dir` (`train[90%:]`), or, left at `test`, no test part.
        scale, width: shortcuts for the model options of the same names.
        model_options: more keyword options of the model's builder.
        strategy: one of `STRATEGIES` (`auto`: `TF_CONFIG` -> multi-worker; several GPUs ->
            mirrored; one GPU -> that GPU; else the default).
        loop: `fit` (Keras's, through `components.training.resumable_fit.fit_from`),
            `custom` (the project's `strategy.run` loop) or `auto` (custom under multi-worker,
            where Keras's fit fails; else fit).
        scale_lr: multiply the learning rate by the number of replicas.
        precision: one of `PRECISIONS`.
        jit_compile: compile the training step with XLA.
        checkpoint_dir: where checkpoints go (None: `checkpoints/<model>`); locked by the run,
            and once it has finished and exported, its own files removed (the directory too if
            the run made it; `components.checkpoints.directory`).
        checkpoint_every: steps between checkpoints (None: every epoch).
        resume: continue the interrupted run whose checkpoint is in `checkpoint_dir`.
        monitor: any of `MONITORS`; monitor_every: steps between their looks.
        pause_every: pause every N steps to decide (None: never).
        pause_control: who decides at a pause (`prompt`, `file`, `auto`; None: the prompt on a
            terminal, else auto).
        pause_file: the control file (None: `<checkpoint_dir>.control`).
        pause_timeout: seconds to wait for the control file (None: forever).
        pause_on_timeout: `continue` or `stop` when nobody answers in time.
        export_dir: base directory of exports (`<export_dir>/<model>/<version>`).
        export_tta: test-time augmentation inside the exported graph (`none`, `flip`).
        log_dir: TensorBoard logs (None: `logs/<model>/<time>`).
        backend: the Keras backend to train under, one of `BACKENDS` (None: Keras's own,
            `KERAS_BACKEND`). Keras picks its backend once per process, at its import: a
            different one is refused with how to choose it. Under `jax` the run is Keras's
            `fit` on NumPy batches (`components.training.keras_fit_run`) and ends in a `.keras`
            file, which `classiczoo export` turns into the SavedModel under TensorFlow.
        command: the command line that made this run, as words, for the metadata and the
            resume hint (None: the `classiczoo train` command of these fields).

    Example:
    >>> config = TrainConfig(model="vgg11_bn", epochs=3, val_split=0.1)
    >>> config.to_argv()
    ['--model', 'vgg11_bn', '--epochs', '3', '--val-split', '0.1']
    >>> TrainConfig(epochs=0)
    Traceback (most recent call last):
    ...
    components.config_error.ConfigError: epochs must be a positive integer, got 0.
    """

    model: str = "lenet5_bn"
    dataset: str = "fashion_mnist"
    epochs: int | None = None
    batch_size: int | None = None
    optimizer: str | None = None
    learning_rate: float | None = None
    lr_schedule: str | None = None
    weight_decay: float = 0.0
    augment: str | None = None
    label_smoothing: float | None = None
    human_error: float | None = None
    seed: int = 0
    deterministic: bool = False
    val_split: float = 0.0
    restore_best: bool = False
    train_split: str = "train"
    test_split: str = "test"
    resize: int | None = None
    data_dir: str | None = None
    image_dir: str | Path | None = None
    test_image_dir: str | Path | None = None
    scale: str | None = None
    width: float | None = None
    model_options: dict = dataclasses.field(default_factory=dict)
    strategy: str = "auto"
    loop: str = "auto"
    scale_lr: bool = False
    precision: str = "float32"
    jit_compile: bool = False
    checkpoint_dir: str | Path | None = None
    checkpoint_every: int | None = None
    resume: bool = False
    monitor: tuple[str, ...] = ()
    monitor_every: int = 100
    pause_every: int | None = None
    pause_control: str | None = None
    pause_file: str | Path | None = None
    pause_timeout: float | None = None
    pause_on_timeout: str = "continue"
    export_dir: str | Path = Path("saved_models")
    export_tta: str = "none"
    log_dir: str | Path | None = None
    backend: str | None = None
    command: tuple[str, ...] | None = None

    def __post_init__(self):
        for name in (
            "checkpoint_dir",
            "pause_file",
            "export_dir",
            "log_dir",
            "image_dir",
            "test_image_dir",
        ):
            if getattr(self, name) is not None:  # str or Path in, Path kept
                object.__setattr__(self, name, Path(getattr(self, name)))
        if self.data_dir is not None:
            object.__setattr__(self, "data_dir", str(self.data_dir))
        object.__setattr__(self, "monitor", tuple(self.monitor))
        object.__setattr__(self, "model_options", dict(self.model_options))
        if self.command is not None:
            object.__setattr__(self, "command", tuple(self.command))
        if not isinstance(self.model, str) or not self.model:
            raise ConfigError(f"model must be a zoo model's name, got {self.model!r}.")
        for name in ("epochs", "batch_size", "resize", "checkpoint_every", "pause_every"):
            _positive_int(name, getattr(self, name))
        _positive_int("monitor_every", self.monitor_every, optional=False)
        for name in ("learning_rate", "width", "pause_timeout"):
            _positive_number(name, getattr(self, name))
        _choice("optimizer", self.optimizer, OPTIMIZERS)
        _choice("lr_schedule", self.lr_schedule, LR_SCHEDULES)
        _choice("strategy", self.strategy, STRATEGIES, optional=False)
        _choice("loop", self.loop, LOOPS, optional=False)
        _choice("precision", self.precision, PRECISIONS, optional=False)
        _choice("scale", self.scale, SCALES)
        _choice("pause_control", self.pause_control, PAUSE_CONTROLS)
        _choice("pause_on_timeout", self.pause_on_timeout, PAUSE_ON_TIMEOUT, optional=False)
        _choice("export_tta", self.export_tta, TTA_MODES, optional=False)
        _choice("backend", self.backend, BACKENDS)
        if self.augment is not None:
            try:
                parse_augment(self.augment)
            except ValueError as err:
                raise ConfigError(str(err)) from None
        if self.label_smoothing is not None and not (
            isinstance(self.label_smoothing, (int, float)) and 0 <= self.label_smoothing < 1
        ):
            raise ConfigError(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}.")
        try:
            check_error_rate("human_error", self.human_error, optional=True)
        except ValueError as err:
            raise ConfigError(str(err)) from None
        if (
            isinstance(self.weight_decay, bool)
            or not isinstance(self.weight_decay, (int, float))
            or not 0 <= self.weight_decay < math.inf
        ):
            raise ConfigError(f"weight_decay must be finite and >= 0, got {self.weight_decay!r}.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ConfigError(f"seed must be an integer >= 0, got {self.seed!r}.")
        if not isinstance(self.val_split, (int, float)) or not 0 <= self.val_split < 1:
            raise ConfigError(f"val_split must be in [0, 1), got {self.val_split!r}.")
        unknown = [m for m in self.monitor if m not in MONITORS]
        if unknown:
            raise ConfigError(
                f"unknown monitor {', '.join(map(repr, unknown))}; valid: {', '.join(MONITORS)}."
            )
        if self.restore_best and not self.val_split:
            raise ConfigError("restore_best needs val_split > 0: the best epoch is chosen on it.")
        if self.pause_control and not self.pause_every:
            raise ConfigError("pause_control needs pause_every (pause every N steps).")
        clash = sorted({"scale", "width"} & set(self.model_options))
        if clash:
            raise ConfigError(
                f"give {', '.join(clash)} as its own field (--{clash[0]}), not as a model option."
            )

    # -- the registry's part ---------------------------------------------------------------
    def resolve(self, registry: ModelRegistry) -> TrainConfig:
        """This config with the model's defaults filled in and the model and its options
        checked; the default checkpoint and log directories named.

        Raises:
            ConfigError: an unknown model, an option its builder does not take, or a pause
                prompt without a terminal to ask at.
        """
        check_model_options(registry, self.model, self.all_model_options())
        if (
            self.pause_control == "file"
            and self.pause_file is not None
            and not Path(self.pause_file).parent.is_dir()
        ):
            raise ConfigError(
                f"--pause-file {self.pause_file}: its directory does not exist (the run would "
                "wait forever for a file nobody can write there)."
            )
        if self.pause_control == "prompt" and not sys.stdin.isatty():
            raise ConfigError(
                "--pause-control prompt needs a terminal on stdin; use file or auto."
            )
        defaults = registry.get_defaults(self.model)
        filled = {
            name: getattr(self, name)
            if getattr(self, name) is not None
            else getattr(defaults, name)
            for name in MODEL_DEFAULT_FIELDS
        }
        checkpoint_dir = Path(self.checkpoint_dir or Path("checkpoints") / self.model)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        return dataclasses.replace(
            self,
            **filled,
            checkpoint_dir=checkpoint_dir,
            pause_file=Path(
                self.pause_file or checkpoint_dir.with_name(checkpoint_dir.name + ".control")
            ),
            log_dir=self.log_dir or Path("logs") / self.model / stamp,
            command=self.command or ("classiczoo", "train", *self.to_argv()),
        )

    def all_model_options(self) -> dict:
        """`model_options` with `scale` and `width` put in where they are set."""
        options = dict(self.model_options)
        for name in ("scale", "width"):
            if getattr(self, name) is not None:
                options[name] = getattr(self, name)
        return options

    # -- back to a command line ------------------------------------------------------------
    def to_argv(self) -> list[str]:
        """The `classiczoo train` flags that give this config: `--model`, then those not at
        their default."""
        argv = ["--model", self.model]
        defaults = TrainConfig()
        for field in dataclasses.fields(self):
            name, value = field.name, getattr(self, field.name)
            if name in ("model", "command") or value == getattr(defaults, name):
                continue
            flag = "--lr" if name == "learning_rate" else "--" + name.replace("_", "-")
            if name == "model_options":
                for key, option in value.items():
                    argv += ["--model-arg", f"{key}={_option_text(option)}"]
            elif name == "monitor":
                argv += [flag, ",".join(value)]
            elif isinstance(value, bool):
                argv.append(flag)
            else:
                argv += [flag, _option_text(value)]
        return argv

    def command_line(self) -> str:
        """`command` (or the `classiczoo train` command of this config) as one shell line."""
        return shlex.join(self.command or ("classiczoo", "train", *self.to_argv()))


def check_model_options(registry: ModelRegistry, model: str, options) -> None:
    """Raises a `ConfigError` for an unknown model, options its builder does not take, or
    (where the registry can tell: `check_option_values`) an option of the wrong type or range."""
    models = registry.list_models()
    if model not in models:
        raise ConfigError(f"unknown model {model!r}; valid models: {', '.join(models)}.")
    known = registry.model_options(model)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ConfigError(
            f"model {model!r} has no option {', '.join(unknown)}; "
            f"its options: {', '.join(known) or 'none'}."
        )
    check_values = getattr(registry, "check_option_values", None)
    if check_values is not None:  # a registry that knows its options' types checks them here
        try:
            check_values(model, dict(options))
        except ValueError as err:
            raise ConfigError(str(err)) from None


def _option_text(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


__all__ = [
    "BACKENDS",
    "LOOPS",
    "MODEL_DEFAULT_FIELDS",
    "MONITORS",
    "PAUSE_CONTROLS",
    "PAUSE_ON_TIMEOUT",
    "PRECISIONS",
    "SCALES",
    "STRATEGIES",
    "ConfigError",
    "ModelRegistry",
    "TrainConfig",
    "check_model_options",
]
