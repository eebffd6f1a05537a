"""The time-to-accuracy benchmark's arithmetic (benchmarks/time_to_accuracy.py), against
hand-computed values: no training."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture
def tta(monkeypatch):
    monkeypatch.syspath_prepend(str(REPO_ROOT / "benchmarks"))  # its `from harness import`
    path = REPO_ROOT / "benchmarks" / "time_to_accuracy.py"
    spec = importlib.util.spec_from_file_location("time_to_accuracy", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(tta, seconds, accuracies, tflop_per_epoch=2.0):
    return {
        "epoch_seconds": seconds,
        "test_accuracy": accuracies,
        "tflop_per_epoch": tflop_per_epoch,
        "crossings": tta.crossings(seconds, accuracies, tflop_per_epoch),
    }


def test_crossings_take_the_first_epoch_at_or_above_each_threshold(tta):
    found = tta.crossings([10, 20, 30, 40], [0.90, 0.921, 0.935, 0.93], 2.0)
    # 0.92 first at epoch 2 (10 + 20 s), 0.93 at epoch 3 (the later dip does not matter).
    assert found["0.92"] == {"epoch": 2, "seconds": 30, "tflop": 4.0}
    assert found["0.93"] == {"epoch": 3, "seconds": 60, "tflop": 6.0}
    assert found["0.94"] is None
    # Exactly the threshold counts as reached.
    assert tta.crossings([5], [0.93], 1.0)["0.93"] == {"epoch": 1, "seconds": 5, "tflop": 1.0}


def test_median_counts_a_seed_that_never_reached_as_infinitely_late(tta):
    assert tta.median_reached([30, 12, None]) == 30
    assert tta.median_reached([None, 36, None]) is None
    assert tta.median_reached([10, None]) is None  # half is not most
    assert tta.median_reached([10, 20]) == 15


def test_summary_over_seeds(tta):
    runs = [
        _run(tta, [10, 20, 30, 40], [0.90, 0.921, 0.935, 0.939]),
        _run(tta, [12, 12, 12, 12], [0.925, 0.93, 0.941, 0.94]),
        _run(tta, [5, 5, 5, 5], [0.80, 0.85, 0.91, 0.915]),
    ]
    summary = tta.summarize(runs)
    assert summary["seeds"] == 3
    # Seconds to 0.92: 30, 12 and never -> 30; epochs 2, 1, never -> 2; TFLOP 4, 2 -> 4.
    assert summary["thresholds"]["0.92"] == {
        "reached": 2,
        "epoch": 2,
        "seconds": 30,
        "tflop": 4.0,
    }
    assert summary["thresholds"]["0.93"] == {
        "reached": 2,
        "epoch": 3,
        "seconds": 60,
        "tflop": 6.0,
    }
    assert summary["thresholds"]["0.94"] == {
        "reached": 1,
        "epoch": None,
        "seconds": None,
        "tflop": None,
    }
    assert summary["final_test_accuracy"] == {"median": 0.939, "min": 0.915, "max": 0.94}
    assert summary["train_seconds"] == 48  # of 100, 48 and 20
    assert summary["tflop"] == 8.0  # 4 epochs x 2 TFLOP

    fast = tta.summarize([_run(tta, [3, 3], [0.93, 0.94])] * 3)
    assert tta.time_ratio(summary, fast) == {"ratio": 20.0, "at_least": None}  # 60 s / 3 s
    never = tta.summarize([_run(tta, [50, 50], [0.9, 0.91])])
    assert tta.time_ratio(never, fast) == {"ratio": None, "at_least": 100 / 3}
    assert tta.time_ratio(fast, never) == {"ratio": None, "at_least": None}

    table = tta.markdown_table(
        {
            "command": "python benchmarks/time_to_accuracy.py",
            "model": "vgg11_bn",
            "forward_mflop": 67.4,
            "train_images": 54000,
            "test_images": 10000,
            "matmul_gflops": {"start": 111.2, "end": None},
            "configs": {"default": {**summary, "settings": "adam", "epochs": 4, "epochs_run": 4}},
            "ratio_default_over_fast": tta.time_ratio(summary, fast),
        }
    )
    assert "| default | adam | 4 of 4 | 30 s, 4 TFLOP (2/3) | 60 s, 6 TFLOP (2/3) |" in table
    assert "not reached (1/3) | 0.9390 (0.9150–0.9400) | 48 s, 8 TFLOP |" in table
    assert "111 GFLOP/s at the start, not measured yet at the end" in table
    assert "default / fast: 20.00 (goal >= 5)" in table
