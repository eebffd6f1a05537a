"""Training a classifier: the settings of a run, compiling, reproducibility and the figures a
run records; the strategies and the multi-worker loop are `components.distribute`'s (their
names are given here too), checkpoints `components.checkpoints`, cross-validation
`components.model_selection`.

The whole run of a zoo model (`zoo.train`) is `components.training.backend_dispatch`'s
`train_on_backend`: `components.training.run` under TensorFlow, `keras_fit_run` under JAX, both
through `resumable_fit.fit_from`.
"""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.distribute.loop import DistributedTrainer
    from components.distribute.strategies import (
        STRATEGIES,
        TFConfigError,
        describe_strategy,
        is_chief,
        parse_tf_config,
        select_strategy,
        strategy_name,
        task_id,
    )
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

_EXPORTS = {
    "AUX_LOSS_WEIGHT": "components.training.compile",
    "ConfigError": "components.training.config",
    "DistributedTrainer": "components.distribute.loop",
    "ModelRegistry": "components.training.config",
    "STRATEGIES": "components.distribute.strategies",
    "TFConfigError": "components.distribute.strategies",
    "TrainConfig": "components.training.config",
    "compile_classifier": "components.training.compile",
    "describe_strategy": "components.distribute.strategies",
    "inference_model": "components.training.compile",
    "is_chief": "components.distribute.strategies",
    "main_head_names": "components.training.compile",
    "make_deterministic": "components.training.reproducibility",
    "parse_tf_config": "components.distribute.strategies",
    "run_metrics": "components.training.metrics",
    "seed_everything": "components.training.reproducibility",
    "select_strategy": "components.distribute.strategies",
    "split_figures": "components.training.metrics",
    "strategy_name": "components.distribute.strategies",
    "task_id": "components.distribute.strategies",
    "with_aux_targets": "components.training.compile",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "AUX_LOSS_WEIGHT",
    "STRATEGIES",
    "ConfigError",
    "DistributedTrainer",
    "ModelRegistry",
    "TFConfigError",
    "TrainConfig",
    "compile_classifier",
    "describe_strategy",
    "inference_model",
    "is_chief",
    "main_head_names",
    "make_deterministic",
    "parse_tf_config",
    "run_metrics",
    "seed_everything",
    "select_strategy",
    "split_figures",
    "strategy_name",
    "task_id",
    "with_aux_targets",
]
