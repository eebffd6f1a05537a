"""Optimizers by their textbook names, Adam without bias correction, and the learning rate of a
running optimizer (read it, set it mid-run).

Each name loads its module on first use: the names of the optimizers (`OPTIMIZERS`) serve the
commands' flags, which are read before Keras loads.
"""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.optimizers.adam_no_bias_correction import AdamNoBiasCorrection
    from components.optimizers.factory import NO_DECAY_NAMES, OPTIMIZERS, make_optimizer
    from components.optimizers.learning_rate import (
        current_learning_rate,
        inner_optimizer,
        set_learning_rate,
    )

_EXPORTS = {
    "AdamNoBiasCorrection": "components.optimizers.adam_no_bias_correction",
    "NO_DECAY_NAMES": "components.optimizers.factory",
    "OPTIMIZERS": "components.optimizers.factory",
    "current_learning_rate": "components.optimizers.learning_rate",
    "inner_optimizer": "components.optimizers.learning_rate",
    "make_optimizer": "components.optimizers.factory",
    "set_learning_rate": "components.optimizers.learning_rate",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "NO_DECAY_NAMES",
    "OPTIMIZERS",
    "AdamNoBiasCorrection",
    "current_learning_rate",
    "inner_optimizer",
    "make_optimizer",
    "set_learning_rate",
]
