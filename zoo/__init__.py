"""classiczoo's model zoo: `zoo.create(name, input_shape=..., num_classes=...)`, `list_models()`.

Each architecture family lives in its own module; importing this package registers them all.
"""

# Importing each family module registers its models.
from zoo import alexnet, googlenet, lenet, nin, vgg  # noqa: F401
from zoo.cards import describe
from zoo.registry import (
    ModelDefaults,
    create,
    get_defaults,
    inference_model,
    list_models,
    register_model,
    resolve_scale,
)

__all__ = [
    "ModelDefaults",
    "create",
    "describe",
    "get_defaults",
    "inference_model",
    "list_models",
    "register_model",
    "resolve_scale",
]
