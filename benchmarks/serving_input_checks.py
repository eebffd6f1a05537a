#!/usr/bin/env python3
"""Benchmark: what the SavedModel's input checks cost at batch 256, as a ratio.

The same zoo model (random weights: the cost is the graph's, not the weights') is exported
twice: as every export is now (the float signature refuses non-finite images and values
outside 0..255, and a zero-size batch is answered empty) and with `check_values=False` (the
value check off; the zero-size branch stays, it is part of the graph either way). Both are
loaded with `tf.saved_model.load` and called through `serving_default` (float32, the signature
that checks) on the same batch of 256 valid images, taking turns round by round; the ratio of
the median throughputs is reported (target, issue 15: at least 0.98).

    python benchmarks/serving_input_checks.py [--model lenet5_bn] [--rounds 9] [--calls 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from harness import RESULTS, quiet, save_result, timed_calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="lenet5_bn")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--calls", type=int, default=20, help="batch-256 calls per round")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    quiet()
    import numpy as np
    import tensorflow as tf

    import zoo
    from components.data import Preprocessing
    from components.export import export_classifier

    shape = zoo.get_defaults(args.model).input_shape
    model = zoo.create(args.model, input_shape=shape, num_classes=10)
    images = tf.constant(
        np.random.default_rng(0).integers(0, 256, (args.batch, *shape)).astype(np.float32)
    )
    signatures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, check in (("checked", True), ("unchecked", False)):
            export = export_classifier(
                model,
                Path(tmp) / name,
                image_shape=shape,
                preprocessing=Preprocessing(mean=(0.5,) * shape[-1], std=(0.25,) * shape[-1]),
                class_names=[str(i) for i in range(10)],
                check_values=check,
            )
            signatures[name] = tf.saved_model.load(str(export)).signatures["serving_default"]
        rates = {name: [] for name in signatures}
        for round_ in range(args.rounds):
            for name, function in signatures.items():
                seconds = timed_calls(function, images, args.calls)
                rates[name].append(int(images.shape[0]) / seconds)
            print(
                f"round {round_}: "
                + ", ".join(f"{k} {v[-1]:,.0f} images/s" for k, v in rates.items()),
                flush=True,
            )
    medians = {name: statistics.median(r) for name, r in rates.items()}
    ratio = medians["checked"] / medians["unchecked"]
    save_result(
        "serving_input_checks",
        {
            "model": args.model,
            "batch": args.batch,
            "rounds": args.rounds,
            "images_per_s": {k: round(v) for k, v in medians.items()},
            "ratio_checked_over_unchecked": round(ratio, 4),
            "target_met": ratio >= 0.98,
            "all_rates": {k: [round(r) for r in v] for k, v in rates.items()},
        },
        args.out,
    )


if __name__ == "__main__":
    main()
