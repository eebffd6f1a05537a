"""Writing matplotlib figures: headless, and atomically (`components.atomic_files`)."""

from __future__ import annotations

from pathlib import Path

from components.atomic_files import atomic_path


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure, path: str | Path, dpi: int = 100) -> Path:
    """Saves `figure` as PNG at `path` (never a half-written file there), then closes it.

    The parent directory is created if missing.
    """
    path = Path(path)
    try:
        with atomic_path(path) as tmp:
            figure.savefig(tmp, dpi=dpi, format="png")
    finally:
        pyplot().close(figure)
    return path


__all__ = ["pyplot", "save_figure"]
