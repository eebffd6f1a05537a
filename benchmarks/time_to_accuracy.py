#!/usr/bin/env python3
"""Benchmark: training seconds and compute until test accuracy first reaches 0.92, 0.93, 0.94.

Issue 24's time-to-accuracy table. One model (vgg11_bn by default), three settings: `fast` (its
`--recipe fast`), `default` (its reference recipe) and `plain` (the same net, Adam 1e-3 at a
constant rate, no augmentation, label smoothing or weight decay, the default recipe's batch
size and epochs), each over several seeds, on Fashion-MNIST with 10 % of train held out as
`classiczoo train --val-split 0.1` holds it out. At every epoch end the test accuracy is read.
The clock covers an epoch's training only (Keras's `on_epoch_begin` to `on_epoch_end`, the
first epoch's tracing included); the test pass runs after it stops. There is no validation
pass: these are test figures, and nothing here chooses settings.

Each run is `components.experiments.time_to_accuracy.train_and_test`: the recipe's resolved
`TrainConfig` trained from the parts `fit_run` (components.training.fitting) builds a run
from, with an `EpochClock` (components.experiments.epoch_clock); the crossings, the medians
over seeds and the ratio are that module's too. This script holds the settings, the machine's
matmul rate and the table.

Reported per setting, over the seeds: the median training seconds and compute (images seen x 3
x forward FLOPs, `count_flops`) until the first epoch end at or above each threshold (a seed
that never gets there counts as infinitely slow, so "not reached" unless most seeds reach it),
and the final test accuracy (median, min-max); beside them this machine's float32 matmul rate,
measured at the start and at the end of the same run; and the issue's ratio, the time to 0.93
of `default` over that of `fast` (goal >= 5), seed by seed and its median. These 2-core
machines differ several-fold, so seconds hold only as ratios within one run; compute carries
between machines. Runs alternate settings within each seed, so that a slow spell of a shared
machine falls on all of them.

The full run is hours of CPU (three seeds of three settings). `--append` continues the JSON of
an earlier invocation with the same settings: its seeds are kept and the new ones follow, each
invocation with its own matmul rate, so that the seeds can run in separate sessions. The ratio
is then taken seed by seed (each seed's settings ran in one invocation, on one machine), never
across invocations; the median seconds of the table mix the invocations' machines and say so.

    python benchmarks/time_to_accuracy.py [--model vgg11_bn] [--configs fast,default,plain]
        [--seeds 3] [--max-epochs N] [--train-split train] [--test-split test] [--quick]
        [--append]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from harness import RESULTS, matmul_gflops, quiet

if TYPE_CHECKING:
    from components.training.config import TrainConfig

CONFIGS = ("fast", "default", "plain")
RATIO_THRESHOLD, GOAL_RATIO = 0.93, 5.0
VAL_SPLIT = 0.1
QUICK = {"train_split": "train[:2000]", "test_split": "test[:1000]", "max_epochs": 1, "seeds": 1}


# -- the table --------------------------------------------------------------------------------
def _cell(found: dict, seeds: int) -> str:
    if found["seconds"] is None:
        return f"not reached ({found['reached']}/{seeds})"
    return f"{found['seconds']:,.0f} s, {found['tflop']:.3g} TFLOP ({found['reached']}/{seeds})"


def markdown_table(result: dict) -> str:
    """The results as a Markdown table, with the command, the matmul rate and the ratio."""
    from components.experiments.time_to_accuracy import THRESHOLDS, threshold_key

    keys = [threshold_key(t) for t in THRESHOLDS]
    invocations = result.get("invocations") or [
        {"command": result["command"], "matmul_gflops": result["matmul_gflops"], "seeds": None}
    ]
    lines = [
        f"{result['model']}, {result['forward_mflop']:.1f} MFLOP forward per image; "
        f"{result['train_images']:,} training and {result['test_images']:,} test images.",
        "",
    ]
    for invocation in invocations:
        matmul = invocation["matmul_gflops"]
        end = "not measured yet" if matmul["end"] is None else f"{matmul['end']:.0f}"
        seeds = invocation["seeds"]
        lines.append(
            f"- `{invocation['command']}`"
            + (f" (seeds {', '.join(map(str, seeds))})" if seeds is not None else "")
            + f": float32 matmul (2048 x 2048, best of several) {matmul['start']:.0f} GFLOP/s "
            f"at the start, {end} at the end."
        )
    if len(invocations) > 1:
        lines.append(
            "- The seeds ran in several invocations: the median seconds below mix their "
            "machines; the ratio is taken seed by seed."
        )
    lines += [
        "",
        "| config | settings | epochs run | "
        + " | ".join(f"to {k}: median s, TFLOP (seeds reaching)" for k in keys)
        + " | final test accuracy, median (min–max) | training s, TFLOP (all epochs) |",
        "|---|---|---:|" + "---:|" * len(keys) + "---:|---:|",
    ]
    for name, summary in result["configs"].items():
        final = summary["final_test_accuracy"]
        lines.append(
            f"| {name} | {summary['settings']} | {summary['epochs_run']} of "
            f"{summary['epochs']} | "
            + " | ".join(_cell(summary["thresholds"][k], summary["seeds"]) for k in keys)
            + f" | {final['median']:.4f} ({final['min']:.4f}–{final['max']:.4f})"
            + f" | {summary['train_seconds']:,.0f} s, {summary['tflop']:.3g} TFLOP |"
        )
    ratio = result.get("ratio_default_over_fast")
    seedwise = result.get("seedwise_ratio_default_over_fast")
    if ratio and len(invocations) == 1:
        text = (
            f"{ratio['ratio']:.2f}"
            if ratio["ratio"] is not None
            else f">= {ratio['at_least']:.2f} (default did not reach it)"
            if ratio["at_least"] is not None
            else "none (fast did not reach it)"
        )
        lines += [
            "",
            f"Time to {RATIO_THRESHOLD:g}, default / fast: {text} (goal >= {GOAL_RATIO:g}).",
        ]
    if seedwise:
        per_seed = ", ".join(
            "fast not reached" if r is None else f"{'>= ' if r[1] else ''}{r[0]:.2f}"
            for r in seedwise["ratios"]
        )
        median = (
            "none"
            if seedwise["median"] is None
            else f"{'>= ' if seedwise['at_least'] else ''}{seedwise['median']:.2f}"
        )
        lines += [
            "",
            f"Time to {RATIO_THRESHOLD:g}, default / fast, seed by seed: {per_seed}; median "
            f"{median} (goal >= {GOAL_RATIO:g}).",
        ]
    return "\n".join(lines) + "\n"


# -- the measured part -------------------------------------------------------------------------
def run_config(name: str, model: str, seed: int, args: argparse.Namespace) -> TrainConfig:
    """The `TrainConfig` of one setting (not resolved)."""
    from components.experiments.time_to_accuracy import PLAIN_SETTINGS
    from components.training.config import TrainConfig

    plain = PLAIN_SETTINGS if name == "plain" else {}
    return TrainConfig.of(
        model=model,
        recipe="fast" if name == "fast" else "default",
        train_split=args.train_split,
        test_split=args.test_split,
        val_split=VAL_SPLIT,
        seed=seed,
        **plain,
    )


def settings_line(config: TrainConfig) -> str:
    """A resolved config's training settings in one line, as `models describe` shows a recipe."""
    from components.training.settings import MODEL_DEFAULT_FIELDS
    from zoo.defaults import Recipe

    settings = config.settings()
    fields = {name: settings[name] for name in MODEL_DEFAULT_FIELDS}
    return Recipe(goal="", model_options=config.model.model_options, **fields).describe()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="vgg11_bn")
    parser.add_argument(
        "--configs", default=",".join(CONFIGS), help="comma list of: fast, default, plain"
    )
    parser.add_argument("--seeds", type=int, help="seeds 0..N-1 per config (default 3)")
    parser.add_argument(
        "--max-epochs",
        type=int,
        help="stop each run after N epochs, its "
        "schedule still that of its full epochs (default: each config's own)",
    )
    parser.add_argument("--train-split", help="tfds split, e.g. 'train[:20000]' (default train)")
    parser.add_argument("--test-split", help="tfds split (default test)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder of the JSON and .md")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: " + ", ".join(f"{k} {v}" for k, v in QUICK.items()),
    )
    parser.add_argument(
        "--append",
        action="store_true",
        help="continue the JSON of an earlier invocation with the same settings: its seeds "
        "kept, the new ones after them",
    )
    parser.add_argument("--verbose", action="store_true", help="TensorFlow's start-up lines")
    args = parser.parse_args()
    full = {"train_split": "train", "test_split": "test", "max_epochs": None, "seeds": 3}
    for name, value in (QUICK if args.quick else full).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    bad = sorted(set(args.configs) - set(CONFIGS)) or (not args.configs and ["(none)"])
    if bad:
        parser.error(f"--configs: unknown {', '.join(bad)}; valid: {', '.join(CONFIGS)}")
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    if args.max_epochs is not None and args.max_epochs < 1:
        parser.error(f"--max-epochs must be at least 1, got {args.max_epochs}")
    args.stem = f"time_to_accuracy_{args.model}{'_quick' if args.quick else ''}"
    args.earlier = earlier_results(args, parser) if args.append else None
    args.parser = parser
    return args


