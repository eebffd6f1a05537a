#!/usr/bin/env python3
"""Seconds per training epoch, read from the console logs of `classiczoo train` runs.

    python benchmarks/epoch_times.py benchmarks/results/converged-*.log

Each run prints `Model: NAME, ...` and then, per finished epoch, one progress line with
`NNNs ... val_accuracy: ...` (Keras's live bar on a terminal, its one line per epoch in a
file); this prints, per model found in the logs, the number of epochs and the median and
range of their seconds. The logs come from a shared 2-core machine, so the median says more
than the total.
"""

from __future__ import annotations

import argparse
import re
import statistics
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# "422/422 ━━━━ 91s 205ms/step - accuracy: ... - val_accuracy: 0.9385 ..."  (verbose=1)
# "422/422 - 91s - 205ms/step - accuracy: ... - val_accuracy: 0.9385 ..."   (verbose=2)
# A model with auxiliary heads (googlenet) logs `val_classifier_accuracy` instead.
EPOCH_LINE = re.compile(r"^\s*(\d+)/(\1) (?:-|\S+) (\d+)s (?:- )?\d+m?s/step .*val_\w*accuracy")


MODEL_LINE = re.compile(r"^Model: ([\w.-]+),")


def epoch_seconds(text: str) -> dict[str, list[int]]:
    """The seconds of every finished epoch in a console log (progress bars included), by model."""
    seconds: dict[str, list[int]] = {}
    model = "?"
    for line in ANSI.sub("", text).replace("\r", "\n").splitlines():
        if match := MODEL_LINE.match(line):
            model = match.group(1)
        elif match := EPOCH_LINE.match(line):
            seconds.setdefault(model, []).append(int(match.group(3)))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("logs", nargs="+", type=Path)
    args = parser.parse_args()
    by_model: dict[str, list[int]] = {}
    for log in args.logs:
        for model, seconds in epoch_seconds(log.read_text(errors="replace")).items():
            by_model.setdefault(model, []).extend(seconds)
    print("| model | epochs logged | median s/epoch | min–max |")
    print("|---|---:|---:|---|")
    for model, seconds in by_model.items():
        print(
            f"| {model} | {len(seconds)} | {statistics.median(seconds):.0f} | "
            f"{min(seconds)}–{max(seconds)} |"
        )


if __name__ == "__main__":
    main()
