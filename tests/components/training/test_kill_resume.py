"""SIGKILL at a random step, then `--resume`: the same final weights as the run uninterrupted."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time

import pytest

TRAIN = [sys.executable, "-m", "zoo.cli", "train"]


def _args(data_dir, tmp_path, name):
    return [
        "--model=lenet5_bn",
        "--epochs=2",
        "--batch-size=64",
        "--train-split=train[:1024]",  # 16 steps per epoch
        "--test-split=test[:128]",
        "--deterministic",
        "--augment=standard",  # each batch's draws from its own seed: repeated after a resume
        "--checkpoint-every=1",
        f"--data-dir={data_dir}",
        f"--checkpoint-dir={tmp_path / name / 'ckpt'}",
        f"--export-dir={tmp_path / name / 'export'}",
        f"--log-dir={tmp_path / name / 'logs'}",
    ]


def _digest(output: str) -> str:
    return re.search(r"Final weights sha256: (\w+)", output).group(1)


def _test_accuracy(output: str) -> float:
    return float(re.search(r"Test: loss [\d.]+, accuracy ([\d.]+)", output).group(1))


@pytest.mark.e2e
@pytest.mark.parametrize(
    "extra,last_step",
    [
        # Any step of the 32 but the first and the last; in the second epoch the resumed run
        # must also replay the first epoch's reshuffle.
        ([], 31),
        # A moving average of the weights, killed in the first epoch: the resumed run is two
        # fit calls, and Keras writes the average in at the end of the first.
        (["--ema-momentum=0.9"], 15),
    ],
    ids=["weights", "moving_average"],
)
def test_sigkill_at_a_random_step_then_resume_gives_the_uninterrupted_weights(
    fashion_mnist_data_dir, tmp_path, extra, last_step
):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    whole = subprocess.run(
        [*TRAIN, *_args(fashion_mnist_data_dir, tmp_path, "whole"), *extra],
        capture_output=True, text=True, timeout=600, env=env, check=True,
    )  # fmt: skip
    for name, step in (("killed", random.randint(2, last_step)),):
        killed = subprocess.Popen(
            [*TRAIN, *_args(fashion_mnist_data_dir, tmp_path, name), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        # The checkpoint of a step is complete once its place file exists (written last).
        place = tmp_path / name / "ckpt" / f"ckpt-{step}.position.json"
        deadline = time.monotonic() + 300
        while not place.exists() and killed.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        killed.kill()  # SIGKILL: no cleanup of any kind
        killed.wait(timeout=120)
        assert killed.returncode == -9, f"the run ended before step {step}"
        resumed = subprocess.run(
            [*TRAIN, *_args(fashion_mnist_data_dir, tmp_path, name), *extra, "--resume"],
            capture_output=True, text=True, timeout=600, env=env, check=True,
        )  # fmt: skip
        assert re.search(r"Resumed from .* at step (\d+)", resumed.stdout), resumed.stdout[-2000:]
        assert _digest(resumed.stdout) == _digest(whole.stdout), f"killed at step {step}"
        assert not (tmp_path / name / "ckpt").exists()  # finished: its checkpoints are gone
    # Equal weights could share a mistake (augmented pixels that were never normalized trained
    # a model that scores chance on the normalized test images): the truth is the test split.
    assert _test_accuracy(whole.stdout) > 0.5, whole.stdout[-2000:]
