"""Per-layer activation histograms of one or more models on one batch (matplotlib, PNG)."""

from __future__ import annotations

from pathlib import Path

import keras

from components.diagnostics.activation_statistics import activation_statistics
from components.figures import pyplot, save_figure


def plot_activation_histograms(models, batch, path: str | Path, *, bins: int = 50) -> Path:
    """Per-layer activation histograms: one row per model, one column per activated layer.

    Args:
        models: a model, or `{title: model}` for several rows (the classic initialization
            figure compares N(0, 0.01), N(0, 1), Xavier with tanh and He with ReLU).
        batch: the inputs fed to every model.
        path: the PNG to write (atomically).

    Example:
    >>> from components.experiments import initialization_experiment, unit_gaussian_batch
    >>> models = initialization_experiment(depth=3, width=20, input_dim=20)
    >>> plot_activation_histograms(models, unit_gaussian_batch(50, 20), "init.png")
    PosixPath('init.png')
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


__all__ = ["plot_activation_histograms"]
