"""Whether the process that left a file behind is still running: for locks and leftovers.

A lock or a temporary directory names the process that made it (`owner_tag`: its pid and
host); `owner_is_gone` tells the next run whether it may take the lock over or remove the
leftover (`remove_abandoned_dirs`). Only a process on this host can be judged gone; any other
is presumed alive.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path


def owner_tag() -> str:
    """`<pid>@<host>` of this process, safe in a file name.

    Example:
    >>> owner_tag().split("@")[0] == str(os.getpid())
    True
    """
    host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())
    return f"{os.getpid()}@{host}"


def pid_is_gone(pid: int) -> bool:
    """Whether process `pid` of this host has ended (False when it cannot be told).

    Example:
    >>> pid_is_gone(os.getpid())
    False
    """
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


def owner_is_gone(tag: str) -> bool:
    """Whether the process of an `owner_tag` has ended (False when it cannot be told).

    Example:
    >>> owner_is_gone(owner_tag())
    False
    """
    pid, _, host = tag.partition("@")
    if not pid.isdigit() or host != owner_tag().partition("@")[2]:
        return False
    return pid_is_gone(int(pid))


# `<prefix>-<pid>@<host>-<random>`: the host may hold dashes, mkdtemp's random part never does.
_OWNED_NAME = re.compile(r"-(\d+@.+)-[^-]+$")


def owned_dir_prefix(prefix: str) -> str:
    """A `tempfile.mkdtemp` prefix that names this process: `<prefix>-<pid>@<host>-`."""
    return f"{prefix}-{owner_tag()}-"


def remove_abandoned_dirs(parent: str | Path, pattern: str) -> list[Path]:
    """Removes the directories under `parent` matching `pattern`, named by `owned_dir_prefix`,
    whose process is gone from this host; returns them. Any other is left alone."""
    removed = []
    for leftover in Path(parent).glob(pattern):
        match = _OWNED_NAME.search(leftover.name)
        if match and leftover.is_dir() and owner_is_gone(match.group(1)):
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


__all__ = [
    "owned_dir_prefix",
    "owner_is_gone",
    "owner_tag",
    "pid_is_gone",
    "remove_abandoned_dirs",
]
