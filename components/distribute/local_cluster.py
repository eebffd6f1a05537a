"""N training workers on this machine as one MultiWorkerMirroredStrategy cluster, restarted
from the chief's last checkpoint when one dies: `classiczoo launch`.

Each worker runs the training command with its own `TF_CONFIG` (free localhost ports); their
output is streamed with a `[worker i]` prefix. If a worker dies, all are stopped and restarted
with `--resume` where the chief has a checkpoint (from the start where it has none yet), up to
`max_restarts` times; after that every worker is stopped and the failing worker's exit code
returned. A usage error (exit 2) or an interrupt (130) is not restarted. On a real cluster,
start the training command on each machine with a `TF_CONFIG` such as
`{"cluster": {"worker": ["host0:2222", "host1:2222"]}, "task": {"type": "worker", "index": I}}`
(I = 0 on the chief) and a checkpoint directory that every machine can read.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from components.console import LOG_LEVEL_VARIABLE, QUIET_MARKER_VARIABLE
from components.training.settings import ModelSettings


def free_ports(count: int) -> list[int]:
    """Ports the OS reports free on localhost (held open together so they differ).

    Example:
    >>> len(set(free_ports(3)))
    3
    """
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _stream(prefix: str, pipe) -> None:
    for line in iter(pipe.readline, ""):
        sys.stdout.write(f"{prefix} {line}")
        sys.stdout.flush()


def worker_environment(cluster: dict, index: int) -> dict[str, str]:
    """This process's environment with the worker's `TF_CONFIG`; a log level that the quiet
    console chose (not the user) is left for the worker's own console to choose again."""
    env = dict(os.environ)
    if env.pop(QUIET_MARKER_VARIABLE, None):
        env.pop(LOG_LEVEL_VARIABLE, None)
    env["TF_CONFIG"] = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_workers(command: list[str], count: int) -> list[subprocess.Popen]:
    """Starts `count` processes of `command`, each a worker of one localhost cluster."""
    ports = free_ports(count)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    workers = []
    for index in range(count):
        process = subprocess.Popen(
            command,
            env=worker_environment(cluster, index),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so a worker's group can be stopped alone
        )
        threading.Thread(
            target=_stream, args=(f"[worker {index}]", process.stdout), daemon=True
        ).start()
        print(f"[launcher] worker {index} pid {process.pid} on port {ports[index]}", flush=True)
        workers.append(process)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """Kills every worker still running (its whole process group) and waits for all."""
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    for process in workers:
        process.wait()


# Seconds the workers get to end after a signal, before they are killed.
STOP_GRACE_SECONDS = 10
# A worker's exit codes after it stopped at SIGINT or SIGTERM, with a checkpoint.
STOPPED_AT_A_SIGNAL = (128 + signal.SIGINT, 128 + signal.SIGTERM)


def wait_until_ended(workers: list[subprocess.Popen], seconds: float) -> None:
    """Waits until every worker has ended, or `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while any(p.poll() is None for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)


class _Terminated(Exception):
    """The launcher got SIGTERM."""


def usable_cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Exit codes that a restart cannot mend: the command's words are wrong, or a person stopped it.
NOT_RESTARTED = {2: "a usage error (bad flags)", 130: "interrupted"}


def checkpoint_dir_of(command: list[str]) -> Path:
    """The checkpoint directory a `classiczoo train` command uses: `--checkpoint-dir`, else
    `checkpoints/<--model>` (the default model's when none is named).

    Example:
    >>> checkpoint_dir_of(["classiczoo", "train", "--model", "vgg11"])
    PosixPath('checkpoints/vgg11')
    >>> checkpoint_dir_of(["python", "recipes/train.py", "--checkpoint-dir=/shared/c"])
    PosixPath('/shared/c')
    """
    found = {}
    for i, word in enumerate(command):
        for flag in ("--checkpoint-dir", "--model"):
            if word == flag and i + 1 < len(command):
                found[flag] = command[i + 1]
            elif word.startswith(flag + "="):
                found[flag] = word.split("=", 1)[1]
    if "--checkpoint-dir" in found:
        return Path(found["--checkpoint-dir"])
    return Path("checkpoints") / found.get("--model", ModelSettings().name)


def restart_command(command: list[str]) -> list[str]:
    """`command` with `--resume` where the chief left a checkpoint to resume from, and
    without it where it did not (a worker that died before the first checkpoint)."""
    from components.checkpoints.files import has_checkpoint  # Keras's: only at a restart

    plain = [word for word in command if word != "--resume"]
    return [*plain, "--resume"] if has_checkpoint(checkpoint_dir_of(command)) else plain


def run_local_cluster(command: list[str], workers: int = 2, max_restarts: int = 3) -> int:
    """Runs `command` as `workers` workers until all finish; returns the exit code. SIGTERM
    or SIGINT to the launcher is passed on to every worker (which stops at a step with a
    checkpoint: `components.callbacks.StopOnSignal`); those that have not ended
    `STOP_GRACE_SECONDS` later are killed; the launcher then returns 143 or 130.

    Args:
        command: the training command, as words (it must accept `--resume`).
        workers: processes, >= 1.
        max_restarts: restarts of the whole cluster after a worker failed, >= 0.
    """
    if workers < 1 or max_restarts < 0:
        raise ValueError(
            f"need workers >= 1 and max_restarts >= 0, got {workers}, {max_restarts}."
        )
    restarts = 0
    running = []

    def terminate(number, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        running = start_workers(command, workers)
        while True:
            time.sleep(0.2)
            codes = [p.poll() for p in running]
            failed = [(i, c) for i, c in enumerate(codes) if c not in (None, 0)]
            if not failed and all(c == 0 for c in codes):
                print("[launcher] all workers finished", flush=True)
                return 0
            if not failed:
                continue
            index, code = failed[0]
            print(f"[launcher] worker {index} exited with code {code}", flush=True)
            if code in STOPPED_AT_A_SIGNAL:
                # It stopped cleanly, and so do the others after the same agreed step (each
                # saving): they get the time to end on their own before being killed.
                wait_until_ended(running, STOP_GRACE_SECONDS)
            stop_workers(running)
            if code in NOT_RESTARTED:
                print(f"[launcher] {NOT_RESTARTED[code]}: not restarted", flush=True)
                return code
            if restarts >= max_restarts:
                print(f"[launcher] giving up after {restarts} restart(s)", flush=True)
                return code if code > 0 else 1
            restarts += 1
            command = restart_command(command)
            how = "resuming" if "--resume" in command else "from the start (no checkpoint yet)"
            print(f"[launcher] restart {restarts}: all workers, {how}", flush=True)
            running = start_workers(command, workers)
    except (KeyboardInterrupt, _Terminated) as stop:
        # Ctrl-C, a scheduler or `docker stop` ends the launcher: its workers end with it, each
        # at a step with a checkpoint, never left running as orphans (each is its own process
        # group, out of the terminal's reach: the launcher passes the signal on).
        number = signal.SIGINT if isinstance(stop, KeyboardInterrupt) else signal.SIGTERM
        print(f"[launcher] {number.name}: stopping the workers", flush=True)
        for process in running:
            if process.poll() is None:
                os.killpg(process.pid, number)
        wait_until_ended(running, STOP_GRACE_SECONDS)
        stop_workers(running)  # what did not end by then is killed
        return 128 + number
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = [
    "NOT_RESTARTED",
    "STOPPED_AT_A_SIGNAL",
    "checkpoint_dir_of",
    "free_ports",
    "restart_command",
    "run_local_cluster",
    "start_workers",
    "stop_workers",
    "usable_cores",
    "worker_environment",
]
