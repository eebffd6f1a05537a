"""Keras callbacks for controlling and watching training.

Registered as serializable (`keras.saving.deserialize_keras_object` gives a working one back):
`BestWeights`, `LearningRateLogger`, `LRFinder`, `ResumableReduceLROnPlateau` (and the run's
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

_EXPORTS = {
    "ActivationMonitor": "components.callbacks.activation_monitor",
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
    "default_controller": "components.callbacks.pause_controllers",
    "find_learning_rate": "components.callbacks.lr_finder",
    "parse_command": "components.callbacks.pause_commands",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "HELP",
    "ActivationMonitor",
    "AutoController",
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
    "default_controller",
    "find_learning_rate",
    "parse_command",
]
