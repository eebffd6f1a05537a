"""`classiczoo`: the commands a pip user has, the same thin layer as the recipes.

    classiczoo train --model vgg11_bn --val-split 0.1     # train, export, evaluate
    classiczoo evaluate saved_models/vgg11_bn             # the full report of an export
    classiczoo export saved_models/lenet5_bn/1/model.keras   # a JAX run's model as a SavedModel
    classiczoo ensemble saved_models/a saved_models/b --method weighted --export
    classiczoo tune --model lenet5_bn --tuner random --max-trials 10
    classiczoo cross-validate --model lenet5_bn --epochs 3 --compare lr=1e-3 lr=3e-3
    classiczoo models list | describe NAME
    classiczoo lr-find --model lenet5_bn
    classiczoo launch --workers 2 -- --model lenet5_bn --epochs 3
    classiczoo lesson init                                # the notes' experiments

Each command is a module here with `build_parser(prog)` and `run(parser, args, command)`;
`main` picks one, hides TensorFlow's start-up lines (`components.console`; `--verbose` shows
them) and turns the errors of bad input into one line on stderr (`--verbose`: the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

import components
from components.backends import choose_keras_backend
from components.console import filtered_stderr, quiet_tensorflow

# command: (module, one line of help)
COMMANDS = {
    "train": ("train", "train a zoo model, export it as a SavedModel, evaluate it"),
    "evaluate": ("evaluate", "evaluate exported SavedModels: metrics, plots, report"),
    "export": ("export", "a run's model as a SavedModel, ONNX or LiteRT file"),
    "ensemble": ("ensemble", "compare exports with their ensemble; export it as one"),
    "tune": ("tune", "search a model's hyperparameters with keras-tuner"),
    "cross-validate": ("cross_validate", "k-fold cross-validation: mean ± std, best setting"),
    "models": ("models", "list the zoo's models, or describe one"),
    "lr-find": ("lr_find", "learning-rate range test of a model: plot and suggestion"),
    "launch": ("launch", "run train as N local workers of one multi-worker cluster"),
    "lesson": ("lesson", "rerun an experiment of the course notes"),
}


def _top_parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {name:<16}{help_}" for name, (_, help_) in COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="classiczoo",
        description="Classic CNNs, LeNet to GoogLeNet, and the textbook techniques for "
        "training them, as Keras 3 parts.",
        epilog=f"commands:\n{listing}\n\n'classiczoo COMMAND --help' for a command's flags.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"classiczoo {components.__version__}"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    parser.add_argument("command", choices=COMMANDS, metavar="COMMAND", help="see below")
    parser.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return parser


@contextlib.contextmanager
def reported_errors(prog: str, verbose: bool = False):
    """Within the block, bad input (ValueError, OSError) ends the command with its message on
    one line of stderr and exit code 1, an interrupt with 130; `verbose` keeps tracebacks."""
    try:
        yield
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted.", file=sys.stderr)
        raise SystemExit(130) from None
    except (ValueError, OSError) as err:  # bad input: its message says what and what is valid
        if verbose:
            raise
        print(f"{prog}: error: {err}", file=sys.stderr)
        raise SystemExit(1) from None


def choose_backend(argv: list[str]) -> None:
    """`choose_keras_backend` of a `--backend NAME` among the words: before the command's
    modules import Keras, which picks its backend once, at import."""
    for i, word in enumerate(argv):
        if word == "--backend" and i + 1 < len(argv):
            choose_keras_backend(argv[i + 1])
        elif word.startswith("--backend="):
            choose_keras_backend(word.split("=", 1)[1])


def run_command(name: str, argv: list[str], *, prog: str, verbose: bool = False) -> int:
    """Runs command `name` with the words `argv`; returns its exit code.

    Args:
        name: one of `COMMANDS`.
        argv: the command's own words (after its name).
        prog: how its command line starts (`"classiczoo train"`, `"python recipes/train.py"`),
            for usage lines and the metadata's `command`.
        verbose: TensorFlow's start-up lines and tracebacks (also `--verbose` in `argv`).
    """
    module_name, _ = COMMANDS[name]
    verbose = verbose or "--verbose" in argv
    choose_backend(argv)
    # The flags first: a command's module and parser load no TensorFlow or Keras, so a mistyped
    # flag is answered at once (tests/zoo/cli/test_cli.py times none, but checks none loads).
    module = importlib.import_module(f"zoo.cli.{module_name}")
    parser = module.build_parser(prog=prog)
    args = parser.parse_args(argv)
    if hasattr(module, "check_args"):  # flags that do not go together, still before TensorFlow
        module.check_args(parser, args)
    quiet_tensorflow(verbose)  # before the command's work imports TensorFlow
    quiet = contextlib.nullcontext() if verbose else filtered_stderr()
    with quiet, reported_errors(prog, verbose):
        return module.run(parser, args, [*prog.split(), *argv])


def main(argv: list[str] | None = None) -> int:
    """`classiczoo [--version] [--verbose] COMMAND ...`; returns the exit code.

    Args:
        argv: the words after `classiczoo` (default: the process's).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        top = _top_parser().parse_args(argv)
        return run_command(
            top.command, top.args, prog=f"classiczoo {top.command}", verbose=top.verbose
        )
    except SystemExit as exit_:  # argparse's --help (0) and usage errors (2), reported errors
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)


__all__ = ["COMMANDS", "main", "reported_errors", "run_command"]
