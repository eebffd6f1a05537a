"""The five parts of a training run's settings: model, data, optimization, control, output.

Each part is a frozen dataclass whose fields are declared once with their flag, help and check
(`components.settings.setting`); `TrainConfig` (`components.training.config`) holds one of
each, and a function that needs one part is given that part. The flags of `classiczoo train`
are generated from these fields, one argument group per part.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from components.config_error import ConfigError
from components.data.augmentation import POLICIES
from components.export.formats import FORMATS, require_format
from components.export.tta import TTA_MODES
from components.optimizers.factory import OPTIMIZERS
from components.schedule_names import LR_SCHEDULES
from components.settings import (
    DECAY_FACTOR,
    FRACTION,
    NAME,
    NON_NEGATIVE_INT,
    NON_NEGATIVE_NUMBER,
    PATH,
    POSITIVE_INT,
    POSITIVE_NUMBER,
    SWITCH,
    TEXT,
    check_fields,
    checked_by,
    one_of,
    setting,
)
from components.training.setting_kinds import (
    AUGMENT_POLICY,
    ERROR_RATE,
    IMAGE_SIZE,
    MODEL_OPTIONS,
    MONITOR_NAMES,
    MONITORS,
)

# The training strategies: tf.distribute's under TensorFlow (components.distribute.strategies),
# keras.distribution's under JAX (components.training.devices).
STRATEGIES = ("auto", "default", "onedevice", "mirrored", "multiworker")
LOOPS = ("auto", "fit", "custom")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
PAUSE_CONTROLS = ("prompt", "file", "auto")
PAUSE_ON_TIMEOUT = ("continue", "stop")
SCALES = ("auto", "paper", "small")
# The Keras backends a run trains under: TensorFlow's own run (tf.data, tf.distribute,
# SavedModel), or Keras's fit on NumPy batches with a `.keras` file at the end.
BACKENDS = ("tensorflow", "jax")
# The settings that default to the value of the model's recipe.
MODEL_DEFAULT_FIELDS = ("epochs", "batch_size", "optimizer", "learning_rate", "lr_schedule",
                        "augment", "label_smoothing", "weight_decay")  # fmt: skip


def _paths(instance, names) -> None:
    """Paths given as text are kept as `Path`s (a frozen dataclass sets them here)."""
    for name in names:
        if getattr(instance, name) is not None:
            object.__setattr__(instance, name, Path(getattr(instance, name)))


@dataclasses.dataclass(frozen=True)
class ModelSettings:
    """Which model: a zoo model's name and its builder's options.

    Args:
        name: a zoo model's name (the flag `--model`, the keyword `model`).
        recipe: the model's recipe (`zoo.registry.Recipe`) whose values fill the settings
            left at None: `default`, or one the model names (`fast`).
        scale, width: shortcuts for the model options of the same names.
        model_options: more keyword options of the model's builder.
    """

    name: str = setting("lenet5_bn", NAME, flag="--model", keyword="model", metavar="MODEL")
    recipe: str = setting(
        "default",
        NAME,
        "the model's settings for one goal: default (its reference run), fast (the fewest "
        "training FLOPs to its accuracy goal), ... (classiczoo models describe lists them); "
        "flags given win over the recipe's values",
    )
    scale: str | None = setting(None, one_of(SCALES), "model scale; default: by input size")
    width: float | None = setting(None, POSITIVE_NUMBER, "width multiplier of the model")
    model_options: dict = setting(
        kind=MODEL_OPTIONS,
        help="a model option, e.g. aux_classifiers=true; repeatable",
        flag="--model-arg",
        default_factory=dict,
        metavar="KEY=VALUE",
        repeat=True,
    )

    def __post_init__(self):
        options = self.model_options
        object.__setattr__(self, "model_options", dict(options) if options is not None else {})
        check_fields(self)
        clash = sorted({"scale", "width"} & set(self.model_options))
        if clash:
            raise ConfigError(
                f"give {', '.join(clash)} as its own field (--{clash[0]}), not as a model option."
            )

    def options(self) -> dict:
        """`model_options` with `scale` and `width` put in where they are set."""
        options = dict(self.model_options)
        for name in ("scale", "width"):
            if getattr(self, name) is not None:
                options[name] = getattr(self, name)
        return options


@dataclasses.dataclass(frozen=True)
class DataSettings:
    """What to train and test on, and how each batch is made.

    Args:
        dataset: a tfds image-classification dataset.
        train_split, test_split: tfds splits, slicing allowed (`"train[:5000]"`).
        val_split: fraction of `train_split` held out for validation, in [0, 1).
        augment: the training pipeline's augmentation policy (`components.data.augmentation`:
            `none`, `flip`, `crop`, `standard`, `erasing`, `mixup`, `cutmix`, or a comma
            list); None takes the model's.
        resize: resize images to `resize` x `resize` (in the pipeline and the export), or None.
        data_dir: the tfds data dir (None: tfds's own).
        image_dir: a folder of class folders of images to train on instead of the tfds
            dataset (`components.data.image_folders`); `train_split` slices it as `train`.
        test_image_dir: the test images' folder (same classes); None: `test_split` slices
            `image_dir` (`train[90%:]`), or, left at `test`, no test part.
    """

    dataset: str = setting("fashion_mnist", NAME, "a tfds image dataset")
    train_split: str = setting("train", NAME, "tfds split, e.g. 'train[:5000]'")
    test_split: str = setting("test", NAME)
    val_split: float = setting(0.0, FRACTION, "fraction of train")
    augment: str | None = setting(
        None,
        AUGMENT_POLICY,
        f"training augmentation: {', '.join(POLICIES)}, or a comma list "
        "(e.g. standard,erasing); default: the model's",
    )
    resize: int | None = setting(None, IMAGE_SIZE, "resize images to SIZE x SIZE")
    data_dir: str | None = setting(None, TEXT, "tfds data dir; default tfds's own")
    image_dir: Path | None = setting(
        None,
        PATH,
        "train on a folder of class folders of images (DIR/<class>/<image>.png) instead "
        "of --dataset; --train-split slices it as 'train'",
    )
    test_image_dir: Path | None = setting(
        None,
        PATH,
        "the test images of --image-dir, in the same class folders (default: "
        "--test-split slices --image-dir, e.g. 'train[90%%:]'; left at 'test': no test part)",
    )

    def __post_init__(self):
        _paths(self, ("image_dir", "test_image_dir"))
        if self.data_dir is not None:
            object.__setattr__(self, "data_dir", str(self.data_dir))
        check_fields(self)


@dataclasses.dataclass(frozen=True)
class OptimizationSettings:
    """How the weights are fitted: epochs, mini-batch, optimizer, rate and its schedule,
    regularization.

    Args:
        epochs, optimizer, learning_rate, lr_schedule: None takes the model's recipe's.
        batch_size: global (over all replicas); None takes the recipe's.
        weight_decay: decoupled weight decay, >= 0 (biases and BatchNorm excluded); None
            takes the recipe's.
        label_smoothing: of the training targets, in [0, 1); None takes the recipe's.
        ema_momentum: keep an exponential moving average of the weights with this momentum
            (Keras's `use_ema`), which validation measures and the run ends with
            (`components.callbacks.weight_average`); None: none.
        scale_lr: multiply the learning rate by the number of replicas.
    """

    epochs: int | None = setting(None, POSITIVE_INT, "default: the model's")
    batch_size: int | None = setting(None, POSITIVE_INT, "global batch; default: model's")
    optimizer: str | None = setting(None, one_of(OPTIMIZERS), "default: the model's")
    learning_rate: float | None = setting(
        None, POSITIVE_NUMBER, "learning rate; default: the model's", flag="--lr"
    )
    lr_schedule: str | None = setting(None, one_of(LR_SCHEDULES), "default: the model's")
    weight_decay: float | None = setting(
        None, NON_NEGATIVE_NUMBER, "decoupled weight decay; default: the recipe's"
    )
    label_smoothing: float | None = setting(
        None, FRACTION, "of the training targets; default: the model's"
    )
    ema_momentum: float | None = setting(
        None,
        DECAY_FACTOR,
        "keep a moving average of the weights with this momentum, e.g. 0.99; validate and "
        "export it (default: none)",
    )
    scale_lr: bool = setting(False, SWITCH, "lr x number of replicas")

    def __post_init__(self):
        check_fields(self)


@dataclasses.dataclass(frozen=True)
class ControlSettings:
    """How the run is carried out: seeds, devices, checkpoints, monitors and pauses.

    Args:
        seed: seeds Python, NumPy, TensorFlow, Keras and the shuffle, >= 0.
        deterministic: also turn on TensorFlow's op determinism, so that two runs with the same
            seed give identical weights (`components.training.reproducibility`).
        restore_best: keep the weights of the epoch with the best validation accuracy, not
            the last (`components.callbacks.BestWeights`, whose state the checkpoints keep:
            a resumed run exports what the uninterrupted one would); needs `val_split`.
        strategy: one of `STRATEGIES` (`auto`: `TF_CONFIG` -> multi-worker; several GPUs ->
            mirrored; one GPU -> that GPU; else the default).
        loop: `fit` (Keras's, through `components.training.resumable_fit.fit_from`),
            `custom` (the project's `strategy.run` loop) or `auto` (custom under multi-worker,
            where Keras's fit fails; else fit).
        precision: one of `PRECISIONS`.
        jit_compile: compile the training step with XLA.
        backend: the Keras backend to train under, one of `BACKENDS` (None: Keras's own,
            `KERAS_BACKEND`). Keras picks its backend once per process, at its import: a
            different one is refused with how to choose it. Under `jax` the run trains on NumPy
            batches (`components.data.run_data.NormalizedArrays`) and ends in a `.keras`
            file, which `classiczoo export` turns into the SavedModel under TensorFlow.
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
    """

    seed: int = setting(0, NON_NEGATIVE_INT)
    deterministic: bool = setting(
        False, SWITCH, "TensorFlow's op determinism: the same seed gives the same weights (slower)"
    )
    restore_best: bool = setting(
        False, SWITCH, "keep the epoch with the best validation accuracy (needs --val-split)"
    )
    strategy: str = setting(
        "auto",
        one_of(STRATEGIES),
        "auto: TF_CONFIG set -> multiworker; >1 GPU -> mirrored; 1 GPU -> onedevice",
    )
    loop: str = setting(
        "auto",
        one_of(LOOPS),
        "fit: Keras model.fit (resumes mid-epoch exactly); custom: the project's "
        "strategy.run loop (auto: custom under multiworker only, where model.fit fails; "
        "else fit)",
    )
    precision: str = setting("float32", one_of(PRECISIONS))
    jit_compile: bool = setting(False, SWITCH, "compile steps with XLA")
    backend: str | None = setting(
        None,
        one_of(BACKENDS),
        "Keras backend (default: KERAS_BACKEND, else tensorflow); jax trains with "
        "Keras's fit and saves a .keras file (then: classiczoo export)",
    )
    checkpoint_dir: Path | None = setting(
        None, PATH, "default checkpoints/<model>; locked; its own files removed after success"
    )
    checkpoint_every: int | None = setting(
        None, POSITIVE_INT, "steps between checkpoints (default: epoch)"
    )
    resume: bool = setting(False, SWITCH, "continue from the checkpoint in --checkpoint-dir")
    monitor: tuple[str, ...] = setting(
        (),
        MONITOR_NAMES,
        "comma-separated: gradients, activations (TensorBoard, CSV, warnings)",
    )
    monitor_every: int = setting(100, POSITIVE_INT, "steps between monitor looks")
    pause_every: int | None = setting(
        None, POSITIVE_INT, "pause every N steps to decide", metavar="N"
    )
    pause_control: str | None = setting(
        None,
        one_of(PAUSE_CONTROLS),
        "who decides at a pause: prompt (default on a terminal), file, auto (continue)",
    )
    pause_file: Path | None = setting(
        None, PATH, "control file for --pause-control file (default: <checkpoint-dir>.control)"
    )
    pause_timeout: float | None = setting(
        None, POSITIVE_NUMBER, "seconds to wait for the control file"
    )
    pause_on_timeout: str = setting(
        "continue",
        one_of(PAUSE_ON_TIMEOUT),
        "what a control-file pause does when nobody answers in time",
    )

    def __post_init__(self):
        _paths(self, ("checkpoint_dir", "pause_file"))
        if isinstance(self.monitor, (list, tuple)):
            object.__setattr__(self, "monitor", tuple(self.monitor))
        check_fields(self)
        if self.pause_control and not self.pause_every:
            raise ConfigError("pause_control needs pause_every (pause every N steps).")


@dataclasses.dataclass(frozen=True)
class OutputSettings:
    """What the run leaves: the export, its logs and the diagnosis.

    Args:
        export_dir: base directory of exports (`<export_dir>/<model>/<version>`).
        export_tta: test-time augmentation inside the exported graph (`none`, `flip`).
        export_format: `saved_model`, or also `onnx` or `litert`: the SavedModel converted and
            checked by the format's runtime (`components.export.formats`).
        log_dir: TensorBoard logs (None: `logs/<model>/<time>`).
        human_error: human-level error, the proxy for the Bayes error in the bias vs
            variance diagnosis of a run with a validation split (None: the dataset's published
            figure where there is one: Fashion-MNIST's crowd 0.835 accuracy, error 0.165).
    """

    export_dir: Path = setting(Path("saved_models"), PATH)
    export_tta: str = setting(
        "none",
        one_of(TTA_MODES),
        "test-time augmentation inside the exported graph (flip: image and mirror)",
    )
    export_format: str = setting(
        "saved_model",
        checked_by(f"one of {', '.join(FORMATS)}", require_format),
        "also export the SavedModel converted to onnx or litert, checked by its runtime "
        "(<export_dir>/<model>-<format>/<version>; needs classiczoo[onnx] or [litert])",
        flag="--format",
        metavar="{" + ",".join(FORMATS) + "}",
    )
    log_dir: Path | None = setting(None, PATH, "default logs/<model>/<time>")
    human_error: float | None = setting(
        None,
        ERROR_RATE,
        "human-level error for the bias vs variance diagnosis (default: the dataset's "
        "published figure; Fashion-MNIST 0.165)",
    )

    def __post_init__(self):
        _paths(self, ("export_dir", "log_dir"))
        check_fields(self)


# The parts of a run's settings, in the order `classiczoo train --help` shows them.
PARTS = {
    "model": ModelSettings,
    "data": DataSettings,
    "optimization": OptimizationSettings,
    "control": ControlSettings,
    "output": OutputSettings,
}


__all__ = [
    "BACKENDS",
    "LOOPS",
    "MODEL_DEFAULT_FIELDS",
    "MONITORS",
    "PARTS",
    "PAUSE_CONTROLS",
    "PAUSE_ON_TIMEOUT",
    "PRECISIONS",
    "SCALES",
    "STRATEGIES",
    "ControlSettings",
    "DataSettings",
    "ModelSettings",
    "OptimizationSettings",
    "OutputSettings",
]
