"""MultiWorkerMirroredStrategy with worker processes on localhost, and surviving a SIGKILL."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys

import pytest

# The installed commands, as `classiczoo launch` and `classiczoo train` run them.
LAUNCH = [sys.executable, "-m", "zoo.cli", "launch"]
TRAIN = [sys.executable, "-m", "zoo.cli", "train"]


def _args(data_dir, workdir, name, *extra):
    return [
        f"--data-dir={data_dir}",
        "--model-arg=sync_batch_norm=true",  # batch statistics over the global batch
        f"--export-dir={workdir / name / 'saved_models'}",
        f"--log-dir={workdir / name / 'logs'}",
        f"--checkpoint-dir={workdir / name / 'checkpoints'}",
        *extra,
    ]


def _history(workdir, name):
    path = workdir / name / "saved_models" / "lenet5_bn" / "1" / "metadata.json"
    return json.loads(path.read_text())["metrics"]["history"]


@pytest.mark.e2e
def test_two_workers_match_one_worker(fashion_mnist_data_dir, tmp_path):
    # Both runs also pause every 5 steps; the first pause sets the learning rate (chief asks,
    # every worker applies it at the same step), later ones time out and continue.
    control = tmp_path / "control"
    extra = [
        "--train-split=train[:1024]",
        "--test-split=test[:256]",
        "--epochs=2",
        # Settings of its own, not the model's recipe: 64 images per worker and hard labels,
        # so that two workers' BatchNorm statistics stay close to one worker's.
        "--batch-size=128",
        "--optimizer=adam",
        "--lr=0.003",
        "--lr-schedule=cosine",
        "--label-smoothing=0",
        "--weight-decay=0",
        "--pause-every=5",
        "--pause-control=file",
        f"--pause-file={control}",
        "--pause-timeout=0.5",
    ]
    env = dict(os.environ)
    control.write_text("lr=0.001")
    two = subprocess.run(
        [*LAUNCH, "--workers=2", "--max-restarts=0", "--",
         *_args(fashion_mnist_data_dir, tmp_path, "two", *extra)],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert two.returncode == 0, two.stdout[-4000:]
    # Each worker hides TensorFlow's C++ start-up lines, as the command it runs does.
    assert "cuInit" not in two.stdout and "oneDNN" not in two.stdout
    digests = re.findall(r"Final weights sha256: (\w+) \(task (\d)\)", two.stdout)
    assert sorted(task for _, task in digests) == ["0", "1"]
    assert digests[0][0] == digests[1][0]  # both workers end with identical weights
    assert "MultiWorkerMirroredStrategy with 2 replica(s) (2 workers" in two.stdout
    for worker in (0, 1):
        assert f"[worker {worker}] Set learning rate 0.001 at step 5" in two.stdout

    control.write_text("lr=0.001")
    one = subprocess.run(
        [*TRAIN, "--loop=custom", *_args(fashion_mnist_data_dir, tmp_path, "one", *extra)],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert one.returncode == 0, one.stderr[-4000:]
    assert "Set learning rate 0.001 at step 5" in one.stdout
    two_losses, one_losses = _history(tmp_path, "two")["loss"], _history(tmp_path, "one")["loss"]
    assert two_losses == pytest.approx(one_losses, rel=1e-2)
    assert two_losses[-1] < two_losses[0]


@pytest.mark.e2e
def test_sigkilled_worker_restarts_and_the_job_resumes(fashion_mnist_data_dir, tmp_path):
    extra = [
        "--train-split=train[:1024]",
        "--test-split=test[:256]",
        "--epochs=2",
        "--batch-size=32",  # 32 steps an epoch
        "--checkpoint-every=10",
    ]
    launcher = subprocess.Popen(
        [*LAUNCH, "--workers=2", "--max-restarts=2", "--",
         *_args(fashion_mnist_data_dir, tmp_path, "job", *extra)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ),
    )  # fmt: skip
    lines, pids, saved, killed_after = [], {}, [], None
    for line in launcher.stdout:
        lines.append(line)
        if match := re.search(r"\[launcher\] worker (\d) pid (\d+)", line):
            pids[int(match.group(1))] = int(match.group(2))
        saved += [int(s) for s in re.findall(r"Checkpoint saved at step (\d+)", line)]
        if killed_after is None and saved and saved[-1] >= 20:
            killed_after = saved[-1]
            os.killpg(pids[1], signal.SIGKILL)  # worker 1, mid-run, no warning
    assert launcher.wait(timeout=600) == 0, "".join(lines)[-4000:]
    output = "".join(lines)
    assert killed_after is not None, "the job ended before the kill"
    assert "[launcher] worker 1 exited with code -9" in output
    assert "[launcher] restart 1: all workers, resuming" in output
    resumed = int(re.search(r"Resumed from step (\d+)", output).group(1))
    # At most one checkpoint interval is lost: the restart resumes from the last checkpoint
    # the first run saved (at or after the one seen before the kill).
    first_run = output.split("[launcher] restart 1")[0]
    saved_first = [int(s) for s in re.findall(r"Checkpoint saved at step (\d+)", first_run)]
    assert resumed == max(saved_first) >= killed_after
    assert "[launcher] all workers finished" in output
    # The surviving worker says in one line that it lost its peer: no traceback.
    assert "Traceback" not in output and "UnavailableError" not in output, output[-3000:]
    metadata = json.loads((tmp_path / "job/saved_models/lenet5_bn/1/metadata.json").read_text())
    assert metadata["hyperparameters"]["strategy"] == "MultiWorkerMirroredStrategy"
    assert not (tmp_path / "job" / "checkpoints").exists()  # removed after the successful end


@pytest.mark.e2e
def test_every_worker_ends_with_the_same_model_and_the_metadata_is_the_exports(
    fashion_mnist_data_dir, tmp_path
):
    # Plain BatchNorm (no sync_batch_norm): each replica updates its moving statistics from its
    # own half of the batch; the loop averages them over the replicas at every epoch end.
    args = [
        f"--data-dir={fashion_mnist_data_dir}",
        f"--export-dir={tmp_path / 'saved_models'}",
        f"--log-dir={tmp_path / 'logs'}",
        f"--checkpoint-dir={tmp_path / 'checkpoints'}",
        "--model=lenet5_bn", "--epochs=1", "--batch-size=64",
        "--train-split=train[:1024]", "--test-split=test[:256]",
    ]  # fmt: skip
    run = subprocess.run(
        [*LAUNCH, "--workers=2", "--max-restarts=0", "--", *args],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-4000:]
    digests = dict(
        (task, digest) for digest, task in re.findall(r"sha256: (\w+) \(task (\d)\)", run.stdout)
    )
    assert set(digests) == {"0", "1"} and digests["0"] == digests["1"], run.stdout[-3000:]

    from components.export.evaluation_report import evaluate_exports

    [report] = evaluate_exports(
        [tmp_path / "saved_models" / "lenet5_bn"],
        data_dir=fashion_mnist_data_dir,
        split="test[:256]",
        report_dir=tmp_path / "reports",
    )
    test = json.loads(
        (tmp_path / "saved_models" / "lenet5_bn" / "1" / "metadata.json").read_text()
    )["metrics"]["test"]
    assert report["accuracy"] == pytest.approx(test["accuracy"], abs=1e-6)
    assert report["loss"] == pytest.approx(test["loss"], abs=1e-4)


def _signal_a_long_job(data_dir, workdir, send_signal):
    """Launches 2 workers on a job of 200 epochs; at epoch 2 (both training, stepping
    together) calls `send_signal(launcher, worker_pids)`; returns the launcher, its whole
    output and the worker pids once it has ended."""
    extra = ["--train-split=train[:1024]", "--test-split=test[:256]", "--epochs=200"]
    launcher = subprocess.Popen(
        [*LAUNCH, "--workers=2", "--max-restarts=0", "--",
         *_args(data_dir, workdir, "job", *extra)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ),
    )  # fmt: skip
    lines, pids = [], {}
    for line in launcher.stdout:
        lines.append(line)
        if match := re.search(r"\[launcher\] worker (\d) pid (\d+)", line):
            pids[int(match.group(1))] = int(match.group(2))
        if "Epoch 2/" in line:
            send_signal(launcher, pids)
            break
    rest, _ = launcher.communicate(timeout=180)
    return launcher, "".join(lines) + rest, pids


@pytest.mark.e2e
def test_sigterm_to_the_launcher_ends_every_worker(fashion_mnist_data_dir, tmp_path):
    launcher, output, pids = _signal_a_long_job(
        fashion_mnist_data_dir,
        tmp_path,
        lambda launcher, pids: launcher.send_signal(signal.SIGTERM),  # as `docker stop` does
    )
    assert launcher.returncode == 143, output[-3000:]
    assert "[launcher] SIGTERM: stopping the workers" in output
    # Each worker stopped at the same step, the chief's checkpoint of it on disk, and the
    # launcher names the command that resumes the job.
    stops = re.findall(r"\[worker (\d)\] SIGTERM received: stopping after this step", output)
    assert sorted(stops) == ["0", "1"], output[-3000:]
    step = int(re.search(r"Stopped at step (\d+) by SIGTERM", output).group(1))
    checkpoints = tmp_path / "job" / "checkpoints"
    assert (checkpoints / f"ckpt-{step}.index").exists(), sorted(os.listdir(checkpoints))
    assert "[launcher] Continue the job with:" in output
    assert re.search(r"classiczoo launch --workers=2 .*--resume\n", output), output[-1500:]
    assert "eagerly" not in output  # the workers' collectives are traced: no warning per epoch
    assert len(pids) == 2
    for pid in pids.values():  # none left running as an orphan (and none a zombie)
        assert not os.path.exists(f"/proc/{pid}"), f"worker {pid} still exists"


@pytest.mark.e2e
def test_a_signal_to_one_worker_stops_the_whole_cluster_at_one_step(
    fashion_mnist_data_dir, tmp_path
):
    """A scheduler may stop one worker only: the others must stop after the same step, or the
    next step's collectives would wait for it forever. The chief, never signalled, stops too,
    with a checkpoint of that step."""
    launcher, output, pids = _signal_a_long_job(
        fashion_mnist_data_dir,
        tmp_path,
        lambda launcher, pids: os.kill(pids[1], signal.SIGTERM),  # the non-chief worker alone
    )
    assert "[worker 1] SIGTERM received" in output and "[worker 0] SIGTERM" not in output
    step = int(re.search(r"\[worker 0\] Stopped at step (\d+) by SIGTERM", output).group(1))
    checkpoints = tmp_path / "job" / "checkpoints"
    assert (checkpoints / f"ckpt-{step}.index").exists(), sorted(os.listdir(checkpoints))
    assert re.search(r"\[launcher\] worker \d exited with code 143", output), output[-3000:]
    assert launcher.returncode == 143


def test_the_launcher_refuses_more_workers_than_cores(capsys):
    from components.distribute.local_cluster import usable_cores
    from zoo import cli

    cores = usable_cores()
    assert cli.main(["launch", f"--workers={cores + 1}", "--", "--model", "lenet5_bn"]) == 2
    assert f"--workers {cores + 1} on {cores} core(s)" in capsys.readouterr().err
    assert "--oversubscribe" in cli_help()


def cli_help() -> str:
    from zoo.cli.launch import build_parser

    return build_parser().format_help()
