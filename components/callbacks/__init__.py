"""Keras callbacks for controlling and watching training.

Registered as serializable (`keras.saving.deserialize_keras_object` gives a working one back):
`LearningRateLogger`, `LRFinder`, `TrainingCheckpoint`. The others hold live objects (a batch
of data, a controller, a loop) that a config cannot carry, and are not registered, like
Keras's own callbacks.
"""

from components.callbacks.activation_monitor import ActivationMonitor
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
from components.callbacks.step_counting import StepCountingCallback
from components.callbacks.training_checkpoint import TrainingCheckpoint

__all__ = [
    "HELP",
    "ActivationMonitor",
    "AutoController",
    "Decision",
    "FileController",
    "GradientMonitor",
    "LRFinder",
    "LearningRateLogger",
    "PauseEveryNSteps",
    "StepCountingCallback",
    "TerminalController",
    "TrainingCheckpoint",
    "TrainingLoopHooks",
    "default_controller",
    "find_learning_rate",
    "parse_command",
]
