"""Keras callbacks for controlling and watching training."""

from components.callbacks.activation_monitor import ActivationMonitor, activation_statistics
from components.callbacks.gradient_monitor import GradientMonitor
from components.callbacks.lr_finder import LRFinder, find_learning_rate
from components.callbacks.lr_logger import LearningRateLogger
from components.callbacks.pause import PauseEveryNSteps
from components.callbacks.pause_commands import HELP, Decision, parse_command
from components.callbacks.pause_controllers import (
    AutoController,
    FileController,
    TerminalController,
    default_controller,
)

__all__ = [
    "HELP",
    "ActivationMonitor",
    "GradientMonitor",
    "activation_statistics",
    "AutoController",
    "Decision",
    "FileController",
    "LRFinder",
    "LearningRateLogger",
    "PauseEveryNSteps",
    "TerminalController",
    "default_controller",
    "find_learning_rate",
    "parse_command",
]
