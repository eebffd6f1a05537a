#!/usr/bin/env python3
"""Benchmark: where a training step's time goes, op type by op type (TensorFlow's profiler).

`step_efficiency.py` measures how far each model's training step is from this CPU's float32
matmul rate; this one says where the rest goes. One model trains with plain Keras `fit` on
random images in memory (as in `step_efficiency.py`: batch 128, Adam, no input pipeline); after
a warm-up `fit`, `--steps` steps run under `tf.profiler.experimental` (the trace TensorBoard's
profile plugin shows, kept under `--logdir`). The trace's TensorFlow op events on the host are
summed by op type (Conv2D, Conv2DBackpropFilter, FusedBatchNormV3, ...) and each type's share of
the ops' time is reported, with the convolutions' and matmuls' share together as the time spent
in the kernels a FLOP count measures; the rest is BatchNorm, activations, pooling, the
optimizer's updates and the framework's own work between ops.

The events are read from the profiler's XSpace protobuf (`tensorflow.tsl.profiler.protobuf.
xplane_pb2`), so no profiler plugin is needed: TensorFlow writes it and ships its schema.

    python benchmarks/step_profile.py [--model vgg11_bn] [--steps 10] [--batch-size 128]
        [--logdir benchmarks/results/step_profile]
"""

from __future__ import annotations

import argparse
import collections
import shlex
import shutil
import sys
import time
from pathlib import Path

from harness import RESULTS, matmul_gflops, quiet, save_result

# Op types whose time the model's FLOP count measures: the convolutions and matrix products,
# forward and backward, under any of TensorFlow's names for them (with oneDNN, the default on
# x86 CPUs: "_MklNativeConv2DBackpropFilter", "_MklNativeFusedConv2D", "_MklMatMul", ...).
FLOP_OP_MARKS = ("Conv2D", "MatMul")


def op_times(logdir: Path) -> dict[str, float]:
    """Microseconds per TensorFlow op type over every op event of the profile in `logdir`."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    totals: dict[str, float] = collections.defaultdict(float)
    for path in logdir.rglob("*.xplane.pb"):
        space = xplane_pb2.XSpace()
        space.ParseFromString(path.read_bytes())
        for plane in space.planes:
            if not plane.name.startswith("/host:CPU"):
                continue
            for line in plane.lines:
                # The executor's threads ("tf_Compute/..."); their op events are named
                # "scope/name:Type", their bookkeeping "Class::Method".
                if not line.name.startswith("tf_Compute"):
                    continue
                for event in line.events:
                    name = plane.event_metadata[event.metadata_id].name
                    if ":" not in name or "::" in name:
                        continue
                    op_type = name.rsplit(":", 1)[1]
                    totals[op_type] += event.duration_ps / 1e6
    return dict(totals)


def profile(args) -> dict:
    import keras
    import numpy as np
    import tensorflow as tf

    import zoo
    from components.diagnostics.flops import count_flops

    keras.utils.set_random_seed(0)
    model = zoo.create(args.model)
    flops = count_flops(model)
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    rng = np.random.default_rng(0)
    images = rng.normal(size=(args.batch_size * args.steps, *model.input_shape[1:]))
    labels = rng.integers(0, 10, len(images))
    images = images.astype("float32")
    model.fit(images, labels, batch_size=args.batch_size, epochs=1, verbose=0)  # warm-up
    logdir = Path(args.logdir)
    shutil.rmtree(logdir, ignore_errors=True)  # this run's profile only
    tf.profiler.experimental.start(str(logdir))
    start = time.perf_counter()
    model.fit(images, labels, batch_size=args.batch_size, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    tf.profiler.experimental.stop()
    gflops = matmul_gflops()
    times = op_times(logdir)
    if not times:
        raise SystemExit(f"no op events in the profile under {logdir}")
    total = sum(times.values())
    ranked = sorted(times.items(), key=lambda item: -item[1])
    flop_share = sum(t for op, t in times.items() if any(m in op for m in FLOP_OP_MARKS)) / total
    return {
        "model": args.model,
        "batch_size": args.batch_size,
        "steps": args.steps,
        "forward_mflop_per_image": round(flops / 1e6, 1),
        "matmul_gflops": round(gflops, 1),
        "wall_ms_per_step": round(seconds * 1e3 / args.steps, 2),
        # The ops of a step run on two executor threads at once: their sum can pass the wall.
        "op_ms_per_step": round(total / 1e3 / args.steps, 2),
        "achieved_fraction_of_matmul": round(
            args.batch_size * args.steps / seconds * 3 * flops / 1e9 / gflops, 3
        ),
        "flop_ops_share": round(flop_share, 3),
        "by_op_type": [
            {"op": op, "ms_per_step": round(t / 1e3 / args.steps, 3), "share": round(t / total, 3)}
            for op, t in ranked
        ],
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="vgg11_bn")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--logdir", default=str(RESULTS / "step_profile"))
    args = parser.parse_args(argv)
    if args.steps < 1 or args.batch_size < 1:
        parser.error("--steps and --batch-size must be positive integers")
    quiet()
    result = profile(args)
    result["command"] = shlex.join(["python", "benchmarks/step_profile.py", *sys.argv[1:]])
    share = result["flop_ops_share"]
    print(f"{args.model}: {result['wall_ms_per_step']} ms per step, {share:.1%} of its ops' time "
          "in convolutions and matmuls")  # fmt: skip
    save_result(f"step_profile_{args.model}", result)


if __name__ == "__main__":
    main()
