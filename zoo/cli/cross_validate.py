"""`classiczoo cross-validate`: k-fold cross-validation of a zoo model, or of several settings.

    classiczoo cross-validate --model lenet5_bn --epochs 3 --folds 5
    classiczoo cross-validate --model lenet5_bn --epochs 3 --compare lr=1e-3 lr=3e-3

Takes the flags of `classiczoo train` that shape a run (not the validation split, the test
split, checkpoints, pauses or the export: each held-out fold is the validation set, the test
split is never read, nothing is exported). Each `--compare` setting is `FLAG=VALUE[,FLAG=VALUE]`
with train's flag names (`lr=3e-3`, `augment=standard,weight-decay=5e-4`; a switch as
`deterministic=true`), applied on top of the other flags. Writes every fold's figures to
`--results` (JSON, after each fold) and a PNG beside it; prints the table, the best setting
on the mean validation accuracy and its bias vs variance diagnosis.
"""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import zoo
from components.arg_types import int_in_range
from components.training.config import ConfigError
from zoo.cli.train import add_arguments, config_from_args

DESCRIPTION = "k-fold cross-validation of a zoo model: per-fold metrics, mean ± std, best setting."
# train's flags that have no meaning here (each held-out fold is the validation set).
EXCLUDED = (
    "val_split",
    "restore_best",
    "test_split",
    "test_image_dir",
    "checkpoint_dir",
    "checkpoint_every",
    "resume",
    "pause_every",
    "pause_control",
    "pause_file",
    "pause_timeout",
    "pause_on_timeout",
    "export_dir",
    "export_tta",
    "log_dir",
)


def build_parser(prog: str = "classiczoo cross-validate") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(parser, exclude=EXCLUDED)
    parser.add_argument(
        "--folds", type=int_in_range(2, 10_000), default=5, help="k, at least 2 (5)"
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        metavar="FLAG=VALUE[,FLAG=VALUE]",
        help="settings to compare, each on top of the other flags (e.g. lr=1e-3 lr=3e-3)",
    )
    parser.add_argument(
        "--results", type=Path, help="the JSON of every fold (crossval/<model>-<time>.json)"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def setting_argv(parser: argparse.ArgumentParser, setting: str) -> list[str]:
    """The flags of a `--compare` setting: `"lr=1e-3,augment=standard"` ->
    `["--lr", "1e-3", "--augment", "standard"]`.

    A comma inside a value that is itself a comma list (`augment=standard,erasing`) stays
    with its value: a new pair starts only where the text before `=` is a flag.

    Raises:
        ConfigError: a pair that is not `FLAG=VALUE`, a flag this command does not take, a
            switch given other than `true`.
    """
    flags = {
        option[2:]: action
        for option, action in parser._option_string_actions.items()  # argparse's own table
        if option.startswith("--")
    }
    ignored = {"help", "compare", "folds", "results", "verbose"}
    valid = ", ".join(sorted(f for f in flags if f not in ignored))
    pairs: list[list[str]] = []
    for piece in setting.split(","):
        key, sep, value = piece.partition("=")
        if sep and key.strip() in flags:
            pairs.append([key.strip(), value])
        elif pairs:  # a comma inside the previous value
            pairs[-1][1] += "," + piece
        else:
            raise ConfigError(
                f"--compare {setting!r}: {piece!r} is not FLAG=VALUE with one of: {valid}."
            )
    argv = []
    for key, value in pairs:
        if key in ignored:
            raise ConfigError(f"--compare {setting!r}: {key} cannot vary between settings.")
        action = flags[key]
        if action.nargs == 0:  # a switch
            if value.lower() != "true":
                raise ConfigError(
                    f"--compare {setting!r}: --{key} is a switch; write {key}=true (or leave "
                    "it out)."
                )
            argv.append(f"--{key}")
        else:
            argv += [f"--{key}", value]
    return argv


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    from components.model_selection.cross_validation import cross_validate

    registry = zoo.registry
    try:
        # Each setting's own command is the `classiczoo train` of its flags.
        base = config_from_args(args, command).replace(command=None)
        settings = {"base": base}
        if args.compare:
            settings = {}
            for setting in args.compare:
                parsed = parser.parse_args(
                    setting_argv(parser, setting), namespace=copy.deepcopy(args)
                )
                settings[setting] = config_from_args(parsed, command).replace(command=None)
        if len(settings) != len(args.compare or [None]):
            raise ConfigError("--compare names a setting twice.")
    except ConfigError as err:
        parser.error(str(err))
    cross_validate(settings, registry, folds=args.folds, results_path=args.results)
    return 0


__all__ = ["DESCRIPTION", "EXCLUDED", "build_parser", "run", "setting_argv"]
