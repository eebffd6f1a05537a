#!/usr/bin/env python3
"""Benchmark: the training run's loop against plain Keras `fit`, images/s, TensorFlow and JAX.

The run's loop is `fit_from` (components.training.resumable_fit) over the run's own data: on
TensorFlow the epoch-indexed tf.data pipeline (`NormalizedData.pipeline(..., epochs=...)`,
as `NormalizedData.training_batches` builds it), on JAX `ArrayBatches` with its
`epoch_setter()` callback (as `NormalizedArrays.training_batches` builds it). Plain Keras is
`model.fit(pipeline, epochs=1)` on the plain reshuffling pipeline of the same data
(TensorFlow), and `model.fit(x, y, batch_size, shuffle=True, epochs=1)` on the same
normalized NumPy arrays (JAX). Same model, same initial
weights, Adam 1e-3, no augmentation, seed 0, separate model instances; none of the run's
callbacks (checkpoints, logs), which are not the loop.

Keras picks its backend once per process, so each backend runs in a worker process of its own,
one after the other; inside a worker the setups alternate one epoch each per round, the first
round is a warm-up (tracing, compiling, the tf.data cache filling) and is not counted. Reported
per backend: median images/s of each setup, the ratio run / plain of the medians (issue 23's
target: >= 1.00 on both), and its spread, the min-max of the ratios of the two setups' epochs
of the same round.

On TensorFlow the epoch-indexed pipeline is built once for all the rounds' epochs, as a fresh
run's `fit_from` builds it once for all its epochs; each round is a `fit_from` call of one
epoch of it (a new `fit` starts a new iterator, so every round reads the first epoch's order:
the same work). A third setup, `run_loop_new_pipeline`, builds the pipeline anew for each
round (`fit_from(epoch=k, batch=0, epochs=k + 1)`), as a resumed run does once per `fit`:
each new pipeline fills its own cache of the preprocessed images.

    python benchmarks/run_loop_throughput.py [--model lenet5_bn] [--batch-size 128]
        [--train-split 'train[:20000]'] [--rounds 8] [--backends tensorflow jax]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import RESULTS, alternate_epochs, quiet, ratio_result, save_result

BACKENDS = ("tensorflow", "jax")
RUN, PLAIN, RUN_NEW = "run_loop", "plain_fit", "run_loop_new_pipeline"
TARGET = 1.00


def tensorflow_runners(args) -> tuple[dict, int]:
    """The TensorFlow setups (run loop, plain fit, run loop with a new pipeline per round)."""
    import keras

    import zoo
    from components.data import load_normalized
    from components.optimizers import make_optimizer
    from components.training import compile_classifier
    from components.training.compile import with_aux_targets
    from components.training.resumable_fit import fit_from

    data = load_normalized("fashion_mnist", train_split=args.train_split, test_split=None)
    print(data.describe(), flush=True)
    batches_per_epoch = -(-data.data.num_train // args.batch_size)

    def new_model():
        keras.utils.set_random_seed(0)
        # The run compiles with its config's jit_compile, False by default.
        model = zoo.create(args.model, input_shape=data.model_input_shape)
        return compile_classifier(model, make_optimizer("adam", 1e-3), jit_compile=False)

    def train_pipeline(**epochs):  # as the run's: no augmentation, class ids
        return data.pipeline(
            "train",
            args.batch_size,
            training=True,
            seed=0,
            augment="none",
            soft_labels=False,
            seed_per_batch=False,
            **epochs,
        )

    plain_model, run_model, new_model_ = new_model(), new_model(), new_model()
    plain = train_pipeline()
    built_once = with_aux_targets(train_pipeline(epochs=(0, args.rounds + 1)), run_model)

    def train_built_once(epoch, skip, end):
        return built_once, batches_per_epoch - skip, []

    def train_new(epoch, skip, end):  # fitting.py's train_from
        train = train_pipeline(epochs=(epoch, end), skip=skip)
        return with_aux_targets(train, new_model_), batches_per_epoch - skip, []

    def loop(model, train_from):
        epoch = 0

        def one_epoch():
            nonlocal epoch
            fit_from(
                model,
                train_from,
                epoch=epoch,
                batch=0,
                epochs=epoch + 1,
                batches_per_epoch=batches_per_epoch,
                verbose=0,
            )
            epoch += 1

        return one_epoch

    runners = {
        PLAIN: lambda: plain_model.fit(plain, epochs=1, verbose=0),
        RUN: loop(run_model, train_built_once),
        RUN_NEW: loop(new_model_, train_new),
    }
    return runners, data.data.num_train


def jax_runners(args) -> tuple[dict, int]:
    """The JAX setups (run loop over `ArrayBatches`, plain fit on normalized arrays)."""
    import keras
    import numpy as np

    import zoo
    from components.data.array_batches import ArrayBatches
    from components.data.arrays import load_array_splits
    from components.data.preprocessing import Preprocessing
    from components.optimizers import make_optimizer
    from components.training import compile_classifier
    from components.training.resumable_fit import fit_from

    arrays = load_array_splits("fashion_mnist", train_split=args.train_split, test_split="")
    print(arrays.describe(), flush=True)
    preprocessing = Preprocessing.from_arrays(arrays.x_train)
    input_shape = preprocessing.output_shape(arrays.image_shape)

    def new_model():
        keras.utils.set_random_seed(0)
        model = zoo.create(args.model, input_shape=input_shape)
        return compile_classifier(model, make_optimizer("adam", 1e-3))  # as the run's

    def batches(epoch=0, skip=0):  # the run's training batches, no augmentation
        return ArrayBatches(
            arrays.x_train,
            arrays.y_train,
            preprocessing,
            batch_size=args.batch_size,
            seed=0,
            epoch=epoch,
            skip=skip,
        )

    def train_from(epoch, skip, end):  # the run's
        train = batches(epoch, skip)
        return train, None, [train.epoch_setter()]

    mean = np.asarray(preprocessing.mean, np.float32)
    std = np.asarray(preprocessing.std, np.float32)
    x = (arrays.x_train.astype(np.float32) * preprocessing.scale - mean) / std
    y = arrays.y_train
    plain_model, run_model = new_model(), new_model()
    batches_per_epoch = batches().batches_per_epoch
    epoch = 0

    def run_loop():
        nonlocal epoch
        fit_from(
            run_model,
            train_from,
            epoch=epoch,
            batch=0,
            epochs=epoch + 1,
            batches_per_epoch=batches_per_epoch,
            verbose=0,
        )
        epoch += 1

    runners = {
        PLAIN: lambda: plain_model.fit(
            x, y, batch_size=args.batch_size, shuffle=True, epochs=1, verbose=0
        ),
        RUN: run_loop,
    }
    return runners, len(x)


def worker(args) -> None:
    """One backend's alternating rounds; the per-round rates go to `args.worker_out`."""
    quiet()
    import keras

    if keras.backend.backend() != args.worker:
        raise SystemExit(f"asked for {args.worker}, Keras runs {keras.backend.backend()}")
    make = tensorflow_runners if args.worker == "tensorflow" else jax_runners
    runners, images = make(args)
    rates = alternate_epochs(runners, args.rounds, images)
    Path(args.worker_out).write_text(json.dumps({"images_per_round": images, "rates": rates}))


