"""Numbered versions under a base directory (TF Serving's layout), written whole or not at all.

`<base>/<version>/` directories, integers from 1. A new version is written into a temporary
`.export-<pid>@<host>-*` directory beside the versions and renamed into place at the end, so a
version is complete or absent and an existing one is never overwritten; the temporary
directories of writers killed midway are removed by the next writer. SavedModel exports
(`components.export.saved_model`) and `.keras` models (`components.export.keras_model`) both
publish this way.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from components.processes import owned_dir_prefix, remove_abandoned_dirs


def list_versions(base_dir: str | Path) -> list[int]:
    """The integer version directories under `base_dir`, ascending."""
    base_dir = Path(base_dir)
    if not base_dir.is_dir():
        return []
    return sorted(int(p.name) for p in base_dir.iterdir() if p.is_dir() and p.name.isdigit())


def remove_abandoned_exports(base_dir: str | Path) -> list[Path]:
    """Removes the temporary `.export-<pid>@<host>-*` directories of exports killed midway
    (their process is gone from this host); returns what it removed. Others are left."""
    return remove_abandoned_dirs(base_dir, ".export-*@*-*")


def publish_version(base_dir: str | Path, write: Callable[[Path], object]) -> Path:
    """Writes the next free version under `base_dir`: `write(directory)` fills a temporary
    directory, which is then renamed into place.

    Args:
        base_dir: the base directory, created if missing.
        write: writes the version's files into the (empty) directory it is given.

    Returns:
        The new version directory.

    Example:
    >>> publish_version("saved_models/lenet5_bn", lambda d: model.save(d / "model.keras"))
    ... # doctest: +SKIP
    PosixPath('saved_models/lenet5_bn/1')
    """
    base_dir = Path(base_dir)
    base_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned_exports(base_dir)
    tmp_dir = Path(tempfile.mkdtemp(dir=base_dir, prefix=owned_dir_prefix(".export")))
    try:
        content = tmp_dir / "version"
        content.mkdir()
        write(content)
        while True:
            version = (list_versions(base_dir) or [0])[-1] + 1
            target = base_dir / str(version)
            try:
                # mkdir fails if a version appeared meanwhile; rename then replaces our own
                # empty directory only, so nothing existing is ever overwritten.
                target.mkdir()
            except FileExistsError:
                continue
            os.rename(content, target)
            return target
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)  # empty after a success


__all__ = ["list_versions", "publish_version", "remove_abandoned_exports"]
