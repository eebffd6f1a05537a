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


__all__ = ["atomic_path", "strict_json_value", "write_json_atomic", "write_text_atomic"]
