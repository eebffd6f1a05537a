#!/usr/bin/env python3
"""Benchmark: inference speed of the three export formats on this CPU, against the SavedModel.

For each model (and a 2-member `mean-probs` ensemble of one architecture, two seeds), one
SavedModel is exported with `export_classifier` (`export_ensemble`) into a temporary directory
and converted to ONNX and LiteRT with `export_format` (which checks each file against the
SavedModel). Weights do not matter for speed: the models are freshly initialized
(`zoo.create`, seeded), so no trained export and no dataset are needed. The images are random
uint8 (seed 0), 28x28x1, the same for every format.

Each format is called the way a user of its runtime would call it:

- SavedModel: `tf.saved_model.load(dir).signatures["serving_uint8"](images=uint8 tensor)`;
- ONNX: `onnxruntime.InferenceSession(file, providers=["CPUExecutionProvider"]).run(None,
  {"images": float32 array})` (ONNX's one input type; the images are cast once, beforehand);
- LiteRT: `Interpreter(model_path=file).get_signature_runner("serving_uint8")(images=uint8
  array)`, with the interpreter's default threads (one) unless `--litert-threads`.

Measured per round: batch-1 latency, the median and p99 of `--latency-calls` calls, and
batch-256 throughput, the best of `--throughput-calls` calls (each after one warm-up call; and
`WARMUP_CALLS` of each size before the first round, not counted). The formats and models take
turns round by round, so a slow period of this shared machine hits them all alike; the medians
over rounds are reported, with each format's ratio to the SavedModel of the same model in the
same run (latency: lower is faster; throughput: higher is faster).

    python benchmarks/serving_formats.py [--rounds 7] [--latency-calls 50] \
        [--throughput-calls 3] [--models lenet5_bn,vgg11_bn] [--ensemble vgg11_bn] [--quick]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from harness import RESULTS, matmul_gflops, quiet, save_result, timed_calls

FORMATS = ("saved_model", "onnx", "litert")
IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
BATCH = 256
ENSEMBLE_SEEDS = (0, 1)
# Calls of each size made once before the first round, not counted: ONNX Runtime's first
# batch-256 calls are several times slower than the next (its memory arena grows).
WARMUP_CALLS = 3
# A smoke run: one round, a few calls, the small model (and its ensemble) only.
QUICK = {
    "rounds": 1,
    "latency_calls": 5,
    "throughput_calls": 1,
    "models": "lenet5_bn",
    "ensemble": "lenet5_bn",
}


def call_times(function, images, calls: int) -> list[float]:
    """Seconds of each of `calls` consecutive calls, after one warm-up call."""
    function(images=images)
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        function(images=images)
        times.append(time.perf_counter() - start)
    return times


def percentile(values: list[float], q: float) -> float:
    """The `q`-th percentile of `values`, linearly interpolated (NumPy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def export_model(name: str, seed: int, base_dir: Path) -> Path:
    """A freshly initialized `name` (main head only), exported as a SavedModel."""
    import keras

    import zoo
    from components.data.preprocessing import Preprocessing
    from components.export.saved_model import export_classifier

    keras.utils.set_random_seed(seed)
    model = zoo.create(name, input_shape=IMAGE_SHAPE, num_classes=NUM_CLASSES)
    if len(model.outputs) > 1:  # GoogLeNet's auxiliary heads: inference uses the main one
        model = keras.Model(model.inputs, model.outputs[0], name=f"{model.name}_inference")
    return export_classifier(
        model,
        base_dir,
        image_shape=IMAGE_SHAPE,
        preprocessing=Preprocessing(mean=(0.286,), std=(0.353,)),
        class_names=[str(i) for i in range(NUM_CLASSES)],
    )


def export_all(models: list[str], ensemble: str | None, tmp: Path) -> dict[str, dict[str, Path]]:
    """`{model: {format: file or SavedModel directory}}` for every model and the ensemble."""
    from components.export.ensemble import export_ensemble
    from components.export.formats import FORMAT_FILES, export_format
    from components.export.serving import SavedClassifier

    saved = {name: export_model(name, 0, tmp / name) for name in models}
    if ensemble:
        members = [
            SavedClassifier(export_model(ensemble, seed, tmp / f"{ensemble}-seed{seed}"))
            for seed in ENSEMBLE_SEEDS
        ]
        key = f"ensemble-{len(members)}x{ensemble}"
        saved[key] = export_ensemble(members, tmp / key, method="mean-probs")
    files = {}
    for key, directory in saved.items():
        files[key] = {"saved_model": directory}
        for format_name, file_name in FORMAT_FILES.items():
            print(f"converting {key} to {format_name}", flush=True)
            converted = export_format(directory, format_name, tmp / "converted", base_name=key)
            files[key][format_name] = converted / file_name
    return files


def load_callers(files: dict[str, Path], litert_threads: int | None) -> dict:
    """Each format's call, `f(images=...)`, loaded as a user of its runtime would."""
    import onnxruntime
    import tensorflow as tf
    from ai_edge_litert.interpreter import Interpreter

    from components.console import captured_stderr_lines

    session = onnxruntime.InferenceSession(str(files["onnx"]), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name

    def onnx(images):
        return session.run(None, {input_name: images})

    # The interpreter announces its XNNPACK delegate on stderr at every load.
    with captured_stderr_lines(keep=lambda line: "XNNPACK delegate" not in line):
        interpreter = Interpreter(model_path=str(files["litert"]), num_threads=litert_threads)
        litert = interpreter.get_signature_runner("serving_uint8")
    return {
        "saved_model": tf.saved_model.load(str(files["saved_model"])).signatures["serving_uint8"],
        "onnx": onnx,
        "litert": litert,
    }


def inputs_for(images) -> dict:
    """The same images in each format's input type."""
    import numpy as np
    import tensorflow as tf

    return {
        "saved_model": tf.constant(images),
        "onnx": images.astype(np.float32),
        "litert": images,
    }


def summarize(per_round: dict) -> list[dict]:
    """One row per model and format: medians over rounds, and ratios to the SavedModel's."""
    rows = []
    for model, formats in per_round.items():
        medians = {
            name: {key: statistics.median(values) for key, values in figures.items()}
            for name, figures in formats.items()
        }
        reference = medians["saved_model"]
        for name, figures in medians.items():
            row = {
                "model": model,
                "format": name,
                "batch1_median_ms": round(figures["batch1_median_ms"], 4),
                "batch1_p99_ms": round(figures["batch1_p99_ms"], 4),
                "batch256_images_per_s": round(figures["batch256_images_per_s"], 1),
            }
            row["latency_ratio"] = round(
                row["batch1_median_ms"] / round(reference["batch1_median_ms"], 4), 3
            )
            row["throughput_ratio"] = round(
                row["batch256_images_per_s"] / round(reference["batch256_images_per_s"], 1), 3
            )
            rows.append(row)
    return rows


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| model | format | batch-1 median ms | batch-1 p99 ms | batch-256 images/s "
        "| latency / SavedModel | throughput / SavedModel |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['model']} | {row['format']} | {row['batch1_median_ms']:.3f} "
            f"| {row['batch1_p99_ms']:.3f} | {row['batch256_images_per_s']:,.0f} "
            f"| {row['latency_ratio']:.2f} | {row['throughput_ratio']:.2f} |"
        )
    return "\n".join(lines)


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--latency-calls", type=int, default=50, help="batch-1 calls per round")
    parser.add_argument(
        "--throughput-calls", type=int, default=3, help="batch-256 calls per round (best taken)"
    )
    parser.add_argument("--models", default="lenet5_bn,vgg11_bn", help="comma-separated")
    parser.add_argument(
        "--ensemble",
        default="vgg11_bn",
        help="the architecture of the 2-member ensemble (two seeds); 'none' for no ensemble",
    )
    parser.add_argument(
        "--litert-threads", type=int, default=None, help="LiteRT threads (default: its own, 1)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 round, few calls, lenet5_bn (and its ensemble) only",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
    if min(args.rounds, args.latency_calls, args.throughput_calls) < 1:
        parser.error("--rounds, --latency-calls and --throughput-calls must be at least 1")
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    ensemble = None if args.ensemble.lower() == "none" else args.ensemble
    quiet()

    import numpy as np

    gflops = matmul_gflops()
    print(f"float32 matmul: {gflops:.0f} GFLOP/s", flush=True)
    rng = np.random.default_rng(0)
    one = rng.integers(0, 256, (1, *IMAGE_SHAPE), dtype=np.uint8)
    batch = rng.integers(0, 256, (BATCH, *IMAGE_SHAPE), dtype=np.uint8)
    inputs_one, inputs_batch = inputs_for(one), inputs_for(batch)
    with tempfile.TemporaryDirectory(prefix="serving-formats-") as tmp:
        files = export_all(models, ensemble, Path(tmp))
        callers = {key: load_callers(paths, args.litert_threads) for key, paths in files.items()}
        per_round = {
            key: {
                name: {"batch1_median_ms": [], "batch1_p99_ms": [], "batch256_images_per_s": []}
                for name in FORMATS
            }
            for key in callers
        }
        for formats in callers.values():
            for name, call in formats.items():
                for images in (inputs_one[name], inputs_batch[name]):
                    for _ in range(WARMUP_CALLS):
                        call(images=images)
        for round_ in range(args.rounds):
            for key, formats in callers.items():
                for name in FORMATS:
                    call, figures = formats[name], per_round[key][name]
                    times = call_times(call, inputs_one[name], args.latency_calls)
                    figures["batch1_median_ms"].append(statistics.median(times) * 1e3)
                    figures["batch1_p99_ms"].append(percentile(times, 99) * 1e3)
                    seconds = timed_calls(call, inputs_batch[name], args.throughput_calls)
                    figures["batch256_images_per_s"].append(BATCH / seconds)
                    print(
                        f"round {round_} {key} {name}: batch 1 "
                        f"{figures['batch1_median_ms'][-1]:.3f} ms (p99 "
                        f"{figures['batch1_p99_ms'][-1]:.3f}), batch {BATCH} "
                        f"{figures['batch256_images_per_s'][-1]:,.0f} images/s",
                        flush=True,
                    )
        del callers  # sessions and interpreters hold the files open
    rows = summarize(per_round)
    result = {
        "command": " ".join(["python", "benchmarks/serving_formats.py", *sys.argv[1:]]),
        "quick": args.quick,
        "rounds": args.rounds,
        "latency_calls": args.latency_calls,
        "throughput_calls": args.throughput_calls,
        "batch": BATCH,
        "images": f"random uint8, seed 0, {'x'.join(map(str, IMAGE_SHAPE))}",
        "models": list(per_round),
        "formats": list(FORMATS),
        "cpu_count": os.cpu_count(),
        "litert_threads": args.litert_threads or 1,
        "matmul_gflops": round(gflops, 1),
        "versions": {
            d: _version(d) for d in ("tensorflow", "tf2onnx", "onnxruntime", "ai-edge-litert")
        },
        "rows": rows,
        "per_round": {
            key: {
                name: {k: [round(v, 4) for v in values] for k, values in figures.items()}
                for name, figures in formats.items()
            }
            for key, formats in per_round.items()
        },
    }
    table = markdown_table(rows)
    path = save_result(f"serving_formats{'_quick' if args.quick else ''}", result, args.out)
    print()
    print(table)
    print(f"\nfloat32 matmul: {gflops:.0f} GFLOP/s. Written: {path}")


if __name__ == "__main__":
    main()
