"""Activation statistics of one forward pass: mean, std, dead ReLUs and saturated units.

What the notes look at to judge an initialization or a running net (CS231n, "Activation
functions"; "Weight initialization"). Used by `ActivationMonitor` during training and by the
initialization lesson's figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import keras


def activation_statistics(model: keras.Model, batch) -> list[dict]:
    """One forward pass (inference mode) over `batch`; for each layer that applies ReLU, tanh
    or sigmoid: mean, std, the values, the fraction of dead ReLU units (zero for every example)
    and of saturated tanh/sigmoid outputs (|a| > 0.99, or a < 0.01 or > 0.99).

    Example:
    >>> inputs = keras.Input((4,))
    >>> model = keras.Model(inputs, keras.layers.Dense(3, activation="relu")(inputs))
    >>> [row["activation"] for row in activation_statistics(model, np.ones((8, 4)))]
    ['relu']
    """
    import keras  # here: the package is imported by the commands' flag checks, before Keras

    from components.diagnostics.recording import activation_kind, leaf_layers, recording_calls

    layers = [layer for layer in leaf_layers(model) if activation_kind(layer)]
    with recording_calls(layers) as calls:
        model(np.asarray(batch), training=False)
    stats = []
    for layer in layers:
        values = keras.ops.convert_to_numpy(calls[layer.path][1]).astype(np.float64)
        kind = activation_kind(layer)
        units = values.reshape(-1, values.shape[-1])  # examples (and positions) x units
        row = {
            "layer": layer.path,
            "activation": kind,
            "mean": float(values.mean()),
            "std": float(values.std()),
            "values": values.reshape(-1),
            "dead_fraction": float(np.mean(np.all(units <= 0, axis=0))) if kind == "relu" else 0.0,
            "saturated_fraction": 0.0,
        }
        if kind == "tanh":
            row["saturated_fraction"] = float(np.mean(np.abs(values) > 0.99))
        elif kind == "sigmoid":
            row["saturated_fraction"] = float(np.mean((values < 0.01) | (values > 0.99)))
        stats.append(row)
    return stats


__all__ = ["activation_statistics"]
