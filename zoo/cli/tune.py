"""`classiczoo tune`: search a zoo model's hyperparameters with keras-tuner, export the best.

The space searched is the model's own (`zoo.get_defaults(model).search_space`, shown by
`classiczoo models describe`). Trials live in --directory (default `tuning/<model>`); running
the same command again resumes the search there. The best model is exported to
`<export-dir>/<model>-tuned/<next version>/` with the chosen hyperparameters in its metadata.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
from pathlib import Path

import zoo
from components.arg_types import fraction, non_negative_int, positive_float, positive_int
from components.training.config import SCALES, ConfigError, check_model_options
from components.tuning import TUNERS, SearchDirectoryError
from components.tuning.search import OBJECTIVE, TUNE_STRATEGIES, TuneConfig

DESCRIPTION = "Search a zoo model's hyperparameters with keras-tuner, then export the best model."


def build_parser(prog: str = "classiczoo tune") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    parser.add_argument(
        "--model", default="lenet5_bn", help=f"one of: {', '.join(zoo.list_models())}"
    )
    parser.add_argument("--dataset", default="fashion_mnist", help="a tfds image dataset")
    parser.add_argument("--tuner", default="random", choices=TUNERS)
    parser.add_argument(
        "--max-trials", type=positive_int, default=10, help="trials in all (Hyperband: a cap)"
    )
    parser.add_argument(
        "--epochs", type=positive_int, help="per trial (Hyperband: the most); default: model's"
    )
    parser.add_argument("--executions-per-trial", type=positive_int, default=1)
    parser.add_argument("--hyperband-factor", type=positive_int, default=3, help=">= 2")
    parser.add_argument(
        "--val-split", type=fraction, default=0.1, help=f"fraction of train for {OBJECTIVE}"
    )
    parser.add_argument("--train-split", default="train", help="tfds split, e.g. 'train[:5000]'")
    parser.add_argument("--test-split", default="test")
    parser.add_argument("--data-dir", help="tfds data dir; default tfds's own")
    parser.add_argument("--resize", type=positive_int, help="resize images to SIZE x SIZE")
    parser.add_argument("--scale", choices=SCALES, help="model scale; default: by input size")
    parser.add_argument("--width", type=positive_float, help="width multiplier of the model")
    parser.add_argument(
        "--strategy",
        default="auto",
        choices=TUNE_STRATEGIES,
        help="each trial trains under it: auto (>1 GPU: mirrored; 1 GPU: onedevice), default, "
        "onedevice, mirrored",
    )
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--directory", type=Path, help="the search's; default tuning/<model>")
    parser.add_argument(
        "--overwrite", action="store_true", help="remove the search in --directory first"
    )
    parser.add_argument("--export-dir", type=Path, default=Path("saved_models"))
    parser.add_argument("--top", type=positive_int, default=5, help="trials in the table")
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def config_from_args(args: argparse.Namespace, command: list[str]) -> TuneConfig:
    """The `TuneConfig` of parsed flags; raises `ConfigError` for a bad combination."""
    fields = {field.name for field in dataclasses.fields(TuneConfig)}
    config = TuneConfig(
        **{k: v for k, v in vars(args).items() if k in fields}, command=tuple(command)
    )
    check_model_options(zoo.registry, config.model, config.model_options())
    return config


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    try:
        config = config_from_args(args, command)
    except ConfigError as err:
        parser.error(str(err))
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
