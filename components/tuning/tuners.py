"""keras-tuner's tuners over a `ClassifierHyperModel`: made, resumed, and summed up.

`make_tuner` builds a Hyperband, random or Bayesian tuner that reloads its finished trials
from its directory; `claim_search_directory` refuses to mix two different searches in one
directory; `top_trials_table` prints the best trials and `trial_metrics` reads one trial's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras_tuner
    import tensorflow as tf

from components.atomic_files import write_json_atomic

TUNERS = ("hyperband", "random", "bayesian")
# Written beside keras-tuner's own files: what the directory's search is searching.
SEARCH_RECORD = "search.json"


class SearchDirectoryError(ValueError):
    """A tuning directory holds a different search, or something that is no search."""


def make_tuner(
    kind: str,
    hypermodel: keras_tuner.HyperModel,
    directory: str | Path,
    *,
    max_trials: int,
    epochs: int,
    objective: str = "val_accuracy",
    distribution_strategy: tf.distribute.Strategy | None = None,
    seed: int | None = None,
    executions_per_trial: int = 1,
    hyperband_factor: int = 3,
    overwrite: bool = False,
) -> keras_tuner.Tuner:
    """A keras-tuner tuner whose trials live in `directory` (its project directory).

    Without `overwrite` an existing search in `directory` is reloaded: finished trials are
    kept, a trial that was interrupted runs again, and the search goes on until `max_trials`
    (which may be raised between runs).

    Args:
        kind: one of `TUNERS`.
        hypermodel: e.g. a `ClassifierHyperModel`.
        directory: the search's directory (keras-tuner's `directory/project_name`).
        max_trials: trials in all; for Hyperband a cap on its own schedule.
        epochs: Hyperband's `max_epochs` (the others train each trial for the epochs that
            `search` is given).
        objective: the metric to maximize or minimize (keras-tuner infers which).
        distribution_strategy: each trial trains under it (keras-tuner's argument).
        seed: the tuner's random seed.
        executions_per_trial: models trained per trial (their scores are averaged).
        hyperband_factor: Hyperband's reduction factor, >= 2.
        overwrite: delete an existing search in `directory` first.

    Example:
    >>> from components.data import Preprocessing
    >>> from components.tuning import ClassifierHyperModel, SearchSpace
    >>> def mlp():
    ...     return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
    ...                              keras.layers.Dense(10)])
    >>> hypermodel = ClassifierHyperModel(mlp, SearchSpace(), preprocessing=Preprocessing(
    ...     mean=(0.29,), std=(0.35,)))
    >>> tuner = make_tuner("random", hypermodel, "tuning/mlp", max_trials=10, epochs=3)
    >>> type(tuner).__name__
    'RandomSearch'
    """
    import keras_tuner  # here: TUNERS serves the flags, read before Keras loads

    if kind not in TUNERS:
        raise ValueError(f"Unknown tuner {kind!r}. Valid tuners: {', '.join(TUNERS)}.")
    if max_trials < 1 or epochs < 1 or executions_per_trial < 1:
        raise ValueError(
            "max_trials, epochs and executions_per_trial must be >= 1, got "
            f"{max_trials}, {epochs}, {executions_per_trial}."
        )
    if hyperband_factor < 2:
        raise ValueError(f"hyperband_factor must be >= 2, got {hyperband_factor}.")
    directory = Path(directory)
    common = {
        "hypermodel": hypermodel,
        "objective": objective,
        "seed": seed,
        "executions_per_trial": executions_per_trial,
        "distribution_strategy": distribution_strategy,
        "directory": str(directory.parent),
        "project_name": directory.name,
        "overwrite": overwrite,
    }
    if kind == "random":
        return keras_tuner.RandomSearch(max_trials=max_trials, **common)
    if kind == "bayesian":
        return keras_tuner.BayesianOptimization(max_trials=max_trials, **common)
    tuner = keras_tuner.Hyperband(
        max_epochs=epochs, factor=hyperband_factor, hyperband_iterations=1, **common
    )
    tuner.oracle.max_trials = max_trials  # the base Oracle stops there; Hyperband has no flag
    return tuner


def claim_search_directory(
    directory: str | Path, record: dict, *, overwrite: bool = False
) -> bool:
    """Makes `directory` the home of the search `record` describes; True where it resumes one.

    The record (model, data, space, tuner, ...) is kept in `SEARCH_RECORD`. A directory with
    a finished or interrupted search of the same record is resumed; one with a different
    record is refused, so two searches never mix their trials.

    Args:
        directory: the search's directory.
        record: JSON-ready facts that must match for a search to go on.
        overwrite: remove the search that is there and start afresh (a non-empty directory
            that holds no search is never removed).

    Raises:
        SearchDirectoryError: the directory holds another search, or something else.
    """
    directory = Path(directory)
    record = json.loads(json.dumps(record))  # as it reads back: tuples become lists
    record_path = directory / SEARCH_RECORD
    has_search = (directory / "oracle.json").is_file()
    if overwrite and directory.exists():
        if not (record_path.is_file() or has_search) and any(directory.iterdir()):
            raise SearchDirectoryError(
                f"{directory} is not empty and holds no search ({SEARCH_RECORD} or "
                "oracle.json); it is not removed."
            )
        shutil.rmtree(directory)
    elif has_search:
        if not record_path.is_file():
            raise SearchDirectoryError(
                f"{directory} holds a keras-tuner search without {SEARCH_RECORD}: what it "
                "searched is unknown, so it is not resumed."
            )
        previous = json.loads(record_path.read_text())
        if previous != record:
            differences = "; ".join(
                f"{key}: {previous.get(key)!r} there, {record.get(key)!r} now"
                for key in sorted(set(previous) | set(record))
                if previous.get(key) != record.get(key)
            )
            raise SearchDirectoryError(f"{directory} holds a different search ({differences}).")
        return True
    directory.mkdir(parents=True, exist_ok=True)
    write_json_atomic(record_path, record)
    return False


def _cell(value) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def top_trials_table(oracle: keras_tuner.Oracle, num_trials: int = 5) -> str:
    """The best completed trials as a text table: trial id, score, each hyperparameter.

    Hyperband's bookkeeping values are left out but for `tuner/epochs` (shown as `epochs`).

    Args:
        oracle: the tuner's oracle (`tuner.oracle`).
        num_trials: the most trials to show, best first.

    Example:
    >>> print(top_trials_table(tuner.oracle, 3))  # doctest: +SKIP
    Top 3 of 10 completed trials by val_accuracy (max):
    trial  val_accuracy  learning_rate  optimizer  batch_size ...
    """
    trials = oracle.get_best_trials(num_trials)
    completed = sum(t.status == "COMPLETED" for t in oracle.trials.values())
    objective = oracle.objective
    names = [hp.name for hp in oracle.hyperparameters.space if not hp.name.startswith("tuner/")]
    if any("tuner/epochs" in t.hyperparameters.values for t in trials):
        names.append("tuner/epochs")
    header = ["trial", objective.name, *(n.removeprefix("tuner/") for n in names)]
    rows = [
        [
            t.trial_id,
            "-" if t.score is None else f"{t.score:.4f}",
            *(_cell(t.hyperparameters.values.get(n)) for n in names),
        ]
        for t in trials
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"Top {len(trials)} of {completed} completed trials by {objective.name} "
        f"({objective.direction}):"
    ]
    for row in [header, *rows]:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def trial_metrics(trial: keras_tuner.engine.trial.Trial) -> dict[str, float]:
    """The metrics keras-tuner recorded for a trial (those of its best epoch), by name.

    Args:
        trial: a completed trial, e.g. `tuner.oracle.get_best_trials(1)[0]`.

    Example:
    >>> trial_metrics(best)  # doctest: +SKIP
    {'accuracy': 0.81, 'loss': 0.52, 'val_accuracy': 0.8, 'val_loss': 0.55}
    """
    return {name: float(trial.metrics.get_last_value(name)) for name in trial.metrics.metrics}


__all__ = [
    "SEARCH_RECORD",
    "TUNERS",
    "SearchDirectoryError",
    "claim_search_directory",
    "make_tuner",
    "top_trials_table",
    "trial_metrics",
]
