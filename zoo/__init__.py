"""classiczoo's model zoo: the classic CNNs by name, and their training run.

    import zoo
    zoo.list_models("vgg*")                      # ['vgg11', 'vgg11_bn', ...]
    model = zoo.create("lenet5_bn", input_shape=(28, 28, 1), num_classes=10)
    result = zoo.train(model="lenet5_bn", epochs=3, val_split=0.1)   # train, export, evaluate
    result.metrics.test["accuracy"], result.export_dir
    zoo.cross_validate(model="lenet5_bn", epochs=2, folds=5)           # k-fold estimate

Each architecture family lives in its own module (`lenet`, `alexnet`, `vgg`, `nin`,
`googlenet`) and registers its models in `zoo.registry`. The package loads them on first use
of any of its names, not at `import zoo`: the `classiczoo` command (`zoo.cli`) must quiet
TensorFlow's start-up before anything imports it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The families and the models each registers. The commands check a `--model` against these
# names before Keras loads (importing a family loads it); a test holds them to the registry.
MODELS_BY_FAMILY = {
    "alexnet": ("alexnet",),
    "googlenet": ("googlenet",),
    "lenet": ("lenet5", "lenet5_bn"),
    "nin": ("nin",),
    "vgg": tuple(f"vgg{depth}{bn}" for depth in (11, 13, 16, 19) for bn in ("", "_bn")),
}
FAMILIES = tuple(MODELS_BY_FAMILY)
MODEL_NAMES = tuple(sorted(name for names in MODELS_BY_FAMILY.values() for name in names))
_NAMES = {
    "ModelDefaults": "zoo.defaults",
    "Recipe": "zoo.defaults",
    "create": "zoo.registry",
    "get_defaults": "zoo.registry",
    "inference_model": "zoo.registry",
    "list_models": "zoo.registry",
    "model_options": "zoo.registry",
    "register_model": "zoo.registry",
    "resolve_scale": "zoo.registry",
    "describe": "zoo.cards",
    "TrainConfig": "components.training.config",
    "TrainResult": "components.training.result",
    "TuneConfig": "components.tuning.tune_config",
    "TuneResult": "components.tuning.search",
}
_SUBMODULES = ("registry", "cards", "cli", *FAMILIES)

if TYPE_CHECKING:  # what static tools see; at run time `__getattr__` loads these on first use
    from components.training.config import TrainConfig
    from components.training.result import TrainResult
    from components.tuning.search import TuneResult
    from components.tuning.tune_config import TuneConfig
    from zoo.cards import describe
    from zoo.defaults import ModelDefaults, Recipe
    from zoo.registry import (
        create,
        get_defaults,
        inference_model,
        list_models,
        model_options,
        register_model,
        resolve_scale,
    )


def _load_families() -> None:
    for family in FAMILIES:
        importlib.import_module(f"zoo.{family}")  # importing a family registers its models


def __getattr__(name: str):
    if name in _NAMES:
        _load_families()
        value = getattr(importlib.import_module(_NAMES[name]), name)
    elif name in _SUBMODULES:
        if name != "cli":  # the commands read their flags before Keras loads (the families)
            _load_families()
        value = importlib.import_module(f"zoo.{name}")
    else:
        raise AttributeError(f"module 'zoo' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_NAMES, *_SUBMODULES])


def _array_data(data, num_classes: int | None):
    """`data` as given, or with `num_classes` an `ArrayData` that names the class count."""
    if num_classes is None:
        return data
    if data is None:
        raise TypeError("num_classes goes with data=(x_train, y_train, x_test, y_test).")
    from components.data.arrays import ArrayData

    return ArrayData(*data, num_classes=num_classes)


def train(
    config: TrainConfig | None = None, *, data=None, num_classes: int | None = None, **fields
) -> TrainResult:
    """Trains a zoo model, exports it as a SavedModel and evaluates it: `classiczoo train`.

    Under Keras's JAX backend (`backend="jax"`, or `KERAS_BACKEND=jax`) the run is Keras's
    fit and ends in a `.keras` file and its metadata (`classiczoo export` makes the
    SavedModel under TensorFlow); TensorFlow need not be installed there.

    Args:
        config: a `TrainConfig`; or give its fields as keywords (not both).
        data: `(x_train, y_train, x_test, y_test)` NumPy arrays to train on instead of the
            dataset (images `[N, H, W, C]` of raw pixels in 0..255, both parts alike; labels
            class ids; refused: labels outside `num_classes`, test labels the training labels
            lack, one part scaled to 0..1 and the other not).
        num_classes: with `data`, the model's classes (default: the training labels' largest
            + 1).
        **fields: `TrainConfig` fields, e.g. `model="vgg11_bn", epochs=3, val_split=0.1`,
            `backend="jax"` (set before anything imports Keras: Keras picks its backend once).

    Returns:
        A `TrainResult`: `history`, `metrics` (train, validation, test), `export_dir`, the
        trained `model` (main head), its `preprocessing`; `stopped_at_step` if a pause or a
        NaN stopped the run.

    Raises:
        components.training.ConfigError: a bad setting, named with what is valid.

    Example:
    >>> result = zoo.train(model="lenet5_bn", epochs=1, train_split="train[:2000]")
    ... # doctest: +SKIP
    >>> result.metrics.test["accuracy"], result.export_dir  # doctest: +SKIP
    (0.71, PosixPath('saved_models/lenet5_bn/1'))
    """
    from components.backends import choose_keras_backend

    if config is not None and fields:
        raise TypeError("Give a TrainConfig or its fields as keywords, not both.")
    data = _array_data(data, num_classes)
    choose_keras_backend(fields.get("backend"))  # before anything below imports Keras
    from components.training.backend_dispatch import train_on_backend
    from components.training.config import TrainConfig

    _load_families()
    registry = importlib.import_module("zoo.registry")
    return train_on_backend(config or TrainConfig.of(**fields), registry, data)


def tune(config: TuneConfig | None = None, **fields) -> TuneResult:
    """Searches a zoo model's hyperparameters with keras-tuner and exports the best model:
    `classiczoo tune`.

    Args:
        config: a `TuneConfig`; or give its fields as keywords (not both).
        **fields: `TuneConfig` fields, e.g. `model="lenet5_bn", tuner="random", max_trials=10`.

    Example:
    >>> result = zoo.tune(model="lenet5", max_trials=2, epochs=1)  # doctest: +SKIP
    >>> print(result.table)  # doctest: +SKIP
    """
    from components.tuning.search import search_model
    from components.tuning.tune_config import TuneConfig

    if config is not None and fields:
        raise TypeError("Give a TuneConfig or its fields as keywords, not both.")
    _load_families()
    return search_model(config or TuneConfig(**fields), importlib.import_module("zoo.registry"))


def cross_validate(
    config: TrainConfig | None = None,
    *,
    folds: int = 5,
    compare: Mapping[str, Mapping[str, Any]] | None = None,
    build_model: Callable | None = None,
    results_path: str | Path | None = None,
    data=None,
    num_classes: int | None = None,
    **fields,
):
    """k-fold cross-validation of a zoo model (or your build function): `classiczoo
    cross-validate`.

    Each of `folds` folds of `train_split` is held out in turn while a fresh model trains on the
    rest with exactly what `zoo.train` does; the test split is never read.

    Args:
        config: a `TrainConfig` (`val_split` 0); or give its fields as keywords (not both).
        folds: k >= 2.
        compare: settings to compare, `{name: {TrainConfig field: value}}` applied on top of
            the config, e.g. `{"lr=1e-3": {"learning_rate": 1e-3}, "lr=3e-3": {...}}`; None:
            the config alone.
        build_model: `build(input_shape, num_classes, **options) -> keras.Model` (logits) to
            cross-validate instead of a zoo model; the config's `model` is then its name, and
            its defaults `zoo.ModelDefaults()`.
        results_path: the JSON of every fold (default `crossval/<model>-<time>.json`).
        data: `(x_train, y_train, x_test, y_test)` NumPy arrays, as for `zoo.train`: the
            training part is folded instead of the dataset's split (the test part is checked,
            never read).
        num_classes: with `data`, the model's classes (default: the training labels' largest
            + 1).
        **fields: `TrainConfig` fields.

    Returns:
        A `components.model_selection.cross_validation.CrossValidationResult`: per setting its
        folds' figures, `mean(metric)`, `std(metric)`; `best`; `table`; `diagnosis`.

    Example:
    >>> result = zoo.cross_validate(model="lenet5_bn", epochs=2, folds=5,
    ...     compare={"lr=1e-3": {"learning_rate": 1e-3}, "lr=3e-3": {"learning_rate": 3e-3}})
    ... # doctest: +SKIP
    >>> result.best  # doctest: +SKIP
    'lr=3e-3'
    """

    from components.backends import choose_keras_backend

    if config is not None and fields:
        raise TypeError("Give a TrainConfig or its fields as keywords, not both.")
    data = _array_data(data, num_classes)
    choose_keras_backend(fields.get("backend"))  # before anything below imports Keras
    from components.model_selection.cross_validation import cross_validate as run_folds
    from components.training.config import ConfigError, TrainConfig

    _load_families()
    registry = importlib.import_module("zoo.registry")
    if build_model is not None:
        registry = registry.BuildFunctionRegistry(build_model)
        fields.setdefault("model", registry.name)
    config = config or TrainConfig.of(**fields)
    settings = {"base": config}
    if compare:
        settings = {}
        for name, overrides in compare.items():
            try:
                settings[name] = config.replace(**overrides)
            except ConfigError as err:
                raise ConfigError(f"compare {name!r}: {err}") from None
    return run_folds(settings, registry, folds=folds, results_path=results_path, data=data)


def lr_find(model: str = "lenet5_bn", **options):
    """Smith's learning-rate range test of a zoo model: `classiczoo lr-find`.

    Args:
        model: a zoo model's name.
        **options: see `components.training.lr_range_test.lr_range_test`.

    Returns:
        The `components.callbacks.LRFinder` (its `suggestion()`, `plot(path)`).

    Example:
    >>> finder = zoo.lr_find("lenet5_bn", steps=100)  # doctest: +SKIP
    >>> finder.suggestion()  # doctest: +SKIP
    """
    from components.training.lr_range_test import lr_range_test

    _load_families()
    return lr_range_test(importlib.import_module("zoo.registry"), model, **options)


__all__ = [
    "FAMILIES",
    "MODELS_BY_FAMILY",
    "MODEL_NAMES",
    "ModelDefaults",
    "Recipe",
    "TrainConfig",
    "TrainResult",
    "TuneConfig",
    "TuneResult",
    "create",
    "cross_validate",
    "describe",
    "get_defaults",
    "inference_model",
    "list_models",
    "lr_find",
    "model_options",
    "register_model",
    "resolve_scale",
    "train",
    "tune",
]
