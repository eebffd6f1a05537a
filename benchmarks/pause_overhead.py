#!/usr/bin/env python3
"""Benchmark: throughput with `PauseEveryNSteps` (non-interactive policy) against without it.

Same model (`lenet5_bn`), weights, pipeline and optimizer, `model.fit`; the pause asks the
`AutoController` (continue, logged) every N steps and saves its checkpoint each time. The two
runs alternate epoch by epoch, the first epoch of each is discarded, and the ratio of median
images/s is reported. Target (issue 5): ratio >= 0.98.

    python benchmarks/pause_overhead.py [--every 200] [--epochs 4]

Each epoch is its own `fit` call (to alternate), so N must be below the 469 steps of an epoch.
"""

from __future__ import annotations

import argparse
import contextlib
import io
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
    parser.add_argument("--every", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    quiet()

    from components.callbacks import AutoController, PauseEveryNSteps

    data, pipeline, new_model = lenet_on_fashion_mnist(args.batch_size)

    checkpoints = tempfile.mkdtemp()
    pause = PauseEveryNSteps(args.every, controller=AutoController(), checkpoint_dir=checkpoints)
    runs = {"without_pause": (new_model(), []), "with_pause": (new_model(), [pause])}

    def runner(model, callbacks):
        def run():
            with contextlib.redirect_stdout(io.StringIO()):  # the pause's status lines
                model.fit(pipeline, epochs=1, verbose=0, shuffle=False, callbacks=callbacks)

        return run

    runners = {name: runner(*setup) for name, setup in runs.items()}
    rates = alternate_epochs(runners, args.epochs, data.num_train)
    result = ratio_result(
        rates, "with_pause", "without_pause", every=args.every, pauses=len(pause.decisions)
    )
    save_result("pause_overhead", result, args.out)


if __name__ == "__main__":
    main()
