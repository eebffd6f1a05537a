"""Pictures of what the lessons show (matplotlib, written as PNG)."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from components.callbacks.activation_monitor import activation_statistics
from components.figures import pyplot, save_figure


def plot_activation_histograms(models, batch, path: str | Path, *, bins: int = 50) -> Path:
    """Per-layer activation histograms: one row per model, one column per activated layer.

    Args:
        models: a model, or `{title: model}` for several rows (the classic initialization
            figure compares N(0, 0.01), N(0, 1), Xavier with tanh and He with ReLU).
        batch: the inputs fed to every model.
        path: the PNG to write (atomically).

    Example:
    >>> plot_activation_histograms(initialization_experiment(), x, "init.png")  # doctest: +SKIP
    """
    plt = pyplot()
    if isinstance(models, keras.Model):
        models = {models.name: models}
    rows = {title: activation_statistics(model, batch) for title, model in models.items()}
    columns = max(len(stats) for stats in rows.values())
    figure, axes = plt.subplots(
        len(rows), columns, figsize=(1.9 * columns, 1.9 * len(rows)), squeeze=False
    )
    for r, (title, stats) in enumerate(rows.items()):
        for c in range(columns):
            axis = axes[r][c]
            if c >= len(stats):
                axis.axis("off")
                continue
            s = stats[c]
            axis.hist(s["values"], bins=bins, color="tab:blue")
            axis.set_yticks([])
            axis.tick_params(labelsize=6)
            axis.set_title(f"L{c + 1} μ {s['mean']:.2f} σ {s['std']:.2g}", fontsize=7)
            if c == 0:
                axis.set_ylabel(title, fontsize=8)
    figure.suptitle("Activations per layer", fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.97))  # room for the title above the first row
    return save_figure(figure, path, dpi=90)


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
    """
    from components.initializers import get_initializer

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
    """The notes' input: n examples of unit Gaussian data."""
    return np.random.default_rng(seed).normal(size=(n, dim)).astype("float32")
