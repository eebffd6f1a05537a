"""Writing a file so that it is complete or absent: a temporary file beside it, then a rename.

Every file the project writes for people to keep (metadata.json, evaluation reports, markdown
tables, PNG plots, search records) goes through `atomic_path`, so a crash or a full disk in the
middle of a write never leaves a half-written file where a reader expects a whole one.
The standard library has no such helper (`os.replace` is the atomic step it offers).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yields a temporary path beside `path`; renames it over `path` if the block succeeds.

    The temporary file keeps `path`'s suffixes (matplotlib picks the format from the last;
    Keras wants a weights file to end in `.weights.h5`). If the
    block raises, the temporary file is removed and `path` is left as it was. The parent
    directory is created if missing.

    Args:
        path: the file to write.

    Example:
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("complete or absent")
    >>> target.read_text()
    'complete or absent'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffixes = "".join(path.suffixes)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffixes)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Writes `text` to `path` atomically; returns `path`."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return Path(path)


def strict_json_value(value):
    """`value` with every non-finite float (NaN, ±inf) replaced by None, at any depth: JSON
    has no NaN, and Python's `json` would write a bare `NaN` that other readers refuse.

    Example:
    >>> strict_json_value({"loss": float("nan"), "history": [1.0, float("inf")]})
    {'loss': None, 'history': [1.0, None]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: strict_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict_json_value(v) for v in value]
    return value


def write_json_atomic(path: str | Path, payload) -> Path:
    """Writes `payload` as indented, strict JSON (non-finite numbers as null; a final
    newline) to `path` atomically."""
    text = json.dumps(strict_json_value(payload), indent=2, default=str, allow_nan=False)
    return write_text_atomic(path, text + "\n")


def check_writable_dir(path: str | Path, what: str) -> Path:
    """`path` if a directory can be made there (or is one) and written into; else an OSError
    that names `what`, the path and why, before any slow work depends on it.

    Args:
        path: a directory, existing or to be made.
        what: its flag or role, for the message (`"--export-dir"`).

    Example:
    >>> check_writable_dir("saved_models", "--export-dir")  # doctest: +SKIP
    PosixPath('saved_models')
    """
    path = Path(path)
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = "" if existing == path else f" ({existing} is a file)"
        raise NotADirectoryError(
            f"{what} {path} cannot be a directory{where}: name a directory, existing or new."
        )
    try:  # a probe, not os.access: permissions are not all (read-only mounts, quotas)
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".classiczoo-write-probe-")
        os.close(handle)
        os.unlink(probe)
    except OSError as err:
        raise OSError(  # one argument: the message alone, no bare "[Errno 30]" before it
            f"{what} {path} is not writable ({existing}: {err.strerror}): choose another "
            "directory."
        ) from None
    return path


def ensure_free_space(directory: str | Path, needed: int, what: str) -> None:
    """Raises an OSError naming `what`, the bytes it needs and those free, where the disk of
    `directory` (or of its first existing parent) has fewer than `needed` bytes free plus a
    margin: found before writing, where a full disk mid-write leaves a library's file handles
    failing (h5py's end in a crash).

    Args:
        directory: where the file goes.
        needed: its estimated size in bytes.
        what: what is written, for the message (`"checkpoint ckpt-40"`).
    """
    existing = Path(directory)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    wanted = int(needed * 1.2) + 2**20  # the estimate's margin, and 1 MiB for the small files
    if free < wanted:
        raise OSError(
            f"No space left for the {what} in {directory}: it needs about "
            f"{wanted / 2**20:.1f} MiB, {free / 2**20:.1f} MiB are free on that disk. Free some "
            "space (earlier checkpoints and exports are kept) and run again."
        )


__all__ = [
    "atomic_path",
    "check_writable_dir",
    "ensure_free_space",
    "strict_json_value",
    "write_json_atomic",
    "write_text_atomic",
]
