"""Keras callbacks for controlling and watching training.

Registered as serializable (`keras.saving.deserialize_keras_object` gives a working one back):
`AveragedWeightsValidation`, `BestWeights`, `LearningRateLogger`, `LRFinder`,
`ResumableReduceLROnPlateau`, `TrainingWeightsKeeper` (and the run's
checkpoint callback, `components.checkpoints.WeightsCheckpoint`). The others hold live objects
(a batch of data, a controller, a checkpoint) that a config cannot carry, and are not
registered, like Keras's own callbacks.
"""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.callbacks.activation_monitor import ActivationMonitor
    from components.callbacks.best_weights import BestWeights
    from components.callbacks.gradient_monitor import GradientMonitor
    from components.callbacks.lr_finder import LRFinder, find_learning_rate
    from components.callbacks.lr_logger import LearningRateLogger
    from components.callbacks.pause import PauseEveryNSteps, TrainingLoopHooks
    from components.callbacks.pause_commands import HELP, Decision, parse_command
    from components.callbacks.pause_controllers import (
        AutoController,
        FileController,
        TerminalController,
        default_controller,
    )
    from components.callbacks.resumable_plateau import ResumableReduceLROnPlateau
    from components.callbacks.signal_stop import StopOnSignal
    from components.callbacks.step_counting import StepCountingCallback
    from components.callbacks.weight_average import (
        AveragedWeightsValidation,
        TrainingWeightsKeeper,
        averaged_weights,
        uses_weight_average,
    )

_EXPORTS = {
    "ActivationMonitor": "components.callbacks.activation_monitor",
    "AveragedWeightsValidation": "components.callbacks.weight_average",
    "AutoController": "components.callbacks.pause_controllers",
    "BestWeights": "components.callbacks.best_weights",
    "Decision": "components.callbacks.pause_commands",
    "FileController": "components.callbacks.pause_controllers",
    "GradientMonitor": "components.callbacks.gradient_monitor",
    "HELP": "components.callbacks.pause_commands",
    "LRFinder": "components.callbacks.lr_finder",
    "LearningRateLogger": "components.callbacks.lr_logger",
    "PauseEveryNSteps": "components.callbacks.pause",
    "ResumableReduceLROnPlateau": "components.callbacks.resumable_plateau",
    "StepCountingCallback": "components.callbacks.step_counting",
    "StopOnSignal": "components.callbacks.signal_stop",
    "TerminalController": "components.callbacks.pause_controllers",
    "TrainingLoopHooks": "components.callbacks.pause",
    "TrainingWeightsKeeper": "components.callbacks.weight_average",
    "averaged_weights": "components.callbacks.weight_average",
    "default_controller": "components.callbacks.pause_controllers",
    "find_learning_rate": "components.callbacks.lr_finder",
    "parse_command": "components.callbacks.pause_commands",
    "uses_weight_average": "components.callbacks.weight_average",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "HELP",
    "ActivationMonitor",
    "AutoController",
    "AveragedWeightsValidation",
    "BestWeights",
    "Decision",
    "FileController",
    "GradientMonitor",
    "LRFinder",
    "LearningRateLogger",
    "PauseEveryNSteps",
    "ResumableReduceLROnPlateau",
    "StepCountingCallback",
    "StopOnSignal",
    "TerminalController",
    "TrainingLoopHooks",
    "TrainingWeightsKeeper",
    "averaged_weights",
    "default_controller",
    "find_learning_rate",
    "parse_command",
    "uses_weight_average",
]
