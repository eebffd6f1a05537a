#!/usr/bin/env python3
"""Benchmark: batch-1 latency and batch-256 throughput of exported models and their ensemble.

Each member SavedModel and the 3-member ensemble exported from them (`mean-probs`, one
SavedModel) are called through their `serving_uint8` signature, loaded with
`tf.saved_model.load`. The models take turns round by round, so a slow period of this shared
machine hits them all alike; the medians over rounds are reported, and the ratio of the
ensemble's time to the sum of its members' times (target, issue 7: close to 1).

    python benchmarks/serving_latency.py saved_models/vgg11_bn saved_models/vgg13_bn \
        saved_models/googlenet [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from harness import RESULTS, quiet, save_result, timed_calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dirs", nargs=3, type=Path, help="three member exports")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--latency-calls", type=int, default=20, help="batch-1 calls per round")
    parser.add_argument("--throughput-calls", type=int, default=3, help="batch-256 calls")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    quiet()

    import numpy as np
    import tensorflow as tf

    from components.export import SavedClassifier, export_ensemble

    members = [SavedClassifier(d) for d in args.model_dirs]
    with tempfile.TemporaryDirectory() as tmp:
        ensemble_dir = export_ensemble(members, Path(tmp) / "ensemble", method="mean-probs")
        # Names made unique: two members may be the same architecture.
        member_names = [f"{m.name}#{i}" for i, m in enumerate(members)]
        models = {
            n: tf.saved_model.load(str(m.path)) for n, m in zip(member_names, members, strict=True)
        }
        models["ensemble"] = tf.saved_model.load(str(ensemble_dir))
        shape = members[0].input_shape[1:]
        rng = np.random.default_rng(0)
        one = tf.constant(rng.integers(0, 256, (1, *shape), dtype=np.uint8))
        batch = tf.constant(rng.integers(0, 256, (256, *shape), dtype=np.uint8))
        latency = {name: [] for name in models}
        throughput = {name: [] for name in models}
        for round_ in range(args.rounds):
            for name, model in models.items():
                serve = model.signatures["serving_uint8"]
                latency[name].append(timed_calls(serve, one, args.latency_calls))
                seconds = timed_calls(serve, batch, args.throughput_calls)
                throughput[name].append(256 / seconds)
                print(
                    f"round {round_} {name}: batch 1 {latency[name][-1] * 1e3:.2f} ms, "
                    f"batch 256 {throughput[name][-1]:,.0f} images/s",
                    flush=True,
                )
    median_ms = {k: statistics.median(v) * 1e3 for k, v in latency.items()}
    median_rate = {k: statistics.median(v) for k, v in throughput.items()}
    sum_ms = sum(median_ms[n] for n in member_names)
    # Throughput of the members run one after the other: 1 / sum of seconds per image.
    sum_rate = 1 / sum(1 / median_rate[n] for n in member_names)
    result = {
        "members": [str(m.path) for m in members],
        "rounds": args.rounds,
        "batch1_latency_ms": {k: round(v, 2) for k, v in median_ms.items()},
        "batch256_images_per_s": {k: round(v) for k, v in median_rate.items()},
        "sum_of_members_batch1_ms": round(sum_ms, 2),
        "sum_of_members_batch256_images_per_s": round(sum_rate),
        "ratio_ensemble_over_sum_batch1_latency": round(median_ms["ensemble"] / sum_ms, 3),
        "ratio_ensemble_over_sum_batch256_time": round(sum_rate / median_rate["ensemble"], 3),
    }
    save_result("serving_latency", result, args.out)


if __name__ == "__main__":
    main()
