"""Whether an optional module is installed, without importing it.

TensorFlow and tensorflow-datasets are optional under Keras's JAX backend: the parts that use
them ask here first and say what they do without them.
"""

from __future__ import annotations

import importlib.util


def is_installed(module: str) -> bool:
    """True if `module` can be imported (it is not imported here).

    Example:
    >>> is_installed("numpy"), is_installed("no_such_module")
    (True, False)
    """
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a finder may refuse outright
        return False


__all__ = ["is_installed"]
