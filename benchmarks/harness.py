"""Shared pieces of the benchmark scripts: timing two setups epoch by epoch, saving results.

Every script starts with `quiet()`: TensorFlow's C++ start-up lines hidden, as the commands do.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def quiet() -> None:
    """Hides TensorFlow's start-up lines (`--verbose` on the command line shows them)."""
    import sys

    from components.console import quiet_tensorflow

    quiet_tensorflow(verbose="--verbose" in sys.argv)


def alternate_epochs(
    runners: dict[str, Callable[[], object]], epochs: int, images_per_epoch: int
) -> dict[str, list[float]]:
    """Runs one epoch of each runner in turn, `epochs + 1` times; returns images/s per runner.

    The first round is a warm-up (tracing, cache filling) and is not counted. Alternating
    spreads the noise of a shared machine over both setups; the order reverses every round
    (A B, B A, ...), so neither setup always runs first, right after the other's epoch.
    """
    rates = {name: [] for name in runners}
    for epoch in range(epochs + 1):
        order = list(runners.items())
        for name, run in order[::-1] if epoch % 2 else order:
            start = time.perf_counter()
            run()
            rate = images_per_epoch / (time.perf_counter() - start)
            if epoch:
                rates[name].append(rate)
            note = "" if epoch else " (warm-up, not counted)"
            print(f"epoch {epoch} {name}: {rate:,.0f} images/s{note}", flush=True)
    return rates


def ratio_result(rates: dict[str, list[float]], numerator: str, denominator: str, **facts) -> dict:
    """Medians and best epochs per runner, the ratios `numerator / denominator` of both, and
    the raw rates. The best epoch is timeit's estimator: a shared machine only slows runs down
    (here some epochs run at a throttled ~5,870 images/s whatever the setup)."""
    medians = {name: statistics.median(r) for name, r in rates.items()}
    best = {name: max(r) for name, r in rates.items()}
    return {
        **facts,
        "images_per_s": {k: round(v) for k, v in medians.items()},
        "best_images_per_s": {k: round(v) for k, v in best.items()},
        f"ratio_{numerator}_over_{denominator}": round(
            medians[numerator] / medians[denominator], 3
        ),
        f"best_ratio_{numerator}_over_{denominator}": round(
            best[numerator] / best[denominator], 3
        ),
        "all_rates": {k: [round(r) for r in v] for k, v in rates.items()},
    }


def timed_calls(function, images, calls: int) -> float:
    """Seconds per call of a SavedModel signature, the best of `calls` consecutive calls after
    one warm-up call (a shared machine only slows calls down)."""
    function(images=images)
    best = float("inf")
    for _ in range(calls):
        start = time.perf_counter()
        function(images=images)
        best = min(best, time.perf_counter() - start)
    return best


def matmul_gflops(n: int = 2048, repeats: int = 8) -> float:
    """This machine's float32 matmul rate, GFLOP/s: the best of `repeats` timed products of
    two n x n matrices (after one warm-up), through TensorFlow's kernels as training uses them."""
    import tensorflow as tf

    a, b = tf.random.normal((n, n)), tf.random.normal((n, n))
    tf.linalg.matmul(a, b).numpy()
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def save_result(name: str, result, out: Path = RESULTS) -> Path:
    """Prints the result and writes it to `benchmarks/results/<name>.json` (git-ignored)."""
    print(json.dumps(result, indent=2))
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(result, indent=2))
    return path


def lenet_on_fashion_mnist(batch_size: int):
    """The speed benchmarks' common setup: the project's Fashion-MNIST training pipeline and a
    factory of identically initialized, compiled `lenet5_bn` models (Adam 1e-3)."""
    import keras

    import zoo
    from components.data import load_normalized
    from components.optimizers import make_optimizer
    from components.training import compile_classifier

    data = load_normalized("fashion_mnist")
    pipeline = data.pipeline("train", batch_size, training=True, seed=0)

    def new_model():
        keras.utils.set_random_seed(0)
        return compile_classifier(zoo.create("lenet5_bn"), make_optimizer("adam", 1e-3))

    return data.data, pipeline, new_model
