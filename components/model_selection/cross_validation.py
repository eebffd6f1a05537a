"""k-fold cross-validation of one or several training settings: `zoo.cross_validate`.

d2l 3.6 ("K-fold cross-validation"): when data is scarce, split the training data into k
folds; train k times, each time on k - 1 folds and validating on the one left out; the mean of
the k validation figures estimates how well the setting generalizes, and their spread says how
much to trust it. The test split is never read. Each fold trains a fresh model with exactly
what `zoo.train` does (data, normalization fitted on the fold's training part, augmentation,
the model's defaults, optimizer, schedule, strategy, loop; `components.training.fitting`).
Fold i starts from seed `seed + i` for every setting, so settings are compared on the same
folds from the same initial weights.

A fold is the run's own fit (`fit_run`) on the run's devices, on either backend: tf.data and
tf.distribute on TensorFlow, NumPy batches on JAX. The folds are the same tfds split strings
on both, read by tfds or from the arrays; a folder of class folders (`image_dir`) is folded as
its `train` split on both. This module imports TensorFlow only for a TensorFlow fold.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import keras
import numpy as np

from components.data.arrays import ArraySplits, load_array_splits, split_sizes
from components.diagnostics.bias_variance import diagnose_bias_variance, human_error_for
from components.installed import is_installed
from components.model_selection.cross_validation_results import (
    CrossValidationResult,
    FoldResult,
    SettingSummary,
    best_sentence,
    diagnosis_sentence,
    mean_and_std,
    plot_folds,
    results_table,
    write_results,
)
from components.model_selection.folds import Fold, kfold_splits
from components.training.backend_dispatch import check_backend
from components.training.config import ConfigError, ModelRegistry, TrainConfig
from components.training.devices import check_keras_fit_config, run_devices
from components.training.fitting import fit_run
from components.training.reproducibility import make_deterministic, seed_everything
from components.training.run import arrays_run_data, reads_tfds

# The fields every setting must share: they decide the folds.
# The data settings every compared setting shares: the folds are cut from them.
SHARED_FIELDS = ("dataset", "train_split", "data_dir", "resize")


def _check_settings(settings: Mapping[str, TrainConfig], registry: ModelRegistry) -> dict:
    if not settings:
        raise ConfigError("cross-validation needs at least one setting.")
    resolved = {}
    for name, config in settings.items():
        where = f"setting {name!r}: " if len(settings) > 1 else ""
        if config.data.val_split:
            raise ConfigError(
                f"{where}val_split must be 0 in cross-validation: each held-out fold is the "
                "validation set."
            )
        if config.control.restore_best:
            raise ConfigError(
                f"{where}restore_best picks an epoch on the held-out fold, which would bias "
                "the fold's estimate; cross-validate a fixed number of epochs."
            )
        if config.control.resume or config.control.pause_every:
            raise ConfigError(f"{where}resume and pause_every are for single training runs.")
        resolved[name] = config.resolve(registry)
    first = next(iter(resolved.values()))
    for name, config in resolved.items():
        for field in SHARED_FIELDS:
            if getattr(config.data, field) != getattr(first.data, field):
                raise ConfigError(
                    f"setting {name!r} changes {field} ({getattr(config.data, field)!r} vs "
                    f"{getattr(first.data, field)!r}): all settings must share the folds."
                )
    return resolved


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.=-]+", "_", name).strip("_") or "setting"


def cross_validate(
    settings: TrainConfig | Mapping[str, TrainConfig],
    registry: ModelRegistry,
    *,
    folds: int = 5,
    results_path: str | Path | None = None,
    say=print,
    data=None,
) -> CrossValidationResult:
    """k-fold cross-validation of each setting over the config's `train_split`.

    Args:
        settings: one config, or `{name: config}` to compare; all share the dataset, the
            split, the data dir and the resize (the folds).
        registry: where models come from (`zoo.registry`, or one holding a build function).
        folds: k, 2..the examples of the split.
        results_path: the JSON written after every fold (default
            `crossval/<model>-<time>.json`); a PNG of the folds goes beside it.
        say: prints a line.
        data: an `ArrayData` (or `(x_train, y_train, x_test, y_test)`) whose training part
            is folded instead of the dataset's split (`train_split` slices it as `train`); its
            test part is checked, never read.

    Returns:
        A `CrossValidationResult`; `best` is the setting with the best mean validation
        accuracy.

    Raises:
        ConfigError: a bad setting (a validation split of its own, restore_best, resume),
            settings that do not share the folds.
        ValueError: fewer than 2 folds, more folds than examples, a split that cannot be
            folded.

    Example:
    >>> result = cross_validate(TrainConfig.of(model="lenet5_bn", epochs=2), zoo.registry)
    ... # doctest: +SKIP
    >>> result.best, result.settings[0].mean("accuracy")  # doctest: +SKIP
    """
    if isinstance(settings, TrainConfig):
        settings = {"base": settings}
    resolved = _check_settings(dict(settings), registry)
    first = next(iter(resolved.values()))
    backend = check_backend(first)
    fold_list = kfold_splits(first.data.train_split, folds, _split_sizes(first, data))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    results_path = Path(results_path or Path("crossval") / f"{first.model.name}-{stamp}.json")
    if backend != "tensorflow":
        for config in resolved.values():
            check_keras_fit_config(config, backend)
    devices = run_devices(first)  # first: a multi-worker strategy needs a fresh context
    chief = devices.chief
    summaries = [SettingSummary(name, config, []) for name, config in resolved.items()]
    examples = fold_list[0].num_train + fold_list[0].num_validation
    say(
        f"Cross-validation: {len(summaries)} setting(s) x {folds} folds of {first.data.dataset} "
        f"{first.data.train_split} ({examples} examples); results: {results_path}"
    )
    policy = keras.mixed_precision.dtype_policy()
    try:
        for summary in summaries:
            for fold in fold_list:
                say(
                    f"[{summary.name}] fold {fold.index + 1}/{folds}: validation "
                    f"{fold.validation_split}, training {fold.train_split}"
                )
                summary.folds.append(_run_fold(summary, fold, registry, devices, stamp, data))
                last = summary.folds[-1]
                say(
                    f"[{summary.name}] fold {fold.index + 1}/{folds}: validation accuracy "
                    f"{last.accuracy:.4f}, loss {last.loss:.4f}, train error "
                    f"{last.train_error:.4f} ({last.train_seconds:.1f} s)"
                )
                if chief:
                    write_results(results_path, first, fold_list, summaries, best=None)
    finally:
        keras.mixed_precision.set_dtype_policy(policy)
    best = max(
        summaries, key=lambda s: (np.nan_to_num(s.mean("accuracy"), nan=-1.0), -s.mean("loss"))
    )
    human_error, source = human_error_for(first.data.dataset, first.output.human_error)
    diagnosis = {
        **diagnose_bias_variance(
            min(max(best.mean("train_error"), 0.0), 1.0),
            min(max(1.0 - best.mean("accuracy"), 0.0), 1.0),
            human_error,
        ).to_json(),
        "human_error_source": source,
    }
    table = results_table(summaries)
    plot_path = None
    if chief:
        write_results(
            results_path, first, fold_list, summaries, best=best.name, diagnosis=diagnosis
        )
        if is_installed("matplotlib"):
            plot_path = plot_folds(summaries, results_path.with_suffix(".png"))
        else:  # a JAX-only machine (the package installed without its dependencies)
            say("The folds' PNG needs matplotlib, not installed; the JSON holds every figure.")
    say(table)
    say(best_sentence(summaries, best))
    say(diagnosis_sentence(best, diagnosis))
    return CrossValidationResult(
        split=first.data.train_split,
        folds=fold_list,
        settings=summaries,
        best=best.name,
        results_path=results_path if chief else None,
        plot_path=plot_path,
        table=table,
        diagnosis=diagnosis,
    )


def _split_sizes(config: TrainConfig, data=None) -> dict[str, int]:
    """The examples of each split the folds are cut from: tfds's (the TensorFlow run reads
    the dataset through tfds), else those of the arrays the JAX run reads."""
    if reads_tfds(config.data, data):
        from components.data.tfds_loading import ensure_prepared

        splits = ensure_prepared(config.data.dataset, config.data.data_dir).info.splits
        return {name: info.num_examples for name, info in splits.items()}
    return split_sizes(
        config.data.dataset,
        data_dir=config.data.data_dir,
        image_dir=config.data.image_dir,
        data=data,
    )


def fold_arrays(config: TrainConfig, fold: Fold, data=None) -> ArraySplits:
    """The fold as arrays: its training part, and its held-out part as the validation split
    (no test part), read as the JAX run reads a dataset, an image folder or arrays (`data`)."""
    parts = load_array_splits(
        config.data.dataset,
        train_split=fold.train_split,
        test_split=fold.validation_split,
        data_dir=config.data.data_dir,
        image_dir=config.data.image_dir,
        data=data,
    )
    return dataclasses.replace(
        parts,
        x_validation=parts.x_test,
        y_validation=parts.y_test,
        x_test=parts.x_test[:0],
        y_test=parts.y_test[:0],
        splits={"train": fold.train_split, "validation": fold.validation_split, "test": ""},
    )


def _run_fold(summary, fold, registry, devices, stamp, data) -> FoldResult:
    config = summary.config
    checkpoint_dir = Path(tempfile.mkdtemp(prefix="classiczoo-cv-"))  # ours: removed after
    fold_config = config.replace(
        train_split=fold.train_split,
        checkpoint_dir=checkpoint_dir,
        log_dir=Path("logs")
        / config.model.name
        / f"cv-{stamp}"
        / _slug(summary.name)
        / f"fold{fold.index + 1}",
    )
    if not devices.multiworker:
        keras.backend.clear_session()  # the previous folds' models go
    keras.mixed_precision.set_dtype_policy(config.control.precision)
    (make_deterministic if config.control.deterministic else seed_everything)(
        config.control.seed + fold.index
    )
    try:
        with devices.active():
            fold_data = _fold_data(config, fold, data, devices)
            fitted = fit_run(fold_config, registry, fold_data, devices)
            figures = fitted.figures("validation")
            train_error, _ = fitted.train_error()
    finally:
        shutil.rmtree(checkpoint_dir, ignore_errors=True)
    return FoldResult(
        setting=summary.name,
        fold=fold,
        accuracy=figures["accuracy"],
        loss=figures["loss"],
        train_error=train_error,
        train_seconds=fitted.train_seconds,
    )


def _fold_data(config: TrainConfig, fold: Fold, data, devices):
    """The fold's training part and its held-out part (as validation), batched as the run
    batches them: by tfds's split strings on TensorFlow, else as arrays."""
    if reads_tfds(config.data, data):
        from components.data.normalized import load_normalized

        return load_normalized(
            config.data.dataset,
            data_dir=config.data.data_dir,
            train_split=fold.train_split,
            test_split=None,
            validation_split=fold.validation_split,
            resize=config.data.resize,
        )
    arrays = fold_arrays(config, fold, data)
    return arrays_run_data(arrays, resize=config.data.resize, devices=devices.replicas)


__all__ = [
    "CrossValidationResult",
    "FoldResult",
    "SettingSummary",
    "cross_validate",
    "mean_and_std",
]
