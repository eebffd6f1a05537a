"""The time-to-accuracy benchmark's table (benchmarks/time_to_accuracy.py), from summaries of
hand-made runs: no training. Its arithmetic is components.experiments.time_to_accuracy's,
tested in tests/components/experiments/test_time_to_accuracy.py."""

from __future__ import annotations

import argparse
import json

import pytest

from components.experiments import seedwise_time_ratio, summarize_seeds, time_ratio
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


def test_seeds_of_several_invocations_are_listed_and_compared_seed_by_seed(tta):
    slow = [run_record([30, 30], [0.92, 0.93]), run_record([40, 40], [0.90, 0.935])]
    fast = [run_record([6], [0.93]), run_record([20], [0.931])]
    summary = summarize_seeds(slow)
    table = tta.markdown_table(
        {
            "command": "python benchmarks/time_to_accuracy.py --append --seeds 1",
            "model": "vgg11_bn",
            "forward_mflop": 17.0,
            "train_images": 54000,
            "test_images": 10000,
            "invocations": [
                {"command": "python benchmarks/time_to_accuracy.py --seeds 1", "seeds": [0],
                 "matmul_gflops": {"start": 450.0, "end": 440.0}},
                {"command": "python benchmarks/time_to_accuracy.py --append --seeds 1",
                 "seeds": [1], "matmul_gflops": {"start": 111.0, "end": None}},
            ],
            "configs": {"default": {**summary, "settings": "sgd", "epochs": 2, "epochs_run": 2}},
            "ratio_default_over_fast": time_ratio(summary, summarize_seeds(fast), 0.93),
            "seedwise_ratio_default_over_fast": seedwise_time_ratio(slow, fast, 0.93),
        }
    )  # fmt: skip
    assert "--seeds 1` (seeds 0): float32 matmul (2048 x 2048, best of several) 450" in table
    assert "(seeds 1): float32 matmul (2048 x 2048, best of several) 111 GFLOP/s" in table
    assert "mix their machines" in table
    # Seed 0: 60 s / 6 s; seed 1: 80 s / 20 s; the ratio of medians (mixed machines) is left out.
    assert "seed by seed: 10.00, 4.00; median 7.00 (goal >= 5)" in table
    assert "default / fast: " not in table.replace("default / fast, seed by seed", "")


def _appending(tmp_path, **changed) -> argparse.Namespace:
    settings = {"model": "vgg11_bn", "train_split": "train", "test_split": "test",
                "max_epochs": None}  # fmt: skip
    args = argparse.Namespace(**settings, configs=["fast", "default"], out=tmp_path)
    args.stem = "time_to_accuracy_vgg11_bn"
    runs = {"fast": [{"seed": 0}, {"seed": 1}], "default": [{"seed": 0}]}  # seed 1 unfinished
    (tmp_path / f"{args.stem}.json").write_text(json.dumps({**settings, "runs": runs}))
    for name, value in changed.items():
        setattr(args, name, value)
    return args


class _Refused(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _Refused(message)


def test_append_keeps_the_seeds_every_config_finished(tta, tmp_path):
    earlier = tta.earlier_results(_appending(tmp_path), _Parser())
    assert earlier["runs"] == {"fast": [{"seed": 0}], "default": [{"seed": 0}]}


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"train_split": "train[:2000]"}, "was run with train_split 'train', this with"),
        ({"configs": ["fast"]}, "ran configs fast,default, this fast"),
        ({"stem": "time_to_accuracy_other"}, "no earlier results at"),
    ],
)
def test_append_refuses_other_settings_before_anything_loads(tta, tmp_path, changed, message):
    with pytest.raises(_Refused, match=message):
        tta.earlier_results(_appending(tmp_path, **changed), _Parser())
