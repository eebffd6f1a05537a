"""Writing matplotlib figures: headless, and atomically (a temporary file, then a rename)."""

from __future__ import annotations

from pathlib import Path


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure, path: str | Path, dpi: int = 100) -> Path:
    """Saves `figure` as PNG at `path` (never a half-written file there), then closes it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.png")
    figure.savefig(tmp, dpi=dpi)
    pyplot().close(figure)
    tmp.replace(path)
    return path
