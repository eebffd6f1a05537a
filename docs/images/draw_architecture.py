"""Draws `architecture.png` for docs/architecture.md: the three floors, arrows only downward, and
the path of one `classiczoo train` run through them.

    python docs/images/draw_architecture.py   # rewrites docs/images/architecture.png
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

OUT = Path(__file__).with_name("architecture.png")

# floor: (title, what lives there, colour, bottom y)
FLOORS = [
    (
        "recipes/  ·  zoo.cli",
        "thin commands: parse flags, build a config,\ncall the library, print",
        "#dbe9f6",
        7.0,
    ),
    (
        "zoo/",
        "the registry, one file per architecture family,\nzoo.train / tune / cross_validate",
        "#e3f1df",
        4.0,
    ),
    (
        "components/",
        "layers, initializers, losses, data, training, checkpoints,\n"
        "callbacks, export, diagnostics, lessons",
        "#fbe8d3",
        0.0,
    ),
]
FLOOR_HEIGHTS = {"recipes/  ·  zoo.cli": 2.2, "zoo/": 2.2, "components/": 3.2}

# the steps of one run: (x, y, text), in order
STEPS = [
    (8.4, 8.1, "1  classiczoo train --model lenet5_bn\n   flags -> TrainConfig -> zoo.train"),
    (8.4, 5.1, "2  zoo.train: hands the run the registry\n   (it builds lenet5_bn from blocks)"),
    (
        8.4,
        2.45,
        "3  the run (training): devices, seed;\n"
        "   RunData (tf.data | NumPy): augment, normalize;\n"
        "   compile; callbacks; model.fit, checkpoints",
    ),
    (8.4, 0.6, "4  evaluate, diagnose; save: SavedModel\n   (or .keras) + metadata.json"),
]


def draw(path: Path = OUT) -> None:
    fig, ax = plt.subplots(figsize=(11, 6.4))
    ax.set_xlim(0, 15)
    ax.set_ylim(-0.3, 9.5)
    ax.axis("off")
    for title, what, colour, bottom in FLOORS:
        height = FLOOR_HEIGHTS[title]
        ax.add_patch(
            FancyBboxPatch(
                (0.2, bottom),
                14.6,
                height,
                boxstyle="round,pad=0.05,rounding_size=0.2",
                facecolor=colour,
                edgecolor="#555555",
            )
        )
        ax.text(0.5, bottom + height - 0.45, title, fontsize=14, fontweight="bold", va="top")
        ax.text(0.5, bottom + height - 1.05, what, fontsize=10, va="top", color="#333333")
    # imports: downward only, between the floors on the left
    for top, bottom in ((7.0, 6.2), (4.0, 3.2)):
        ax.annotate(
            "",
            xy=(3.2, bottom),
            xytext=(3.2, top),
            arrowprops={"arrowstyle": "-|>", "lw": 2.2, "color": "#333333"},
        )
        ax.text(3.4, (top + bottom) / 2, "imports", fontsize=9, va="center", style="italic")
    ax.text(0.5, 0.35, "never imports zoo or recipes", fontsize=9, style="italic", color="#a33")
    # the run's path, on the right
    for number, (x, y, text) in enumerate(STEPS):
        ax.text(
            x,
            y,
            text,
            fontsize=9.5,
            va="center",
            family="monospace",
            bbox={"boxstyle": "round,pad=0.35", "facecolor": "white", "edgecolor": "#777777"},
        )
        if number + 1 < len(STEPS):
            next_y = STEPS[number + 1][1]
            ax.annotate(
                "",
                xy=(8.1, next_y + 0.35),
                xytext=(8.1, y - 0.35),
                arrowprops={"arrowstyle": "-|>", "lw": 1.5, "color": "#1f5fa8"},
            )
    ax.text(8.0, 9.25, "one training run", fontsize=11, fontweight="bold", color="#1f5fa8")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    draw()
