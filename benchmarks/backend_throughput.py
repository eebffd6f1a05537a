#!/usr/bin/env python3
"""Benchmark: training images/s of a zoo model under Keras's JAX and TensorFlow backends.

Keras picks its backend once per process, so each backend trains in a worker process of its
own; both build the same model (same options, same batch of data, Adam 1e-3, augmentation
off) and take warm-up steps, then the parent asks them in turn for one round of timed
training steps (`train_on_batch` on the same batch), so a shared machine's noise falls on both.
Reported: the median images/s of each over the rounds, and JAX / TensorFlow (issue 16).

    python benchmarks/backend_throughput.py                      # lenet5_bn, batch 128
    python benchmarks/backend_throughput.py --model vgg11_bn --steps 10
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from harness import RESULTS, ROOT, ratio_result, save_result

BACKENDS = ("jax", "tensorflow")

WORKER = """
import json, sys, time
import numpy as np
sys.path.insert(0, {root!r})
from components.console import quiet_tensorflow
quiet_tensorflow()
import keras
import zoo
from components.optimizers import make_optimizer
from components.training import compile_classifier
model_name, batch, steps = {model!r}, {batch}, {steps}
keras.utils.set_random_seed(0)
model = compile_classifier(zoo.create(model_name), make_optimizer("adam", 1e-3))
rng = np.random.default_rng(0)
x = rng.normal(size=(batch, 28, 28, 1)).astype("float32")
y = rng.integers(0, 10, batch)
for _ in range(3):
    model.train_on_batch(x, y)  # compiling, then warm
print("ready", flush=True)
for line in sys.stdin:
    start = time.perf_counter()
    for _ in range(steps):
        loss = model.train_on_batch(x, y)
    float(np.asarray(loss).ravel()[0])  # waits for the device
    print(json.dumps(batch * steps / (time.perf_counter() - start)), flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="lenet5_bn")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=50, help="training steps per round")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds per backend")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    code = WORKER.format(root=str(ROOT), model=args.model, batch=args.batch_size, steps=args.steps)
    workers = {}
    for backend in BACKENDS:
        env = {**os.environ, "KERAS_BACKEND": backend}
        workers[backend] = subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        if workers[backend].stdout.readline().strip() != "ready":
            raise SystemExit(f"the {backend} worker did not start")
    rates = {backend: [] for backend in BACKENDS}
    for round_ in range(args.rounds):
        for backend, worker in workers.items():
            worker.stdin.write("go\n")
            worker.stdin.flush()
            rate = json.loads(worker.stdout.readline())
            rates[backend].append(rate)
            print(f"round {round_} {backend}: {rate:,.0f} images/s", flush=True)
    for worker in workers.values():
        worker.stdin.close()
        worker.wait(timeout=60)
    result = ratio_result(
        rates,
        "jax",
        "tensorflow",
        model=args.model,
        batch_size=args.batch_size,
        steps_per_round=args.steps,
        rounds=args.rounds,
    )
    save_result(f"backend_throughput_{args.model}", result, args.out)


if __name__ == "__main__":
    main()
