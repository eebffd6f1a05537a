"""Hyperparameter search with keras-tuner over a model's `SearchSpace`.

`ClassifierHyperModel` turns a model builder and its space into a `keras_tuner.HyperModel`:
`build` samples the hyperparameters, builds the model with the chosen options and compiles it;
`fit` batches the data with the chosen batch size (keras-tuner has no batch-size
hyperparameter of its own, so `fit` is overridden as its docs suggest). `make_tuner` builds a
Hyperband, random or Bayesian tuner that reloads its finished trials from its directory;
`claim_search_directory` refuses to mix two different searches in one directory;
`top_trials_table` prints the best trials. Components never import `zoo`: the builder and its
space are passed in.
"""

from __future__ import annotations

import inspect
import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import keras_tuner
import tensorflow as tf

from components.data.pipeline import Preprocessing, make_pipeline
from components.export import write_json_atomic
from components.optimizers import make_optimizer
from components.search_space import MODEL_OPTIONS, FloatRange, SearchSpace
from components.training import compile_classifier, with_aux_targets

TUNERS = ("hyperband", "random", "bayesian")
# Written beside keras-tuner's own files: what the directory's search is searching.
SEARCH_RECORD = "search.json"


class SearchDirectoryError(ValueError):
    """A tuning directory holds a different search, or something that is no search."""


def _float(hp: keras_tuner.HyperParameters, name: str, span: FloatRange) -> float:
    return hp.Float(name, span.min_value, span.max_value, step=span.step, sampling=span.sampling)


def _choice(hp: keras_tuner.HyperParameters, name: str, values: tuple):
    if len(values) == 1:
        return hp.Fixed(name, values[0])
    if set(values) == {False, True}:
        return hp.Boolean(name)
    return hp.Choice(name, list(values))


def declare_hyperparameters(hp: keras_tuner.HyperParameters, space: SearchSpace) -> dict:
    """Declares every dimension of `space` in `hp` and returns the values `hp` holds now.

    The learning rate is a `Float` (log-sampled by default), dropout a `Float`, the others
    `Choice`, `Boolean` or, with one value, `Fixed`; each is named as its `SearchSpace` field.

    Args:
        hp: the trial's hyperparameters (keras-tuner's container).
        space: the dimensions to declare; empty ones are left out.

    Example:
    >>> hp = keras_tuner.HyperParameters()
    >>> sorted(declare_hyperparameters(hp, SearchSpace()))
    ['batch_size', 'learning_rate', 'optimizer', 'weight_decay']
    """
    values = {"learning_rate": _float(hp, "learning_rate", space.learning_rate)}
    for name in ("optimizer", "batch_size", "weight_decay", "kernel_initializer", "activation"):
        if getattr(space, name):
            values[name] = _choice(hp, name, getattr(space, name))
    if space.dropout is not None:
        values["dropout"] = _float(hp, "dropout", space.dropout)
    if space.batch_norm:
        values["batch_norm"] = _choice(hp, "batch_norm", space.batch_norm)
    return values


def _builder_options(build_model: Callable) -> set[str] | None:
    """The keyword options of `build_model`, or None where it takes any (`**kwargs`)."""
    parameters = inspect.signature(build_model).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters}


class ClassifierHyperModel(keras_tuner.HyperModel):
    """A classifier whose options, optimizer and batch size come from a `SearchSpace`.

    Args:
        build_model: takes the space's model options as keywords (`activation="elu"`, ...)
            and returns an uncompiled `keras.Model` that outputs logits (more outputs are
            auxiliary heads, trained as `components.training.compile_classifier` does).
        space: what to search.
        preprocessing: the input pipeline's (`components.data.make_pipeline`).
        build_options: the keyword options `build_model` takes; a space that sets another is
            refused. Default: read from `build_model`'s signature.
        seed: the pipeline's shuffle seed.
        name: the HyperModel's name.

    Example:
    >>> hypermodel = ClassifierHyperModel(
    ...     functools.partial(zoo.create, "lenet5_bn"), zoo.get_defaults("lenet5_bn").search_space,
    ...     preprocessing=prep, build_options=zoo.registry.model_options("lenet5_bn"),
    ... )  # doctest: +SKIP
    """

    def __init__(
        self,
        build_model: Callable[..., keras.Model],
        space: SearchSpace,
        *,
        preprocessing: Preprocessing,
        build_options: Sequence[str] | None = None,
        seed: int | None = 0,
        name: str | None = None,
    ):
        super().__init__(name=name, tunable=True)
        known = set(build_options) if build_options is not None else None
        if known is None:
            known = _builder_options(build_model)
        unsupported = [o for o in space.model_options() if known is not None and o not in known]
        if unsupported:
            raise ValueError(
                f"The search space sets {', '.join(unsupported)}, which the model builder does "
                f"not take; it takes: {', '.join(sorted(known)) or 'nothing'}. Valid model "
                f"options of a space: {', '.join(MODEL_OPTIONS)}."
            )
        self.build_model = build_model
        self.space = space
        self.preprocessing = preprocessing
        self.seed = seed

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        values = declare_hyperparameters(hp, self.space)
        model = self.build_model(**{k: v for k, v in values.items() if k in MODEL_OPTIONS})
        optimizer = make_optimizer(
            values["optimizer"], values["learning_rate"], weight_decay=values["weight_decay"]
        )
        return compile_classifier(model, optimizer)

    def fit(
        self,
        hp: keras_tuner.HyperParameters,
        model: keras.Model,
        x: tf.data.Dataset,
        *args,
        validation_data: tf.data.Dataset | None = None,
        **kwargs,
    ):
        """Trains on unbatched `(uint8 image, label)` data, batched by the trial's batch size.

        Args:
            hp: the trial's hyperparameters.
            model: the model `build` made.
            x: unbatched training `(image, label)` pairs (e.g. `ImageClassificationData.train`).
            validation_data: unbatched validation pairs, or None.
            *args, **kwargs: for `model.fit` (keras-tuner passes `epochs` and callbacks).
        """
        batch_size = hp.get("batch_size")
        kwargs.pop("batch_size", None)  # the trial's decides
        train = make_pipeline(
            x, self.preprocessing, batch_size=batch_size, training=True, seed=self.seed
        )
        if validation_data is not None:
            validation_data = with_aux_targets(
                make_pipeline(
                    validation_data, self.preprocessing, batch_size=batch_size, training=False
                ),
                model,
            )
        kwargs.setdefault("shuffle", False)  # the pipeline shuffles
        return model.fit(
            with_aux_targets(train, model), *args, validation_data=validation_data, **kwargs
        )


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
    >>> tuner = make_tuner("random", hypermodel, "tuning/lenet5", max_trials=10, epochs=3)
    ... # doctest: +SKIP
    """
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
    "ClassifierHyperModel",
    "SearchDirectoryError",
    "claim_search_directory",
    "declare_hyperparameters",
    "make_tuner",
    "top_trials_table",
    "trial_metrics",
]
