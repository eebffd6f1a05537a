"""SIGTERM and SIGINT end a training run at a step boundary: a checkpoint of that step, a
message naming it with the exact resume command, exit 128 + the signal; the resume finishes."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time

import pytest

TRAIN = [sys.executable, "-m", "zoo.cli", "train"]


def _args(data_dir, tmp_path):
    return [
        "--model=lenet5_bn",
        "--epochs=4",  # 64 steps, a checkpoint at each: the signal comes at step 3
        "--batch-size=64",
        "--train-split=train[:1024]",  # 16 steps per epoch
        "--test-split=test[:256]",
        "--checkpoint-every=1",
        f"--data-dir={data_dir}",
        f"--checkpoint-dir={tmp_path / 'ckpt'}",
        f"--export-dir={tmp_path / 'export'}",
        f"--log-dir={tmp_path / 'logs'}",
    ]


def _signal_at_step(arguments, tmp_path, number, step):
    """Starts `train`, sends signal `number` once the checkpoint of `step` exists."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = subprocess.Popen(
        arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    place = tmp_path / "ckpt" / f"ckpt-{step}.position.json"
    deadline = time.monotonic() + 300
    while not place.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert run.poll() is None, "the run ended before the signal"
    run.send_signal(number)
    out, _ = run.communicate(timeout=300)
    return run.returncode, out


@pytest.mark.e2e
@pytest.mark.parametrize(("number", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_at_a_step_with_a_checkpoint_and_the_resume_command(
    fashion_mnist_data_dir, tmp_path, number, code
):
    arguments = [*TRAIN, *_args(fashion_mnist_data_dir, tmp_path)]
    returncode, out = _signal_at_step(arguments, tmp_path, number, step=3)
    name = signal.Signals(number).name
    assert returncode == code, out[-3000:]
    assert f"{name} received: stopping after this step" in out
    stopped = re.search(
        rf"Stopped at step (\d+) by {name}; nothing exported; checkpoint in (\S+)\.", out
    )
    assert stopped, out[-3000:]
    step, where = int(stopped.group(1)), stopped.group(2)
    assert where == str(tmp_path / "ckpt")
    # The checkpoint of the very step it stopped at, complete (its place file is written last).
    assert (tmp_path / "ckpt" / f"ckpt-{step}.position.json").is_file()
    assert not (tmp_path / "export").exists()  # nothing half-exported
    assert "Traceback" not in out
    resume = out.split("Continue with:\n", 1)[1].splitlines()[0].strip()
    assert shlex.split(resume)[-1] == "--resume"
    if number == signal.SIGINT:
        return  # one resume is enough to show the command works
    words = shlex.split(resume)
    assert words[:2] == ["classiczoo", "train"], resume
    command = [*TRAIN, *words[2:]]  # the printed command, through this interpreter
    resumed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    assert re.search(rf"Resumed from .* at step {step}\b", resumed.stdout), resumed.stdout[-3000:]
    accuracy = float(re.search(r"Test: loss [\d.]+, accuracy ([\d.]+)", resumed.stdout).group(1))
    assert accuracy > 0.5  # the truth: a working model, not only a finished process
