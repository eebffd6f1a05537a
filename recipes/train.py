#!/usr/bin/env python3
"""Train a zoo model on a tfds dataset, export it as a SavedModel, and report its metrics.

    python recipes/train.py --model lenet5_bn --dataset fashion_mnist --val-split 0.1

The same as `classiczoo train` (flags: `--help`): flags -> `TrainConfig` -> `zoo.train`.
Flags left unset take the model's own defaults (`zoo.get_defaults`). The export goes to
`<export-dir>/<model>/<next version>/` with `metadata.json` beside the SavedModel.
"""

from __future__ import annotations

import sys

from components.console import quiet_tensorflow


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    quiet_tensorflow(verbose="--verbose" in argv)  # before anything imports TensorFlow

    import zoo
    from components.training import ConfigError
    from zoo.cli import reported_errors
    from zoo.cli.train import build_parser, config_from_args

    prog = "python recipes/train.py"
    parser = build_parser(prog=prog)
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args, command=[*prog.split(), *argv])
    except ConfigError as err:
        parser.error(str(err))
    with reported_errors(prog, args.verbose):
        result = zoo.train(config)
    if not result.completed:
        print(f"Stopped at step {result.stopped_at_step}; continue with {result.resume_command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
