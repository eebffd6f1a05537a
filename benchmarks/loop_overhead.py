#!/usr/bin/env python3
"""Benchmark: throughput of the project's training loop against `model.fit` on one device.

Same model (`lenet5_bn`), initial weights, batches (the project's Fashion-MNIST pipeline) and
optimizer; the two alternate epoch by epoch in one run, the first epoch of each is discarded,
and the ratio of median images/s is reported. Target (issue 4): ratio >= 0.95.

    python benchmarks/loop_overhead.py [--epochs 4] [--batch-size 128] [--model lenet5_bn]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=4, help="timed epochs per loop")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--model", default="lenet5_bn")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    import zoo
    from components.data import Preprocessing, load_image_classification, make_pipeline
    from components.loop import DistributedTrainer
    from components.optimizers import make_optimizer
    from components.training import compile_classifier

    data = load_image_classification("fashion_mnist")
    prep = Preprocessing.fit(data.train)
    pipeline = make_pipeline(data.train, prep, batch_size=args.batch_size, training=True, seed=0)

    keras.utils.set_random_seed(0)
    fit_model = compile_classifier(zoo.create(args.model), make_optimizer("adam", 1e-3))
    keras.utils.set_random_seed(0)
    trainer = DistributedTrainer(
        zoo.create(args.model), make_optimizer("adam", 1e-3), tf.distribute.get_strategy()
    )
    runners = {
        "model_fit": lambda: fit_model.fit(pipeline, epochs=1, verbose=0, shuffle=False),
        "project_loop": lambda: trainer.fit(pipeline, epochs=1, verbose=0),
    }
    rates = {name: [] for name in runners}
    for epoch in range(args.epochs + 1):
        for name, run in runners.items():
            start = time.perf_counter()
            run()
            rate = data.num_train / (time.perf_counter() - start)
            if epoch:
                rates[name].append(rate)
            note = "" if epoch else " (warm-up, not counted)"
            print(f"epoch {epoch} {name}: {rate:,.0f} images/s{note}", flush=True)
        # The loop resumes at the optimizer's step: start each of its epochs afresh.
        trainer.optimizer.iterations.assign(0)
    medians = {name: statistics.median(r) for name, r in rates.items()}
    result = {
        "model": args.model,
        "batch_size": args.batch_size,
        "timed_epochs": args.epochs,
        "images_per_s": {k: round(v) for k, v in medians.items()},
        "ratio_loop_over_fit": round(medians["project_loop"] / medians["model_fit"], 3),
        "all_rates": {k: [round(r) for r in v] for k, v in rates.items()},
    }
    print(json.dumps(result, indent=2))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "loop_overhead.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
