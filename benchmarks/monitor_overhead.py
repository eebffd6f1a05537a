#!/usr/bin/env python3
"""Benchmark: throughput with `GradientMonitor` every 100 steps against without it.

Same model (`lenet5_bn`), weights, pipeline and optimizer, `model.fit`; the monitor checks one
batch of 128 every N steps (norms, histograms to TensorBoard, CSV). The two runs alternate epoch
by epoch; the ratio of median images/s is reported. Target (issue 6): ratio >= 0.95.

    python benchmarks/monitor_overhead.py [--every 100] [--epochs 4]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from harness import (
    RESULTS,
    alternate_epochs,
    lenet_on_fashion_mnist,
    quiet,
    ratio_result,
    save_result,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    quiet()

    from components.callbacks import GradientMonitor

    data, pipeline, new_model = lenet_on_fashion_mnist(args.batch_size)
    x, y = next(iter(pipeline))
    logs = tempfile.mkdtemp()
    monitor = GradientMonitor(
        (x.numpy(), y.numpy()), every=args.every, log_dir=logs, csv_path=f"{logs}/g.csv"
    )
    plain, watched = new_model(), new_model()
    runners = {
        "without_monitor": lambda: plain.fit(pipeline, epochs=1, verbose=0, shuffle=False),
        "with_monitor": lambda: watched.fit(
            pipeline, epochs=1, verbose=0, shuffle=False, callbacks=[monitor]
        ),
    }
    rates = alternate_epochs(runners, args.epochs, data.num_train)
    result = ratio_result(
        rates, "with_monitor", "without_monitor", every=args.every, rows=len(monitor.records)
    )
    save_result("monitor_overhead", result, args.out)


if __name__ == "__main__":
    main()
