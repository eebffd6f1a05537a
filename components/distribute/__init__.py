"""Scaling a run out: the tf.distribute strategy of a run, the project's loop for multi-worker
training (Keras's fit fails under MultiWorkerMirroredStrategy, keras-team/keras#20585), and
the launcher of a local cluster of worker processes (`classiczoo launch`)."""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.distribute.loop import DistributedTrainer
    from components.distribute.strategies import (
        TFConfigError,
        describe_strategy,
        is_chief,
        parse_tf_config,
        select_strategy,
        strategy_name,
        task_id,
    )

_EXPORTS = {
    "DistributedTrainer": "components.distribute.loop",
    "TFConfigError": "components.distribute.strategies",
    "describe_strategy": "components.distribute.strategies",
    "is_chief": "components.distribute.strategies",
    "parse_tf_config": "components.distribute.strategies",
    "select_strategy": "components.distribute.strategies",
    "strategy_name": "components.distribute.strategies",
    "task_id": "components.distribute.strategies",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "DistributedTrainer",
    "TFConfigError",
    "describe_strategy",
    "is_chief",
    "parse_tf_config",
    "select_strategy",
    "strategy_name",
    "task_id",
]
