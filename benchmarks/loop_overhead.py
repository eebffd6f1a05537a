#!/usr/bin/env python3
"""Benchmark: throughput of the project's training loop against `model.fit` on one device.

Same model (`lenet5_bn`), initial weights, batches (the project's Fashion-MNIST pipeline) and
optimizer; the two alternate epoch by epoch in one run, the first epoch of each is discarded,
and the ratio of median images/s is reported. Target (issue 4): ratio >= 0.95.

    python benchmarks/loop_overhead.py [--epochs 4] [--batch-size 128] [--model lenet5_bn]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness import RESULTS, alternate_epochs, quiet, ratio_result, save_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=4, help="timed epochs per loop")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--model", default="lenet5_bn")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    quiet()
    import keras
    import tensorflow as tf

    import zoo
    from components.data import load_normalized
    from components.distribute import DistributedTrainer
    from components.optimizers import make_optimizer
    from components.training import compile_classifier

    normalized = load_normalized("fashion_mnist")
    data = normalized.data
    pipeline = normalized.pipeline("train", args.batch_size, training=True, seed=0)

    keras.utils.set_random_seed(0)
    fit_model = compile_classifier(zoo.create(args.model), make_optimizer("adam", 1e-3))
    keras.utils.set_random_seed(0)
    trainer = DistributedTrainer(
        zoo.create(args.model), make_optimizer("adam", 1e-3), tf.distribute.get_strategy()
    )
    runners = {
        "model_fit": lambda: fit_model.fit(pipeline, epochs=1, verbose=0, shuffle=False),
    }

    def run_loop():
        trainer.fit(pipeline, epochs=1, verbose=0)
        trainer.optimizer.iterations.assign(0)  # the loop resumes at the step: start afresh

    runners["project_loop"] = run_loop
    rates = alternate_epochs(runners, args.epochs, data.num_train)
    result = ratio_result(
        rates,
        "project_loop",
        "model_fit",
        model=args.model,
        batch_size=args.batch_size,
        timed_epochs=args.epochs,
    )
    save_result("loop_overhead", result, args.out)


if __name__ == "__main__":
    main()
