"""The model registry, after timm's: `@register_model`, `create(name, ...)`, `list_models()`."""

from __future__ import annotations

import dataclasses
import fnmatch
import inspect
import math
import numbers
from collections.abc import Callable

import keras

from components.training.compile import inference_model
from zoo.defaults import ModelDefaults


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    name: str
    build: Callable[..., keras.Model]
    defaults: ModelDefaults
    options: tuple[str, ...]
    annotations: dict[str, str] = dataclasses.field(default_factory=dict)


def _keyword_options(build: Callable, keyword_only: bool) -> tuple[str, ...]:
    parameters = inspect.signature(build).parameters.values()
    return tuple(
        p.name
        for p in parameters
        if p.name not in ("input_shape", "num_classes")
        and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        and (p.kind is p.KEYWORD_ONLY or not keyword_only)
    )


_MODELS: dict[str, ModelEntry] = {}

SCALES = ("auto", "paper", "small")
# `scale="auto"` builds the paper's configuration from this image size up (d2l upsamples
# Fashion-MNIST to 96 for GoogLeNet and to 224 for the others), the small one below it.
PAPER_SCALE_MIN_SIZE = 96


def resolve_scale(scale: str, input_shape: tuple[int, int, int]) -> str:
    """`"paper"` or `"small"`: `scale` itself, or for `"auto"` the one that fits `input_shape`."""
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}. Valid scales: {', '.join(SCALES)}.")
    if scale != "auto":
        return scale
    return "paper" if min(input_shape[:2]) >= PAPER_SCALE_MIN_SIZE else "small"


def register_model(
    fn: Callable | None = None,
    *,
    defaults: ModelDefaults | None = None,
    options_from: Callable | None = None,
):
    """Registers a model function under its own name; usable as `@register_model` or with args.

    The function takes `input_shape`, `num_classes` and its own keyword arguments and returns a
    `keras.Model` that outputs logits.

    Args:
        fn: the model function (when used without arguments).
        defaults: its `ModelDefaults`.
        options_from: a builder whose keyword-only parameters are the model's options, for a
            model function that passes `**options` on (the VGG variants); default: the model
            function's own parameters.
    """

    def decorate(build: Callable) -> Callable:
        name = build.__name__
        if name in _MODELS:
            raise ValueError(f"Model {name!r} is registered twice.")
        options = (
            _keyword_options(options_from, keyword_only=True)
            if options_from is not None
            else _keyword_options(build, keyword_only=False)
        )
        source = options_from if options_from is not None else build
        annotations = {
            p.name: str(p.annotation)
            for p in inspect.signature(source).parameters.values()
            if p.name in options
        }
        _MODELS[name] = ModelEntry(name, build, defaults or ModelDefaults(), options, annotations)
        return build

    return decorate(fn) if fn is not None else decorate


def _registered() -> dict[str, ModelEntry]:
    """The registered models, the zoo's families imported first: importing a family registers
    its models, and `from zoo.registry import list_models` alone imports none of them."""
    from zoo import _load_families  # the package's list of families; it is loaded already

    _load_families()
    return _MODELS


def _entry(name: str) -> ModelEntry:
    models = _registered()
    if name not in models:
        raise ValueError(f"Unknown model {name!r}. Valid models: {', '.join(list_models())}.")
    return models[name]


def list_models(pattern: str = "*") -> list[str]:
    """Sorted names of the registered models matching a shell-style `pattern` (e.g. `"vgg*"`)."""
    return sorted(name for name in _registered() if fnmatch.fnmatch(name, pattern))


def get_defaults(name: str) -> ModelDefaults:
    """The `ModelDefaults` of a registered model."""
    return _entry(name).defaults


def create(
    name: str,
    input_shape: tuple[int, int, int] | None = None,
    num_classes: int | None = None,
    **kwargs,
) -> keras.Model:
    """Builds a registered model; it outputs logits.

    Args:
        name: a name from `list_models()`.
        input_shape: `(height, width, channels)`; default the model's.
        num_classes: number of output classes; default the model's.
        **kwargs: the model function's own options.

    Example:
    >>> model = zoo.create("lenet5_bn", input_shape=(28, 28, 1), num_classes=10)
    >>> model.output_shape
    (None, 10)
    """
    entry = _entry(name)
    input_shape = tuple(entry.defaults.input_shape if input_shape is None else input_shape)
    num_classes = entry.defaults.num_classes if num_classes is None else num_classes
    if (
        len(input_shape) != 3
        or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) for n in input_shape
        )
        or min(input_shape) <= 0
    ):
        raise ValueError(
            f"input_shape must be (height, width, channels) of integers > 0, got {input_shape}."
        )
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, numbers.Integral)
        or num_classes < 2
    ):
        raise ValueError(f"num_classes must be an integer of at least 2, got {num_classes!r}.")
    options = model_options(name)
    unknown = sorted(set(kwargs) - set(options))
    if unknown:
        raise ValueError(
            f"Model {name!r} has no option {', '.join(unknown)}; its options are: "
            f"{', '.join(options) or 'none'}."
        )
    check_option_values(name, kwargs)
    # NumPy's integers pass the checks above, but Keras's layers take Python ints only.
    input_shape, num_classes = tuple(int(n) for n in input_shape), int(num_classes)
    try:
        return entry.build(input_shape=input_shape, num_classes=num_classes, **kwargs)
    except ValueError:  # e.g. a pooling's negative output size, deep in Keras
        smallest = _smallest_input(entry, input_shape, num_classes, kwargs)
        if smallest is None:
            raise
        raise ValueError(
            f"input_shape {input_shape} is too small for {name!r}: "
            f"its convolutions and poolings need images of at least {smallest} x {smallest} "
            "pixels. Resize the images (classiczoo train --resize SIZE)."
        ) from None


