"""The notes' initialization experiment: a deep tanh or ReLU net under each initialization.

CS231n ("Weight initialization"): ten dense layers of 500 units fed unit Gaussian data.
N(0, 0.01) makes the activations collapse towards 0 layer by layer, N(0, 1) saturates tanh at
+-1, Xavier keeps tanh's spread and He keeps ReLU's.
"""

from __future__ import annotations

import keras
import numpy as np

from components.initializers import get_initializer

# The notes' four rows: {title: (initializer name, activation)}.
NOTES_INITIALIZATION_SETTINGS = {
    "N(0, 0.01), tanh": ("small_normal", "tanh"),
    "N(0, 1), tanh": ("unit_normal", "tanh"),
    "Xavier, tanh": ("xavier_normal", "tanh"),
    "He, ReLU": ("he_normal", "relu"),
}


def initialization_experiment(
    depth: int = 10,
    width: int = 500,
    input_dim: int = 500,
    seed: int = 0,
    settings: dict[str, tuple[str, str]] | None = None,
) -> dict[str, keras.Model]:
    """The notes' experiment: `depth` dense layers of `width` units under four initializations
    (N(0, 0.01) and N(0, 1) with tanh, Xavier with tanh, He with ReLU).

    Args:
        depth, width, input_dim: the net's layers, units per layer and input features.
        seed: seeds layer i's initializer with `seed + i`.
        settings: `{title: (initializer name, activation)}` (names from
            `components.initializers.INITIALIZERS`); default `NOTES_INITIALIZATION_SETTINGS`.

    Example:
    >>> sorted(initialization_experiment(depth=2, width=8, input_dim=8))[:2]
    ['He, ReLU', 'N(0, 0.01), tanh']
    """
    settings = NOTES_INITIALIZATION_SETTINGS if settings is None else settings
    models = {}
    for title, (initializer, activation) in settings.items():
        inputs = keras.Input((input_dim,))
        x = inputs
        for i in range(depth):
            x = keras.layers.Dense(
                width,
                activation=activation,
                kernel_initializer=get_initializer(initializer, seed=seed + i),
                name=f"dense{i + 1}",
            )(x)
        models[title] = keras.Model(inputs, x, name=f"{initializer}_{activation}")
    return models


def unit_gaussian_batch(n: int = 1000, dim: int = 500, seed: int = 0) -> np.ndarray:
    """The notes' input: n examples of unit Gaussian data.

    Example:
    >>> unit_gaussian_batch(4, 3).shape
    (4, 3)
    """
    return np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")


__all__ = ["NOTES_INITIALIZATION_SETTINGS", "initialization_experiment", "unit_gaussian_batch"]
