"""classiczoo's model zoo: `zoo.create(name, input_shape=..., num_classes=...)`, `list_models()`.

Each architecture family lives in its own module; importing this package registers them all.
"""

from zoo import lenet  # noqa: F401  (registers the LeNet family)
from zoo.registry import ModelDefaults, create, get_defaults, list_models, register_model

__all__ = ["ModelDefaults", "create", "get_defaults", "list_models", "register_model"]
