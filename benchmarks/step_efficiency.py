#!/usr/bin/env python3
"""Benchmark: how close each zoo model's training step comes to this CPU's float32 matmul rate.

A training step's achieved rate is images/s x 3 x the model's forward FLOPs per image
(`count_flops`: a backward pass costs about twice the forward one); this machine's rate is the
best float32 matmul of two 2048 x 2048 matrices through TensorFlow's kernels (what Dense and,
through im2col or oneDNN, convolutions run on), measured in the same run, at its start and its
end (the machines are shared: the two bound the noise). Each model trains with plain Keras
`fit` on random 28x28x1 images already in memory (no input pipeline), Adam, sparse
cross-entropy, after one warm-up `fit` (tracing, oneDNN's kernel choice); images/s is the best
of `--repeats` timed `fit` calls of `--steps` steps.

Variants of the same computation, for the VGG-BN models (`--variants`): `batch256` (a bigger
batch per step), `xla` (`jit_compile=True`: XLA fuses the BatchNorm and ReLU into the
convolutions' neighbours), `spe8` (`steps_per_execution=8`: eight steps per call into the
graph). Each is reported as its fraction of the matmul rate and its ratio to the baseline
(batch 128, no XLA, one step per execution) measured just before it.

    python benchmarks/step_efficiency.py [--models vgg11_bn,lenet5_bn,...] [--steps 12]
        [--repeats 3] [--variants batch256,xla,spe8]
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time

from harness import matmul_gflops, quiet, save_result

BASE_BATCH = 128
VARIANTS = {
    "batch256": {"batch_size": 256},
    "xla": {"jit_compile": True},
    "spe8": {"steps_per_execution": 8},
}


def step_rate(
    name: str,
    *,
    batch_size: int = BASE_BATCH,
    jit_compile: bool = False,
    steps_per_execution: int = 1,
    steps: int,
    repeats: int,
) -> tuple[float, float]:
    """`(images/s, forward FLOPs per image)` of `fit` on random images, best of `repeats`."""
    import keras
    import numpy as np

    import zoo
    from components.diagnostics.flops import count_flops

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = zoo.create(name)
    flops = count_flops(model)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile,
        steps_per_execution=steps_per_execution,
    )
    rng = np.random.default_rng(0)
    images = steps * batch_size
    x = rng.standard_normal((images, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, images)
    outputs = len(model.outputs)  # GoogLeNet with auxiliary heads: one target per head
    targets = y if outputs == 1 else tuple([y] * outputs)
    model.fit(x, targets, batch_size=batch_size, epochs=1, verbose=0)  # warm-up
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        model.fit(x, targets, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
        best = min(best, time.perf_counter() - start)
    return images / best, flops


def main(argv: list[str] | None = None) -> int:
    quiet()
    import zoo

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(zoo.list_models("*_bn") + ["alexnet",
                        "nin", "googlenet"]))  # fmt: skip
    parser.add_argument("--steps", type=int, default=12, help="steps per timed fit")
    parser.add_argument("--repeats", type=int, default=3, help="timed fits; the best counts")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="for the VGG-BN models")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = sorted(set(models) - set(zoo.list_models())) + sorted(set(variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown model or variant {', '.join(unknown)}")

    matmul_start = matmul_gflops()
    print(f"float32 matmul: {matmul_start:.0f} GFLOP/s")
    rows = []
    for name in models:
        rate, flops = step_rate(name, steps=args.steps, repeats=args.repeats)
        achieved = rate * 3 * flops / 1e9
        row = {
            "model": name,
            "forward_mflop": round(flops / 1e6, 1),
            "images_per_second": round(rate, 1),
            "gflops": round(achieved, 1),
            "fraction_of_matmul": round(achieved / matmul_start, 3),
            "variants": {},
        }
        print(f"{name}: {rate:.0f} images/s, {achieved:.0f} GFLOP/s, "
              f"{achieved / matmul_start:.2f} of matmul")  # fmt: skip
        if name.startswith("vgg") and name.endswith("_bn"):
            for variant in variants:
                settings = VARIANTS[variant]
                v_rate, _ = step_rate(name, steps=args.steps, repeats=args.repeats, **settings)
                v_achieved = v_rate * 3 * flops / 1e9
                row["variants"][variant] = {
                    "images_per_second": round(v_rate, 1),
                    "fraction_of_matmul": round(v_achieved / matmul_start, 3),
                    "ratio_to_baseline": round(v_rate / rate, 3),
                }
                print(f"  {variant}: {v_rate:.0f} images/s, {v_achieved / matmul_start:.2f} of "
                      f"matmul, x{v_rate / rate:.2f}")  # fmt: skip
        rows.append(row)
    matmul_end = matmul_gflops()
    print(f"float32 matmul at the end: {matmul_end:.0f} GFLOP/s")
    save_result(
        "step_efficiency",
        {
            "command": shlex.join(["python", "benchmarks/step_efficiency.py", *sys.argv[1:]]),
            "matmul_gflops": {"start": round(matmul_start, 1), "end": round(matmul_end, 1)},
            "batch_size": BASE_BATCH,
            "models": rows,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