def spread(rates: dict[str, list[float]], numerator: str, denominator: str) -> dict:
    """The ratios of the two setups' epochs of each round: min, median, max."""
    paired = [a / b for a, b in zip(rates[numerator], rates[denominator], strict=True)]
    return {
        "min": round(min(paired), 3),
        "median": round(statistics.median(paired), 3),
        "max": round(max(paired), 3),
    }


def reading(ratio: float, paired: dict) -> str:
    """Whether the target is met, from the ratio of medians and the per-round spread."""
    span = f"per-round ratios {paired['min']:.3f}-{paired['max']:.3f}"
    if ratio >= TARGET:
        return f"met ({span})"
    if paired["min"] <= TARGET <= paired["max"]:
        return f"not met; within this run's noise ({span} span {TARGET:.2f})"
    return f"not met ({span}, all below {TARGET:.2f})"


def backend_result(backend: str, measured: dict, args) -> dict:
    rates = measured["rates"]
    result = ratio_result(
        rates,
        RUN,
        PLAIN,
        backend=backend,
        images_per_round=measured["images_per_round"],
        timed_rounds=args.rounds,
    )
    paired = spread(rates, RUN, PLAIN)
    result["per_round_ratio_run_loop_over_plain_fit"] = paired
    result["min_max_images_per_s"] = {k: [round(min(v)), round(max(v))] for k, v in rates.items()}
    ratio = result[f"ratio_{RUN}_over_{PLAIN}"]
    result["target"] = f"ratio >= {TARGET:.2f}"
    result["target_met"] = ratio >= TARGET
    result["reading"] = reading(ratio, paired)
    if RUN_NEW in rates:
        medians = {k: statistics.median(v) for k, v in rates.items()}
        result[f"ratio_{RUN_NEW}_over_{PLAIN}"] = round(medians[RUN_NEW] / medians[PLAIN], 3)
        result[f"per_round_ratio_{RUN_NEW}_over_{PLAIN}"] = spread(rates, RUN_NEW, PLAIN)
    return result


def print_table(results: dict) -> None:
    print(f"\n{'backend':<11} {'setup':<22} {'median img/s':>12} {'min-max img/s':>16} ratio")
    for backend, result in results.items():
        for setup, median in result["images_per_s"].items():
            low, high = result["min_max_images_per_s"][setup]
            ratio = result.get(f"ratio_{setup}_over_{PLAIN}", "")
            print(f"{backend:<11} {setup:<22} {median:>12,} {low:>7,}-{high:<8,} {ratio}")
        print(f"{backend:<11} target ratio >= {TARGET:.2f}: {result['reading']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="lenet5_bn")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--train-split", default="train", help="tfds split, e.g. 'train[:20000]'")
    parser.add_argument("--rounds", type=int, default=8, help="timed rounds (after a warm-up)")
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--verbose", action="store_true", help="TensorFlow's start-up lines")
    parser.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error(f"--rounds must be at least 1, got {args.rounds}")
    if args.worker:
        worker(args)
        return
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends:
            print(f"--- {backend} ---", flush=True)
            out = Path(tmp, f"{backend}.json")
            command = [sys.executable, __file__, *sys.argv[1:], f"--worker={backend}"]
            subprocess.run(
                [*command, f"--worker-out={out}"],
                env={**os.environ, "KERAS_BACKEND": backend},
                check=True,
            )
            results[backend] = backend_result(backend, json.loads(out.read_text()), args)
    print_table(results)
    command = shlex.join(["python", "benchmarks/run_loop_throughput.py", *sys.argv[1:]])
    save_result(
        f"run_loop_throughput_{args.model}",
        {
            "command": command,
            "model": args.model,
            "batch_size": args.batch_size,
            "train_split": args.train_split,
            "backends": results,
        },
        args.out,
    )


if __name__ == "__main__":
    main()
