"""Whether the process that left a file behind is still running: for locks and leftovers.

A lock or a temporary directory names the process that made it (`owner_tag`: its pid and
host); `owner_is_gone` tells the next run whether it may take the lock over or remove the
leftover. Only a process on this host can be judged gone; any other is presumed alive.
"""

from __future__ import annotations

import os
import re
import socket


def owner_tag() -> str:
    """`<pid>@<host>` of this process, safe in a file name.

    Example:
    >>> owner_tag().split("@")[0] == str(os.getpid())
    True
    """
    host = re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname())
    return f"{os.getpid()}@{host}"


def owner_is_gone(tag: str) -> bool:
    """Whether the process of an `owner_tag` has ended (False when it cannot be told).

    Example:
    >>> owner_is_gone(owner_tag())
    False
    """
    pid, _, host = tag.partition("@")
    if not pid.isdigit() or host != owner_tag().partition("@")[2]:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


__all__ = ["owner_is_gone", "owner_tag"]
