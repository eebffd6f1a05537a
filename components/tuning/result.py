"""What a search leaves: `TuneResult`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import keras_tuner

from components.data.preprocessing import Preprocessing
from components.export.metadata import Hyperparameters, Metrics


@dataclasses.dataclass
class TuneResult:
    """What a search leaves: the tuner, the best trial and its exported model.

    Args:
        tuner: the keras-tuner tuner (its `oracle` holds every trial).
        best_trial: the best completed trial.
        model: the best model (main head), with the weights of its best epoch.
        preprocessing: the normalization it expects.
        metrics: its train and validation figures (the trial's) and test figures.
        hyperparameters: the chosen values in a training run's form.
        table: the top trials as text.
        export_dir: the SavedModel's version directory.
        resumed: whether the search went on from an earlier run in its directory.
        train_command: the `classiczoo train` command that trains it from scratch.
    """

    tuner: keras_tuner.Tuner
    best_trial: keras_tuner.engine.trial.Trial
    model: keras.Model
    preprocessing: Preprocessing
    metrics: Metrics
    hyperparameters: Hyperparameters
    table: str
    export_dir: Path
    resumed: bool
    train_command: str


__all__ = ["TuneResult"]
