"""The BatchNorm settings of the zoo, its blocks and the lessons' nets, and the fast recipe's.

Keras's default moving-average momentum, 0.99, makes the inference statistics trail training
by hundreds of steps, so a short run evaluates far worse than it trains (a deep BN net after
one small epoch can score at chance: vgg19_bn scored 0.104 after 157 steps with 0.99 and 0.563
with 0.9, docs/BENCHMARKS.md). 0.9, PyTorch's default (written `momentum=0.1` in its
convention), follows within tens of steps.

airbench (Keller Jordan, "94% on CIFAR-10 in 3.29 Seconds on a Single GPU", arXiv 2404.00498)
goes further for runs of a few epochs: momentum 0.6, and the scale (gamma) frozen at 1, only
the shift (beta) learned. Both are Keras `BatchNormalization` arguments (`momentum`, `scale`);
`BatchNormSettings` keeps a set of them in one value a model builder can take.
"""

from __future__ import annotations

import dataclasses

import keras

BN_MOMENTUM = 0.9
FAST_BN_MOMENTUM = 0.6


@dataclasses.dataclass(frozen=True)
class BatchNormSettings:
    """Keras `BatchNormalization` arguments, by their Keras names.

    Keras's moving statistics follow `moving = momentum * moving + (1 - momentum) * batch`
    (PyTorch's `momentum` is `1 - ` this one).

    Args:
        momentum: of the moving mean and variance, in [0, 1).
        scale: learn gamma; False: gamma is 1 (airbench's frozen scale).
        center: learn beta.
        epsilon: added to the variance (Keras's default 1e-3; airbench uses 1e-12).

    Example:
    >>> FAST_BN.layer(name="bn").get_config()["scale"]
    False
    """

    momentum: float = BN_MOMENTUM
    scale: bool = True
    center: bool = True
    epsilon: float = 1e-3

    def __post_init__(self):
        if not 0.0 <= self.momentum < 1.0:
            raise ValueError(f"BatchNorm momentum must be in [0, 1), got {self.momentum}.")
        if not self.epsilon > 0:
            raise ValueError(f"BatchNorm epsilon must be positive, got {self.epsilon}.")

    def layer(self, **kwargs) -> keras.layers.BatchNormalization:
        """A `BatchNormalization` with these settings; `kwargs` (`name`, `dtype`, `axis`,
        `synchronized`, ...) go to Keras."""
        return keras.layers.BatchNormalization(**dataclasses.asdict(self), **kwargs)


# The zoo's BatchNorm today, and airbench's for the fast recipes.
DEFAULT_BN = BatchNormSettings()
FAST_BN = BatchNormSettings(momentum=FAST_BN_MOMENTUM, scale=False)

__all__ = ["BN_MOMENTUM", "DEFAULT_BN", "FAST_BN", "FAST_BN_MOMENTUM", "BatchNormSettings"]
