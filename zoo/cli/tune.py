"""`classiczoo tune`: search a zoo model's hyperparameters with keras-tuner, export the best.

The space searched is the model's own (`zoo.get_defaults(model).search_space`, shown by
`classiczoo models describe`). Trials live in --directory (default `tuning/<model>`); running
the same command again resumes the search there. The best model is exported to
`<export-dir>/<model>-tuned/<next version>/` with the chosen hyperparameters in its metadata.
"""

from __future__ import annotations

import argparse
import shlex

import zoo
from components.settings import add_flags, flag_values
from components.training.config import ConfigError, check_model_options
from components.tuning.tune_config import TuneConfig
from zoo.cli.train import MODEL_FLAG

DESCRIPTION = "Search a zoo model's hyperparameters with keras-tuner, then export the best model."


def build_parser(prog: str = "classiczoo tune") -> argparse.ArgumentParser:
    """The flags of `classiczoo tune`, generated from `TuneConfig`'s settings."""
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_flags(parser, TuneConfig, **MODEL_FLAG)
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def config_from_args(args: argparse.Namespace, command: list[str]) -> TuneConfig:
    """The `TuneConfig` of parsed flags; raises `ConfigError` for a bad combination."""
    config = TuneConfig(**flag_values(args, TuneConfig), command=tuple(command))
    check_model_options(zoo.registry, config.model, config.model_options())
    return config


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    try:
        config = config_from_args(args, command)
    except ConfigError as err:
        parser.error(str(err))
    from components.tuning import SearchDirectoryError  # after the flags

    try:
        zoo.tune(config)
    except SearchDirectoryError as err:
        raise SearchDirectoryError(
            f"{err} Run the same command as before to resume it, pass --overwrite to start "
            "afresh, or choose another --directory."
        ) from None
    except KeyboardInterrupt:
        print(
            f"\nInterrupted. Run the same command to resume the search:\n  {shlex.join(command)}"
        )
        return 130
    return 0


__all__ = ["DESCRIPTION", "build_parser", "config_from_args", "run"]