# The image sizes tried, smallest first, to name the least a model takes once it failed.
_PROBE_SIZES = (2, 4, 8, 12, 16, 24, 28, 32, 48, 64, 96, 128, 160, 192, 224, 227, 256, 299)


def _smallest_input(entry, input_shape, num_classes, options) -> int | None:
    """The smallest square image size above `input_shape`'s that the model builds with."""
    for size in _PROBE_SIZES:
        if size <= min(input_shape[:2]):
            continue
        try:
            entry.build(
                input_shape=(size, size, input_shape[2]), num_classes=num_classes, **options
            )
        except ValueError:
            continue
        return size
    return None


# Ranges of the options several models share: (low, high, in words). A width below 1/64 leaves
# layers without units (a 104-parameter VGG); above 16 no model here fits in memory.
OPTION_RANGES = {
    "dropout": (0.0, 1.0, "in [0, 1)"),
    "width": (1 / 64, 16.0, "in [1/64, 16]"),
}


def check_option_values(name: str, options: dict) -> None:
    """Raises a ValueError for a model option of the wrong type or out of range: a boolean
    option takes True/False only, a numeric one a finite number, a text one text.

    Example:
    >>> check_option_values("lenet5", {"dropout": 0.3, "batch_norm": True})
    >>> check_option_values("lenet5", {"batch_norm": "yes"})
    Traceback (most recent call last):
    ...
    ValueError: Model 'lenet5': option batch_norm takes true or false, got 'yes'.
    """
    annotations = _entry(name).annotations
    for key, value in options.items():
        annotation = annotations.get(key, "")
        kind = (
            "bool"
            if "bool" in annotation
            else "number"
            if ("float" in annotation or "int" in annotation)
            else "text"
            if annotation.startswith("str")
            else None
        )
        if kind == "bool" and not isinstance(value, bool):
            raise ValueError(f"Model {name!r}: option {key} takes true or false, got {value!r}.")
        if kind == "number" and (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            if value is None and "None" in annotation:
                continue
            raise ValueError(f"Model {name!r}: option {key} takes a finite number, got {value!r}.")
        if kind == "text" and not isinstance(value, str):
            raise ValueError(f"Model {name!r}: option {key} takes text, got {value!r}.")
        if key in OPTION_RANGES and value is not None and kind == "number":
            low, high, words = OPTION_RANGES[key]
            inside = low <= value < high if key == "dropout" else low <= value <= high
            if not inside:
                raise ValueError(f"Model {name!r}: option {key} must be {words}, got {value!r}.")


def model_options(name: str) -> list[str]:
    """The keyword options a model takes besides `input_shape` and `num_classes`."""
    return list(_entry(name).options)


class BuildFunctionRegistry:
    """A registry of one model: a user's build function, for a run that takes a registry
    (`zoo.cross_validate(build_model=...)`); the zoo's own registry is left untouched.

    Args:
        build: `build(input_shape, num_classes, **options) -> keras.Model` giving logits.
        defaults: its training defaults (default `ModelDefaults()`).
        name: its name (default the function's).

    Example:
    >>> def tiny(input_shape, num_classes):
    ...     inputs = keras.Input(input_shape)
    ...     outputs = keras.layers.Dense(num_classes)(keras.layers.Flatten()(inputs))
    ...     return keras.Model(inputs, outputs)
    >>> registry = BuildFunctionRegistry(tiny)
    >>> registry.list_models(), registry.create("tiny", (28, 28, 1), 10).output_shape
    (['tiny'], (None, 10))
    """

    def __init__(
        self, build: Callable, defaults: ModelDefaults | None = None, name: str | None = None
    ):
        if not callable(build):
            raise ValueError(f"build_model must be callable, got {build!r}.")
        self.name = name or getattr(build, "__name__", "custom_model")
        self.build = build
        self.defaults = defaults or ModelDefaults()
        self.options = _keyword_options(build, keyword_only=False)

    def list_models(self, pattern: str = "*") -> list[str]:
        return [self.name] if fnmatch.fnmatch(self.name, pattern) else []

    def get_defaults(self, name: str) -> ModelDefaults:
        self._check(name)
        return self.defaults

    def model_options(self, name: str) -> list[str]:
        self._check(name)
        return list(self.options)

    def create(self, name: str, input_shape=None, num_classes=None, **options) -> keras.Model:
        self._check(name)
        model = self.build(
            input_shape=tuple(input_shape or self.defaults.input_shape),
            num_classes=num_classes or self.defaults.num_classes,
            **options,
        )
        if not isinstance(model, keras.Model):
            raise ValueError(f"build_model must return a keras.Model, got {type(model).__name__}.")
        return model

    def _check(self, name: str) -> None:
        if name != self.name:
            raise ValueError(f"Unknown model {name!r}; this registry holds {self.name!r} only.")


def check_activation(activation: str) -> str:
    """`activation` if it names a Keras activation (it also names layers), else a ValueError."""
    try:
        keras.activations.get(activation)
    except ValueError:
        valid = "relu, leaky_relu, elu, sigmoid, tanh, gelu, ..."
        raise ValueError(f"Unknown activation {activation!r}; Keras names: {valid}") from None
    if not isinstance(activation, str):
        raise ValueError(f"activation must be a Keras activation name, got {activation!r}.")
    return activation


__all__ = [
    "SCALES",
    "BuildFunctionRegistry",
    "OPTION_RANGES",
    "check_activation",
    "check_option_values",
    "create",
    "get_defaults",
    "inference_model",
    "list_models",
    "model_options",
    "register_model",
    "resolve_scale",
]
