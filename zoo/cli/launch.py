"""`classiczoo launch`: N workers of `classiczoo train` on this machine as one
MultiWorkerMirroredStrategy cluster, restarted with --resume when one dies.

    classiczoo launch --workers 2 -- --model lenet5_bn --epochs 3
"""

from __future__ import annotations

import argparse
import shlex
import sys

from components.arg_types import non_negative_int, positive_int
from components.distribute.local_cluster import (
    STOPPED_AT_A_SIGNAL,
    restart_command,
    run_local_cluster,
    usable_cores,
)

DESCRIPTION = "Start N training workers on this machine as one multi-worker cluster."


def build_parser(prog: str = "classiczoo launch") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=DESCRIPTION,
        epilog="Everything after -- goes to each worker's `classiczoo train`.",
    )
    parser.add_argument("--workers", type=positive_int, default=2, help="number of workers")
    parser.add_argument(
        "--max-restarts", type=non_negative_int, default=3, help="restarts after failures"
    )
    parser.add_argument(
        "--oversubscribe",
        action="store_true",
        help="allow more workers than this machine's cores (each runs a whole TensorFlow)",
    )
    parser.add_argument("train_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines in the workers"
    )
    return parser


def worker_command(train_args: list[str], verbose: bool = False) -> list[str]:
    """The command each worker runs: this Python's `classiczoo train` with `train_args`."""
    train_args = [a for a in train_args if a != "--"]
    if not any(a == "--strategy" or a.startswith("--strategy=") for a in train_args):
        train_args = [*train_args, "--strategy", "multiworker"]
    if verbose and "--verbose" not in train_args:
        train_args = [*train_args, "--verbose"]
    return [sys.executable, "-m", "zoo.cli", "train", *train_args]


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuses more workers than cores (without --oversubscribe) and train flags that train
    would refuse, before anything is loaded or any worker starts."""
    from zoo.cli.train import build_parser as train_parser

    train_args = [a for a in args.train_args if a != "--"]
    train_parser(prog=f"{parser.prog} -- (classiczoo train)").parse_args(train_args)
    cores = usable_cores()
    if args.workers > cores and not args.oversubscribe:
        parser.error(
            f"--workers {args.workers} on {cores} core(s): each worker runs a whole TensorFlow "
            "and they would only contend for the cores. Pass --oversubscribe if you mean it."
        )


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    """Runs the cluster; after a signal stopped it with a checkpoint, prints the launch
    command that resumes the job (the workers' own hints name their train command)."""
    code = run_local_cluster(
        worker_command(args.train_args, args.verbose), args.workers, args.max_restarts
    )
    if code in STOPPED_AT_A_SIGNAL:  # looks for the checkpoint only then
        resume = restart_command(command)
        if "--resume" in resume:
            print(f"[launcher] Continue the job with:\n  {shlex.join(resume)}", flush=True)
    return code


__all__ = ["DESCRIPTION", "build_parser", "check_args", "run", "worker_command"]
