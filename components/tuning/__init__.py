"""Hyperparameter search with keras-tuner: each model's space (`search_space`), the HyperModel
that builds and fits it (`hypermodel`), the tuners and their directories (`tuners`), and the
whole search of a registered model (`search`, what `zoo.tune` runs)."""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
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

_EXPORTS = {
    "ClassifierHyperModel": "components.tuning.hypermodel",
    "FloatRange": "components.tuning.search_space",
    "MODEL_OPTIONS": "components.tuning.search_space",
    "SEARCH_RECORD": "components.tuning.tuners",
    "SearchDirectoryError": "components.tuning.tuners",
    "SearchSpace": "components.tuning.search_space",
    "TRAINING_DIMENSIONS": "components.tuning.search_space",
    "TUNERS": "components.tuning.tuners",
    "claim_search_directory": "components.tuning.tuners",
    "declare_hyperparameters": "components.tuning.hypermodel",
    "make_tuner": "components.tuning.tuners",
    "top_trials_table": "components.tuning.tuners",
    "trial_metrics": "components.tuning.tuners",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

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
