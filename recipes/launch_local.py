#!/usr/bin/env python3
"""Start N training workers on this machine as one MultiWorkerMirroredStrategy cluster.

    python recipes/launch_local.py --workers 2 -- --model lenet5_bn --epochs 3

Each worker runs `recipes/train.py <train args>` with its own `TF_CONFIG` (free localhost
ports); their output is streamed with a `[worker i]` prefix. If a worker dies, all are stopped
and restarted with `--resume` from the chief's last checkpoint, up to `--max-restarts` times;
after that the launcher stops every worker and exits with the failing worker's code.

On a real cluster, start `recipes/train.py` on each machine with a TF_CONFIG such as
`{"cluster": {"worker": ["host0:2222", "host1:2222"]}, "task": {"type": "worker", "index": I}}`
(I = 0 on the chief) and a --checkpoint-dir on storage every machine can read.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

TRAIN = Path(__file__).resolve().parent / "train.py"


def free_ports(count: int) -> list[int]:
    """Ports the OS reports free on localhost (held open together so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def stream(prefix: str, pipe) -> None:
    for line in iter(pipe.readline, ""):
        sys.stdout.write(f"{prefix} {line}")
        sys.stdout.flush()


def start_workers(count: int, train_args: list[str]) -> list[subprocess.Popen]:
    ports = free_ports(count)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    workers = []
    for index in range(count):
        env = dict(os.environ)
        env["TF_CONFIG"] = json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}
        )
        env["PYTHONUNBUFFERED"] = "1"
        process = subprocess.Popen(
            [sys.executable, str(TRAIN), *train_args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so a worker's group can be stopped alone
        )
        threading.Thread(
            target=stream, args=(f"[worker {index}]", process.stdout), daemon=True
        ).start()
        print(f"[launcher] worker {index} pid {process.pid} on port {ports[index]}", flush=True)
        workers.append(process)
    return workers


def stop(workers: list[subprocess.Popen]) -> None:
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    for process in workers:
        process.wait()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--" in argv:
        split = argv.index("--")
        own, train_args = argv[:split], argv[split + 1 :]
    else:
        own, train_args = argv, []
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=2, help="number of workers, >= 1")
    parser.add_argument("--max-restarts", type=int, default=3, help="restarts after failures")
    args = parser.parse_args(own)
    if args.workers < 1 or args.max_restarts < 0:
        parser.error("--workers must be >= 1 and --max-restarts >= 0")
    if "--strategy" not in " ".join(train_args):
        train_args = [*train_args, "--strategy", "multiworker"]

    restarts = 0
    workers = start_workers(args.workers, train_args)
    try:
        while True:
            time.sleep(0.2)
            codes = [p.poll() for p in workers]
            failed = [(i, c) for i, c in enumerate(codes) if c not in (None, 0)]
            if not failed and all(c == 0 for c in codes):
                print("[launcher] all workers finished", flush=True)
                return 0
            if not failed:
                continue
            index, code = failed[0]
            print(f"[launcher] worker {index} exited with code {code}", flush=True)
            stop(workers)
            if restarts >= args.max_restarts:
                print(f"[launcher] giving up after {restarts} restart(s)", flush=True)
                return code if code > 0 else 1
            restarts += 1
            print(f"[launcher] restart {restarts}: all workers, resuming", flush=True)
            resume = train_args if "--resume" in train_args else [*train_args, "--resume"]
            workers = start_workers(args.workers, resume)
    except KeyboardInterrupt:
        stop(workers)
        return 130


if __name__ == "__main__":
    sys.exit(main())
