"""A run's figures in the export's schema (`components.export.metadata.Metrics`), whatever the
loop and the number of heads: training and search record the same names."""

from __future__ import annotations

import keras

from components.export.metadata import Metrics
from components.training.compile import main_head_names


def split_figures(logs: dict, model: keras.Model) -> tuple[dict, dict | None]:
    """`(train, validation)` figures of one epoch's logs, under the run's names.

    Example:
    >>> inputs = keras.Input((2,))
    >>> model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    >>> split_figures({"loss": 0.4, "accuracy": 0.8, "val_loss": 0.5}, model)
    ({'loss': 0.4, 'accuracy': 0.8}, {'loss': 0.5})
    """
    names = main_head_names(logs, model)
    figures = {names[k]: float(v) for k, v in logs.items() if k in names}
    train = {k: v for k, v in figures.items() if not k.startswith("val_")}
    validation = {k.removeprefix("val_"): v for k, v in figures.items() if k.startswith("val_")}
    return train, validation or None


def run_metrics(
    history: dict[str, list],
    model: keras.Model,
    *,
    test: dict,
    train_seconds: float | None,
    epoch: int = -1,
) -> Metrics:
    """The metrics of a finished run: the train and validation figures of the epoch whose
    weights it kept (the last, or the best with `restore_best`), the test figures and the
    per-epoch history.

    Args:
        history: Keras's `History.history` (per-epoch lists).
        model: the model trained (its heads name the figures).
        test: the test split's figures (`loss`, `accuracy`, ...).
        train_seconds: wall time of training.
        epoch: the index of the epoch whose weights the model holds (-1: the last).
    """
    names = main_head_names(history, model)
    renamed = {names[k]: [float(x) for x in v] for k, v in history.items() if k in names}
    train, validation = split_figures({k: v[epoch] for k, v in history.items() if v}, model)
    return Metrics(
        test={k: float(v) for k, v in test.items()},
        train=train,
        validation=validation,
        train_seconds=None if train_seconds is None else round(train_seconds, 1),
        history=renamed,
    )


__all__ = ["run_metrics", "split_figures"]
