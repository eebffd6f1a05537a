"""A run's checkpoint directory: which files are the run's, who holds it, what can be resumed.

A checkpoint directory may be shared with the user's own files, or asked for by two runs at
once. So a run takes a lock in it (`.classiczoo.lock`: its process id, host and start time;
a second run is refused with the holder's name, and a lock whose process is gone from this
host is taken over), resumes only from a checkpoint that loads, and at its end removes only
what it wrote: `checkpoint` and `ckpt-*` files, its lock, and the directory itself only if the
run made it (a `.classiczoo-created` marker says so, across an interruption) and it is empty.
"""

from __future__ import annotations

import datetime
import os
import socket
from collections.abc import Callable
from pathlib import Path

from components.checkpoints.files import checkpoint_files
from components.config_error import ConfigError
from components.processes import pid_is_gone

LOCK_NAME = ".classiczoo.lock"
CREATED_MARKER = ".classiczoo-created"


class CheckpointDirectory:
    """The checkpoint directory of one run, locked while it runs.

    Args:
        directory: the directory (made if missing, and then marked as the run's).

    Example:
    >>> with CheckpointDirectory("ckpt") as held:  # doctest: +SKIP
    ...     ...  # train; held.finish() once exported
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._locked = False

    @property
    def lock_path(self) -> Path:
        return self.directory / LOCK_NAME

    def acquire(self) -> CheckpointDirectory:
        """Makes the directory if missing and takes its lock.

        Raises:
            ConfigError: another live run holds the lock.
        """
        if not self.directory.is_dir():
            # The directory and each missing parent are marked as the run's: release removes
            # those it leaves empty (no stray `checkpoints/` after a finished run).
            made = [self.directory, *self.directory.parents]
            made = made[: next(i for i, d in enumerate(made) if d.is_dir())]
            self.directory.mkdir(parents=True)
            for directory in made:
                (directory / CREATED_MARKER).write_text("made by a classiczoo run\n")
        text = (
            f"pid {os.getpid()} host {socket.gethostname()} since "
            f"{datetime.datetime.now().isoformat(timespec='seconds')}\n"
        )
        for _ in range(2):
            try:
                descriptor = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                if not self._stale():
                    holder = self._holder()
                    raise ConfigError(
                        f"{self.directory} is in use by another run ({holder}; lock file "
                        f"{self.lock_path}): wait for it to finish, or give another "
                        "--checkpoint-dir."
                    ) from None
                self.lock_path.unlink(missing_ok=True)  # its process is gone: take it over
                continue
            with os.fdopen(descriptor, "w") as lock:
                lock.write(text)
            self._locked = True
            return self
        raise ConfigError(f"Could not take the lock {self.lock_path}; try again.")

    def _holder(self) -> str:
        try:
            return self.lock_path.read_text(errors="replace").strip()[:200] or "unknown"
        except OSError:
            return "unknown"

    def _stale(self) -> bool:
        words = self._holder().split()
        if len(words) < 4 or words[0] != "pid" or words[2] != "host":
            return False  # not ours to judge: refuse rather than take it
        return words[3] == socket.gethostname() and pid_is_gone(words[1])

    def release(self) -> None:
        """Gives the lock back. The checkpoints stay (the run can be resumed); the
        directories the run made and left empty go, the directory and its parents."""
        if self._locked:
            self.lock_path.unlink(missing_ok=True)
            self._locked = False
        directory = self.directory
        while (directory / CREATED_MARKER).exists() and [p.name for p in directory.iterdir()] == [
            CREATED_MARKER
        ]:
            (directory / CREATED_MARKER).unlink()
            directory.rmdir()
            directory = directory.parent

    def finish(self) -> None:
        """The run is complete: removes its checkpoint files, its lock, and the directory if
        the run made it and nothing else is left in it."""
        for path in checkpoint_files(self.directory):
            path.unlink(missing_ok=True)
        self.release()

    def __enter__(self) -> CheckpointDirectory:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def check_resume(
    directory: str | Path,
    resume: bool,
    *,
    loadable: Callable[[str | Path], tuple[str | None, str]],
) -> None:
    """Refuses a resume without a loadable checkpoint, and a fresh run over checkpoint files.

    Args:
        directory: the run's checkpoint directory.
        resume: the run asks to resume.
        loadable: `(newest loadable checkpoint or None, why not)` of a directory:
            `components.checkpoints.weights.loadable_weights` (Keras's fit) or
            `components.checkpoints.tensorflow_checkpoint.loadable_checkpoint` (the
            multi-worker loop).

    Raises:
        ConfigError: naming the directory and why.
    """
    prefix, why = loadable(directory)
    if resume and prefix is None:
        raise ConfigError(f"resume: no checkpoint in {directory} to resume from: {why}.")
    if not resume and checkpoint_files(directory):
        what = (
            "a checkpoint of an unfinished run: pass --resume to continue it"
            if prefix is not None
            else f"checkpoint files that cannot be resumed ({why}): remove them"
        )
        raise ConfigError(
            f"{directory} holds {what}, or give another --checkpoint-dir to start afresh."
        )


__all__ = [
    "CREATED_MARKER",
    "LOCK_NAME",
    "CheckpointDirectory",
    "check_resume",
    "checkpoint_files",
]
