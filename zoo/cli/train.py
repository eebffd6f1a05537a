"""`classiczoo train`: train a zoo model on a tfds dataset, export it, report its metrics.

Flags left unset take the model's own defaults (`zoo.get_defaults`). The export goes to
`<export-dir>/<model>/<next version>/` with `metadata.json` beside the SavedModel.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection

import zoo
from components.settings import add_flags, flag_values
from components.training.config import ConfigError, TrainConfig
from components.training.settings import PARTS

MODEL_HELP = "a zoo model (default lenet5_bn): " + ", ".join(zoo.MODEL_NAMES)
MODEL_FLAG = {"helps": {"model": MODEL_HELP}, "choices": {"model": zoo.MODEL_NAMES}}
DESCRIPTION = "Train a zoo model on a tfds dataset, export it as a SavedModel, report its metrics."


def add_arguments(parser: argparse.ArgumentParser, exclude: Collection[str] = ()) -> None:
    """The flags of `classiczoo train`, generated from `TrainConfig`'s settings, one argument
    group per part, but those in `exclude` (settings' names: `"val_split"`, `"resume"`), for a
    command that fixes them."""
    # The zoo's static list of names, not the registry's: that loads every family, and Keras
    # with them, before the flags are read.
    for part, settings in PARTS.items():
        group = parser.add_argument_group(f"{part} settings")
        add_flags(group, settings, exclude=exclude, **MODEL_FLAG)


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
    config = TrainConfig(
        **{part: settings(**flag_values(args, settings)) for part, settings in PARTS.items()},
        command=tuple(command),
    )
    config.resolve(zoo.registry)  # an unknown model or option is refused here, at once
    return config


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    """Trains; 0 when the run trained and exported, else the code of why it stopped early
    (`components.training.result.EXIT_CODES`: 3 diverged, 4 a pause's stop; 130 SIGINT,
    143 SIGTERM), its checkpoint kept for `--resume`."""
    try:
        config = config_from_args(args, command)
    except ConfigError as err:
        parser.error(str(err))
    return zoo.train(config).exit_code


__all__ = ["DESCRIPTION", "add_arguments", "build_parser", "config_from_args", "run"]
