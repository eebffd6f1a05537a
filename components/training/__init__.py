"""Training a classifier: the settings of a run, compiling, reproducibility and the figures a
run records; the strategies and the multi-worker loop are `components.distribute`'s,
checkpoints `components.checkpoints`'s, cross-validation `components.model_selection`'s.

The whole run of a zoo model (`zoo.train`) is `components.training.backend_dispatch`'s
`train_on_backend`, which checks the settings and hands them to `components.training.run`: one
run on every backend, its fit through `resumable_fit.fit_from`.
"""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.training.compile import (
        AUX_LOSS_WEIGHT,
        compile_classifier,
        inference_model,
        main_head_names,
        with_aux_targets,
    )
    from components.training.config import ConfigError, ModelRegistry, TrainConfig
    from components.training.metrics import run_metrics, split_figures
    from components.training.reproducibility import make_deterministic, seed_everything
    from components.training.settings import STRATEGIES

_EXPORTS = {
    "AUX_LOSS_WEIGHT": "components.training.compile",
    "ConfigError": "components.training.config",
    "ModelRegistry": "components.training.config",
    "STRATEGIES": "components.training.settings",
    "TrainConfig": "components.training.config",
    "compile_classifier": "components.training.compile",
    "inference_model": "components.training.compile",
    "main_head_names": "components.training.compile",
    "make_deterministic": "components.training.reproducibility",
    "run_metrics": "components.training.metrics",
    "seed_everything": "components.training.reproducibility",
    "split_figures": "components.training.metrics",
    "with_aux_targets": "components.training.compile",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "AUX_LOSS_WEIGHT",
    "STRATEGIES",
    "ConfigError",
    "ModelRegistry",
    "TrainConfig",
    "compile_classifier",
    "inference_model",
    "main_head_names",
    "make_deterministic",
    "run_metrics",
    "seed_everything",
    "split_figures",
    "with_aux_targets",
]
