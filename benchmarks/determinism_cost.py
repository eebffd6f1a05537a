#!/usr/bin/env python3
"""Benchmark: what `--deterministic` costs, as a ratio to a normal run of the same training.

TensorFlow's op determinism is process-wide and has no public switch back, so each run is its
own process: `classiczoo train` with and without `--deterministic`, alternating, the same
seed, data, model and loop (`model.fit` for both: `--loop auto` picks the project's loop
under `--deterministic`). The training seconds each run records in its metadata (tracing included,
loading and export excluded) give the throughput; the ratio of medians is reported, and whether
the deterministic runs' final weights agree (they must) and the normal runs' do.

    python benchmarks/determinism_cost.py [--pairs 3] [--epochs 2] [--model lenet5_bn]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import RESULTS, save_result


def run(model: str, epochs: int, train_split: str, deterministic: bool) -> dict:
    """One training process; its training seconds and final-weights digest."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable, "-m", "zoo.cli", "train", f"--model={model}", f"--epochs={epochs}",
            f"--train-split={train_split}", f"--export-dir={tmp}/x", f"--log-dir={tmp}/logs",
            f"--checkpoint-dir={tmp}/ckpt", *(["--deterministic"] if deterministic else []),
            "--loop=fit",  # what auto picks too; kept so the measured loop is explicit
        ]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        metadata = json.loads(next(Path(tmp, "x", model).glob("*/metadata.json")).read_text())
    digest = re.search(r"Final weights sha256: (\w+)", out.stdout).group(1)
    return {"seconds": metadata["metrics"]["train_seconds"], "digest": digest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=3, help="runs of each kind, alternating")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--model", default="lenet5_bn")
    parser.add_argument("--train-split", default="train")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    runs = {"normal": [], "deterministic": []}
    for pair in range(args.pairs):
        for kind in runs:
            result = run(args.model, args.epochs, args.train_split, kind == "deterministic")
            runs[kind].append(result)
            print(f"pair {pair} {kind}: {result['seconds']} s, weights {result['digest']}")
    seconds = {kind: [r["seconds"] for r in rs] for kind, rs in runs.items()}
    medians = {kind: statistics.median(s) for kind, s in seconds.items()}
    result = {
        "model": args.model,
        "epochs": args.epochs,
        "train_split": args.train_split,
        "median_train_seconds": medians,
        # Throughput of a deterministic run relative to a normal one (1.0: free).
        "ratio_deterministic_over_normal": round(medians["normal"] / medians["deterministic"], 3),
        "deterministic_runs_identical": len({r["digest"] for r in runs["deterministic"]}) == 1,
        "normal_runs_identical": len({r["digest"] for r in runs["normal"]}) == 1,
        "all_seconds": seconds,
    }
    save_result("determinism_cost", result, args.out)


if __name__ == "__main__":
    main()
