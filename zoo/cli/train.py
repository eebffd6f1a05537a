"""`classiczoo train`: train a zoo model on a tfds dataset, export it, report its metrics.

Flags left unset take the model's own defaults (`zoo.get_defaults`). The export goes to
`<export-dir>/<model>/<next version>/` with `metadata.json` beside the SavedModel.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Collection
from pathlib import Path

import zoo
from components.arg_types import (
    error_rate,
    fraction,
    key_value,
    names_from,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)
from components.data.augmentation import POLICIES, parse_augment
from components.export.tta import TTA_MODES
from components.optimizers import OPTIMIZERS
from components.schedules import LR_SCHEDULES
from components.training.config import (
    BACKENDS,
    LOOPS,
    MONITORS,
    PAUSE_CONTROLS,
    PAUSE_ON_TIMEOUT,
    PRECISIONS,
    SCALES,
    STRATEGIES,
    ConfigError,
    TrainConfig,
)

DESCRIPTION = "Train a zoo model on a tfds dataset, export it as a SavedModel, report its metrics."
# Flags named otherwise than their TrainConfig field; every other flag is its field's name.
FIELD_OF_FLAG = {"lr": "learning_rate", "model_arg": "model_options"}


def augmentation_policy(text: str) -> str:
    """An argparse type: a policy `parse_augment` reads, kept as written."""
    try:
        parse_augment(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def add_arguments(parser: argparse.ArgumentParser, exclude: Collection[str] = ()) -> None:
    """The flags of `classiczoo train`, one per `TrainConfig` field, but those in `exclude`
    (field-style names: `"val_split"`, `"resume"`), for a command that fixes them."""

    def add(flag: str, **kwargs) -> None:
        if flag.lstrip("-").replace("-", "_") not in exclude:
            parser.add_argument(flag, **kwargs)

    models = zoo.list_models()
    add("--model", default="lenet5_bn", help=f"one of: {', '.join(models)}")
    add("--dataset", default="fashion_mnist", help="a tfds image dataset")
    add("--epochs", type=positive_int, help="default: the model's")
    add("--batch-size", type=positive_int, help="global batch; default: model's")
    add("--optimizer", choices=OPTIMIZERS, help="default: the model's")
    add("--lr", type=positive_float, help="learning rate; default: the model's")
    add("--lr-schedule", choices=LR_SCHEDULES, help="default: the model's")
    add("--weight-decay", type=non_negative_float, default=0.0)
    add(
        "--augment",
        type=augmentation_policy,
        help=f"training augmentation: {', '.join(POLICIES)}, or a comma list "
        "(e.g. standard,erasing); default: the model's",
    )
    add("--label-smoothing", type=fraction, help="of the training targets; default: the model's")
    add(
        "--human-error",
        type=error_rate,
        help="human-level error for the bias vs variance diagnosis (default: the dataset's "
        "published figure; Fashion-MNIST 0.165)",
    )
    add("--seed", type=non_negative_int, default=0)
    add(
        "--deterministic",
        action="store_true",
        help="TensorFlow's op determinism: the same seed gives the same weights (slower)",
    )
    add("--val-split", type=fraction, default=0.0, help="fraction of train")
    add(
        "--restore-best",
        action="store_true",
        help="keep the epoch with the best validation accuracy (needs --val-split)",
    )
    add("--train-split", default="train", help="tfds split, e.g. 'train[:5000]'")
    add("--test-split", default="test")
    add("--resize", type=positive_int, help="resize images to SIZE x SIZE")
    add("--data-dir", help="tfds data dir; default tfds's own")
    add(
        "--image-dir",
        type=Path,
        help="train on a folder of class folders of images (DIR/<class>/<image>.png) instead "
        "of --dataset; --train-split slices it as 'train'",
    )
    add(
        "--test-image-dir",
        type=Path,
        help="the test images of --image-dir, in the same class folders (default: "
        "--test-split slices --image-dir, e.g. 'train[90%%:]'; left at 'test': no test part)",
    )
    add("--scale", choices=SCALES, help="model scale; default: by input size")
    add("--width", type=positive_float, help="width multiplier of the model")
    add(
        "--model-arg",
        type=key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a model option, e.g. aux_classifiers=true; repeatable",
    )
    add(
        "--strategy",
        default="auto",
        choices=STRATEGIES,
        help="auto: TF_CONFIG set -> multiworker; >1 GPU -> mirrored; 1 GPU -> onedevice",
    )
    add(
        "--loop",
        default="auto",
        choices=LOOPS,
        help="fit: Keras model.fit (resumes mid-epoch exactly); custom: the project's "
        "strategy.run loop (auto: custom under multiworker only, where model.fit fails; "
        "else fit)",
    )
    add("--scale-lr", action="store_true", help="lr x number of replicas")
    add("--precision", default="float32", choices=PRECISIONS)
    add("--jit-compile", action="store_true", help="compile steps with XLA")
    add(
        "--checkpoint-dir",
        type=Path,
        help="default checkpoints/<model>; locked; its own files removed after success",
    )
    add("--checkpoint-every", type=positive_int, help="steps between checkpoints (default: epoch)")
    add("--resume", action="store_true", help="continue from the checkpoint in --checkpoint-dir")
    add(
        "--monitor",
        type=names_from(MONITORS, "monitor"),
        default=[],
        help="comma-separated: gradients, activations (TensorBoard, CSV, warnings)",
    )
    add("--monitor-every", type=positive_int, default=100, help="steps between monitor looks")
    add("--pause-every", type=positive_int, metavar="N", help="pause every N steps to decide")
    add(
        "--pause-control",
        choices=PAUSE_CONTROLS,
        help="who decides at a pause: prompt (default on a terminal), file, auto (continue)",
    )
    add(
        "--pause-file",
        type=Path,
        help="control file for --pause-control file (default: <checkpoint-dir>.control)",
    )
    add("--pause-timeout", type=positive_float, help="seconds to wait for the control file")
    add(
        "--pause-on-timeout",
        choices=PAUSE_ON_TIMEOUT,
        default="continue",
        help="what a control-file pause does when nobody answers in time",
    )
    add("--export-dir", default="saved_models", type=Path)
    add(
        "--export-tta",
        choices=TTA_MODES,
        default="none",
        help="test-time augmentation inside the exported graph (flip: image and mirror)",
    )
    add("--log-dir", type=Path, help="default logs/<model>/<time>")
    add(
        "--backend",
        choices=BACKENDS,
        help="Keras backend (default: KERAS_BACKEND, else tensorflow); jax trains with "
        "Keras's fit and saves a .keras file (then: classiczoo export)",
    )


def build_parser(prog: str = "classiczoo train") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(parser)
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def config_from_args(args: argparse.Namespace, command: list[str]) -> TrainConfig:
    """The `TrainConfig` of parsed flags, checked against the registry.

    Raises:
        ConfigError: a bad combination (unknown model or option, a pause control without
            --pause-every, ...).
    """
    fields = {field.name for field in dataclasses.fields(TrainConfig)}
    values = {FIELD_OF_FLAG.get(k, k): v for k, v in vars(args).items()}
    values["model_options"] = dict(values["model_options"])  # [(KEY, VALUE)] from --model-arg
    values["monitor"] = tuple(values["monitor"])
    config = TrainConfig(
        **{k: v for k, v in values.items() if k in fields}, command=tuple(command)
    )
    config.resolve(zoo.registry)  # an unknown model or option is refused here, at once
    return config


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    """Trains; 0 when the run finished or stopped cleanly at a pause (resume it later)."""
    try:
        config = config_from_args(args, command)
    except ConfigError as err:
        parser.error(str(err))
    zoo.train(config)
    return 0


__all__ = ["DESCRIPTION", "add_arguments", "build_parser", "config_from_args", "run"]
