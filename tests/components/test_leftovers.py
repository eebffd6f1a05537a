"""Leftovers of killed runs are removed by the next one; a live process's are left alone."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from components.distribute.loop import WORKER_DIR_PREFIX, remove_abandoned_worker_dirs
from components.export.versions import remove_abandoned_exports
from components.processes import owner_is_gone, owner_tag


def _dead_tag() -> str:
    code = "from components.processes import owner_tag; print(owner_tag())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_owner_tags_tell_a_dead_process_from_a_live_one():
    assert not owner_is_gone(owner_tag())
    assert owner_is_gone(_dead_tag())
    assert not owner_is_gone("123@another-host")  # cannot be judged from here: presumed alive
    assert not owner_is_gone("garbage")


def test_abandoned_exports_go_live_ones_and_old_style_stay(tmp_path):
    dead = tmp_path / f".export-{_dead_tag()}-abc123"
    live = tmp_path / f".export-{owner_tag()}-def456"
    old_style = tmp_path / ".export-xyz"
    for directory in (dead, live, old_style):
        (directory / "saved_model").mkdir(parents=True)
    assert remove_abandoned_exports(tmp_path) == [dead]
    assert not dead.exists() and live.exists() and old_style.exists()


def test_abandoned_worker_checkpoint_dirs_go():
    dead = Path(tempfile.mkdtemp(prefix=f"{WORKER_DIR_PREFIX}1-{_dead_tag()}-"))
    live = Path(tempfile.mkdtemp(prefix=f"{WORKER_DIR_PREFIX}1-{owner_tag()}-"))
    try:
        removed = remove_abandoned_worker_dirs()
        assert dead in removed and not dead.exists()
        assert live.exists()
    finally:
        for directory in (dead, live):
            if directory.exists():
                directory.rmdir()


def test_the_launcher_resumes_only_from_a_checkpoint_that_exists(tmp_path):
    from components.distribute.local_cluster import checkpoint_dir_of, restart_command

    command = ["classiczoo", "train", "--model", "lenet5", "--checkpoint-dir", str(tmp_path)]
    assert checkpoint_dir_of(command) == tmp_path
    assert restart_command([*command, "--resume"]) == command  # nothing to resume yet
    (tmp_path / "checkpoint").write_text('model_checkpoint_path: "ckpt-5"\n')
    assert restart_command(command) == [*command, "--resume"]


def test_the_launcher_does_not_restart_a_usage_error(capsys):
    from components.distribute.local_cluster import run_local_cluster

    code = run_local_cluster([sys.executable, "-c", "import sys; sys.exit(2)"], 1, 3)
    out = capsys.readouterr().out
    assert code == 2
    assert "a usage error (bad flags): not restarted" in out and "restart 1" not in out


def test_a_worker_dead_before_any_checkpoint_restarts_from_the_start(capsys):
    from components.distribute.local_cluster import run_local_cluster

    script = "import sys; print('argv', sys.argv[1:]); sys.exit(1)"
    command = [sys.executable, "-c", script, "--resume", "--checkpoint-dir", "no_checkpoints"]
    assert run_local_cluster(command, 1, 1) == 1
    out = capsys.readouterr().out
    assert "restart 1: all workers, from the start (no checkpoint yet)" in out
    runs = [line for line in out.splitlines() if "argv" in line]
    assert "'--resume'" in runs[0] and "'--resume'" not in runs[-1]
