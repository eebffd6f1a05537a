#!/usr/bin/env python3
"""Benchmark: `lenet5_bn` on Fashion-MNIST with the recipe's defaults (3 epochs); test accuracy
and wall time. Target (issue 2): >= 0.89 test accuracy within 3 epochs on a 2-core CPU.

    python benchmarks/lenet_accuracy.py [--model lenet5_bn] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from harness import RESULTS, quiet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="lenet5_bn")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    quiet()
    import zoo

    rows = []
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.time()
            result = zoo.train(
                model=args.model,
                seed=seed,
                export_dir=f"{tmp}/saved_models",
                log_dir=f"{tmp}/logs",
                checkpoint_dir=f"{tmp}/checkpoints",
            )
            wall = time.time() - start
        metrics = result.metrics
        rows.append(
            {
                "model": args.model,
                "seed": seed,
                "test_accuracy": round(metrics.test["accuracy"], 4),
                "test_loss": round(metrics.test["loss"], 4),
                "train_seconds": metrics.train_seconds,
                "wall_seconds": round(wall, 1),
            }
        )
        print(json.dumps(rows[-1]))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"accuracy_{args.model}.json").write_text(json.dumps(rows, indent=2))
    print("| model | seed | test accuracy | test loss | training s | wall s |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['model']} | {r['seed']} | {r['test_accuracy']:.4f} | {r['test_loss']:.4f} "
            f"| {r['train_seconds']} | {r['wall_seconds']} |"
        )


if __name__ == "__main__":
    main()
