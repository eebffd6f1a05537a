"""The time-to-accuracy benchmark's table (benchmarks/time_to_accuracy.py), from summaries of
hand-made runs: no training. Its arithmetic is components.experiments.time_to_accuracy's,
tested in tests/components/experiments/test_time_to_accuracy.py."""

from __future__ import annotations

import pytest

from components.experiments import summarize_seeds, time_ratio
from tests.components.experiments.test_time_to_accuracy import run_record


@pytest.fixture
def tta(load_benchmark):
    return load_benchmark("time_to_accuracy")


def test_markdown_table(tta):
    summary = summarize_seeds(
        [
            run_record([10, 20, 30, 40], [0.90, 0.921, 0.935, 0.939]),
            run_record([12, 12, 12, 12], [0.925, 0.93, 0.941, 0.94]),
            run_record([5, 5, 5, 5], [0.80, 0.85, 0.91, 0.915]),
        ]
    )
    fast = summarize_seeds([run_record([3, 3], [0.93, 0.94])] * 3)
    table = tta.markdown_table(
        {
            "command": "python benchmarks/time_to_accuracy.py",
            "model": "vgg11_bn",
            "forward_mflop": 67.4,
            "train_images": 54000,
            "test_images": 10000,
            "matmul_gflops": {"start": 111.2, "end": None},
            "configs": {"default": {**summary, "settings": "adam", "epochs": 4, "epochs_run": 4}},
            "ratio_default_over_fast": time_ratio(summary, fast, tta.RATIO_THRESHOLD),
        }
    )
    assert "| default | adam | 4 of 4 | 30 s, 4 TFLOP (2/3) | 60 s, 6 TFLOP (2/3) |" in table
    assert "not reached (1/3) | 0.9390 (0.9150–0.9400) | 48 s, 8 TFLOP |" in table
    assert "111 GFLOP/s at the start, not measured yet at the end" in table
    assert "default / fast: 20.00 (goal >= 5)" in table