# The settings an appended invocation must share with the earlier ones.
SHARED = ("model", "train_split", "test_split", "max_epochs")


def earlier_results(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict:
    """The JSON an `--append` invocation continues, its seeds cut to those every config
    finished; refused (before anything loads) where there is none or its settings differ."""
    import json

    path = args.out / f"{args.stem}.json"
    if not path.is_file():
        parser.error(f"--append: no earlier results at {path}; run once without --append.")
    earlier = json.loads(path.read_text())
    for name in SHARED:
        if earlier.get(name) != getattr(args, name):
            parser.error(
                f"--append: {path} was run with {name} {earlier.get(name)!r}, this with "
                f"{getattr(args, name)!r}: give the same settings, or another --out."
            )
    if list(earlier["runs"]) != args.configs:
        parser.error(
            f"--append: {path} ran configs {','.join(earlier['runs'])}, this "
            f"{','.join(args.configs)}: give the same --configs."
        )
    finished = min(len(done) for done in earlier["runs"].values())
    earlier["runs"] = {name: done[:finished] for name, done in earlier["runs"].items()}
    return earlier


def main() -> None:
    args = parse_args()
    quiet()
    import zoo
    from components.atomic_files import write_json_atomic, write_text_atomic
    from components.config_error import ConfigError
    from components.data import load_normalized
    from components.experiments.time_to_accuracy import (
        seedwise_time_ratio,
        summarize_seeds,
        time_ratio,
        train_and_test,
    )

    try:
        configs = {
            c: run_config(c, args.model, 0, args).resolve(zoo.registry) for c in args.configs
        }
    except ConfigError as err:
        args.parser.error(str(err))
    for name, config in configs.items():
        if config.optimization.lr_schedule == "plateau":  # its decay reads val_loss
            args.parser.error(f"config {name}: the plateau schedule needs a validation pass")
    data_settings = next(iter(configs.values())).data
    data = load_normalized(
        data_settings.dataset,
        data_dir=data_settings.data_dir,
        train_split=data_settings.train_split,
        test_split=data_settings.test_split,
        val_split=data_settings.val_split,
    )
    print(data.describe(), flush=True)
    stem = args.stem
    command = shlex.join(["python", "benchmarks/time_to_accuracy.py", *sys.argv[1:]])
    result = {
        "command": command,
        "model": args.model,
        "train_split": args.train_split,
        "test_split": args.test_split,
        "val_split": VAL_SPLIT,
        "train_images": data.data.num_train,
        "test_images": data.data.num_test,
        "max_epochs": args.max_epochs,
        "matmul_gflops": {"start": matmul_gflops(), "end": None},
        "complete": False,
    }
    print(f"float32 matmul: {result['matmul_gflops']['start']:.0f} GFLOP/s", flush=True)
    earlier = args.earlier or {"runs": {name: [] for name in configs}, "invocations": []}
    runs: dict[str, list[dict]] = earlier["runs"]
    first_seed = len(next(iter(runs.values())))
    seeds = range(first_seed, first_seed + args.seeds)
    result["invocations"] = [
        *earlier.get("invocations", []),
        {"command": command, "seeds": list(seeds), "matmul_gflops": result["matmul_gflops"]},
    ]
    if first_seed:
        print(f"Appended to {args.out / stem}.json: seeds {first_seed}.. follow.", flush=True)

    def record():
        result["configs"] = {}
        for name, done in runs.items():
            if done:
                result["configs"][name] = {
                    "settings": settings_line(configs[name]),
                    "epochs": configs[name].optimization.epochs,
                    "epochs_run": max(len(run["epoch_seconds"]) for run in done),
                    **summarize_seeds(done),
                }
        first = next(r for done in runs.values() for r in done)
        result["forward_mflop"] = first["forward_flops"] / 1e6
        if {"default", "fast"} <= set(result["configs"]):
            result["ratio_default_over_fast"] = time_ratio(
                result["configs"]["default"], result["configs"]["fast"], RATIO_THRESHOLD
            )
            paired = min(len(runs["default"]), len(runs["fast"]))
            result["seedwise_ratio_default_over_fast"] = seedwise_time_ratio(
                runs["default"][:paired], runs["fast"][:paired], RATIO_THRESHOLD
            )
        result["runs"] = runs
        write_json_atomic(args.out / f"{stem}.json", result)
        write_text_atomic(args.out / f"{stem}.md", markdown_table(result))

    for seed in seeds:  # settings alternate within a seed: noise falls on all
        for name in configs:
            config = run_config(name, args.model, seed, args).resolve(zoo.registry)
            print(f"--- {name} seed {seed}: {settings_line(config)} ---", flush=True)
            label = f"{name} seed {seed}"
            runs[name].append(
                train_and_test(config, zoo.registry, data, max_epochs=args.max_epochs, label=label)
            )
            record()  # a long run keeps what it has finished
    result["matmul_gflops"]["end"] = matmul_gflops()
    result["complete"] = True
    record()
    print("\n" + markdown_table(result))
    print(f"Written: {args.out / stem}.json and .md")


if __name__ == "__main__":
    main()
