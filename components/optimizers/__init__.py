"""Optimizers by their textbook names, Adam without bias correction, and the learning rate of a
running optimizer (read it, set it mid-run)."""

from components.optimizers.adam_no_bias_correction import AdamNoBiasCorrection
from components.optimizers.factory import NO_DECAY_NAMES, OPTIMIZERS, make_optimizer
from components.optimizers.learning_rate import (
    current_learning_rate,
    inner_optimizer,
    set_learning_rate,
)

__all__ = [
    "NO_DECAY_NAMES",
    "OPTIMIZERS",
    "AdamNoBiasCorrection",
    "current_learning_rate",
    "inner_optimizer",
    "make_optimizer",
    "set_learning_rate",
]
