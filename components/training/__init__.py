"""Training a classifier: the settings of a run, strategies, the loop, checkpoints, compiling,
reproducibility and the figures a run records.

The whole run of a zoo model (`zoo.train`) is `components.training.run.train_model`; it is not
imported here because it uses the callbacks, which use this package's checkpoints.
"""

from components.training.checkpointing import (
    checkpoint_manager,
    has_checkpoint,
    training_checkpoint,
)
from components.training.compile import (
    AUX_LOSS_WEIGHT,
    compile_classifier,
    inference_model,
    main_head_names,
    with_aux_targets,
)
from components.training.config import ConfigError, ModelRegistry, TrainConfig
from components.training.distribute import (
    STRATEGIES,
    TFConfigError,
    describe_strategy,
    is_chief,
    parse_tf_config,
    select_strategy,
    strategy_name,
    task_id,
)
from components.training.loop import DistributedTrainer
from components.training.metrics import run_metrics, split_figures
from components.training.reproducibility import make_deterministic, seed_everything

__all__ = [
    "AUX_LOSS_WEIGHT",
    "STRATEGIES",
    "ConfigError",
    "DistributedTrainer",
    "ModelRegistry",
    "TFConfigError",
    "TrainConfig",
    "checkpoint_manager",
    "compile_classifier",
    "describe_strategy",
    "has_checkpoint",
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
    "training_checkpoint",
    "with_aux_targets",
]
