#!/usr/bin/env python3
"""Benchmark: every small zoo model on Fashion-MNIST under a fixed CPU budget.

Each model trains with its own recipe defaults (optimizer, learning rate, batch) for one epoch
over the first N training images (cosine decay over that epoch), then is tested on the full
test split. Reported: parameters, MFLOPs per image, training images/s (the whole epoch,
first-step tracing included) and test accuracy. The full run is the printed command without
`--train-split`/`--epochs`.

    python benchmarks/zoo_small_models.py [--train-images 20000] [--models alexnet vgg11 ...]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from harness import RESULTS, quiet


def main() -> None:
    quiet()
    import zoo
    from components.diagnostics import count_flops

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-images", type=int, default=20_000)
    parser.add_argument("--models", nargs="+", default=zoo.list_models())
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in args.models:
        model = zoo.create(name)
        params, flops = model.count_params(), count_flops(model)
        split = f"train[:{args.train_images}]"
        with tempfile.TemporaryDirectory() as tmp:
            result = zoo.train(
                model=name,
                train_split=split,
                epochs=1,
                export_dir=f"{tmp}/saved_models",
                log_dir=f"{tmp}/logs",
                checkpoint_dir=f"{tmp}/checkpoints",
            )
        seconds = result.metrics.train_seconds
        rows.append(
            {
                "model": name,
                "parameters": params,
                "mflops": round(flops / 1e6, 1),
                "train_images": args.train_images,
                "images_per_s": round(args.train_images / seconds),
                "train_seconds": seconds,
                "test_accuracy": round(result.metrics.test["accuracy"], 4),
                "command": result.config.command_line(),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
        (args.out / "zoo_small_models.json").write_text(json.dumps(rows, indent=2))
    print("| model | parameters | MFLOPs/image | train images/s | test accuracy |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['model']} | {r['parameters']:,} | {r['mflops']} | {r['images_per_s']} "
            f"| {r['test_accuracy']:.4f} |"
        )


if __name__ == "__main__":
    main()
