"""Hyperparameter search with keras-tuner: each model's space (`search_space`), the HyperModel
that builds and fits it (`hypermodel`), the tuners and their directories (`tuners`), and the
whole search of a registered model (`search`, what `zoo.tune` runs)."""

from components.tuning.hypermodel import ClassifierHyperModel, declare_hyperparameters
from components.tuning.search_space import (
    MODEL_OPTIONS,
    TRAINING_DIMENSIONS,
    FloatRange,
    SearchSpace,
)
from components.tuning.tuners import (
    SEARCH_RECORD,
    TUNERS,
    SearchDirectoryError,
    claim_search_directory,
    make_tuner,
    top_trials_table,
    trial_metrics,
)

__all__ = [
    "MODEL_OPTIONS",
    "SEARCH_RECORD",
    "TRAINING_DIMENSIONS",
    "TUNERS",
    "ClassifierHyperModel",
    "FloatRange",
    "SearchDirectoryError",
    "SearchSpace",
    "claim_search_directory",
    "declare_hyperparameters",
    "make_tuner",
    "top_trials_table",
    "trial_metrics",
]
