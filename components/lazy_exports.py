"""Package attributes loaded on first use (PEP 562), so that importing a package does not
import TensorFlow.

`components.data`, `components.training` and the other packages name their parts in one
table; `from components.data import Preprocessing` then imports only the module that defines
it. A Keras user on the JAX backend, with TensorFlow absent, can use every part that does not
need TensorFlow; a part that does fails at its own import, naming the module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, namespace: dict, exports: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of a package whose names live in its modules.

    Args:
        package: the package's `__name__`.
        namespace: the package's `globals()`, where a loaded name is kept.
        exports: each public name and the module that defines it.

    Example:
    >>> __getattr__, __dir__ = lazy_exports(
    ...     __name__, globals(), {"Preprocessing": "components.data.preprocessing"}
    ... )  # doctest: +SKIP

    Raises:
        ValueError: a name that is also its module's name (`activation_statistics` in
            `components.diagnostics.activation_statistics`): importing the module would set
            the package's attribute to the module, hiding the function; import it eagerly.
    """
    shadowed = [name for name, module in exports.items() if module.rsplit(".", 1)[-1] == name]
    if shadowed:
        raise ValueError(
            f"{package}: {', '.join(shadowed)} share their module's name; import them eagerly."
        )

    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
