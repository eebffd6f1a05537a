"""Lesson: weight initialization, seen in the activations of a deep tanh and ReLU net.

    classiczoo lesson init           # 1,000 unit-Gaussian examples
    classiczoo lesson init --full    # 10,000 examples

Ten dense layers of 500 units, tanh and ReLU, under N(0, 0.01), N(0, 1), Xavier, He and LSUV
(`components.experiments.initialization_experiment`, `components.initializers.lsuv_init`), fed unit
Gaussian data as in the CS231n notes. Writes `histograms.png` (each layer's activations),
`std_per_layer.png` and `results.md` (each layer's std) to --out.
"""

from __future__ import annotations

import argparse

from components.arg_types import int_in_range
from components.experiments import lesson_parser

INITIALIZERS = {
    "N(0, 0.01)": "small_normal",
    "N(0, 1)": "unit_normal",
    "Xavier": "xavier_normal",
    "He": "he_normal",
    "LSUV": "orthogonal",  # LSUV starts from orthonormal kernels, then rescales them
}
ACTIVATIONS = {"tanh": "tanh", "ReLU": "relu"}


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser("init", __doc__.split("\n")[0], prog=prog, quick=None, full=None)
    parser.add_argument(
        "--examples", type=int_in_range(2, 100_000), help="input examples (1000; --full: 10000)"
    )
    parser.add_argument("--depth", type=int_in_range(1, 50), default=10, help="layers (10)")
    parser.add_argument("--width", type=int_in_range(1, 4096), default=500, help="units (500)")
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> dict:
    """Runs the lesson with these command-line words; returns what it wrote."""
    return run(build_parser(prog).parse_args(argv))


def run(args: argparse.Namespace) -> dict:
    """Runs the lesson with parsed flags; returns its records, plots and report."""
    examples = args.examples or (10_000 if args.full else 1000)

    from components.diagnostics import activation_statistics, plot_activation_histograms
    from components.experiments import (
        initialization_experiment,
        plot_lines,
        unit_gaussian_batch,
        write_markdown_report,
    )
    from components.initializers import lsuv_init

    settings = {
        f"{init}, {act}": (initializer, activation)
        for init, initializer in INITIALIZERS.items()
        for act, activation in ACTIVATIONS.items()
    }
    models = initialization_experiment(
        depth=args.depth, width=args.width, input_dim=args.width, seed=args.seed, settings=settings
    )
    batch = unit_gaussian_batch(examples, args.width, seed=args.seed)
    for title, model in models.items():
        if title.startswith("LSUV"):
            lsuv_init(model, batch[:500], seed=args.seed)
    print(f"{len(models)} nets of {args.depth} x {args.width} units, {examples} examples.")

    args.out.mkdir(parents=True, exist_ok=True)
    stds = {
        title: [s["std"] for s in activation_statistics(model, batch)]
        for title, model in models.items()
    }
    plots = [
        plot_activation_histograms(models, batch, args.out / "histograms.png"),
        plot_lines(
            {title: (range(1, len(s) + 1), s) for title, s in stds.items()},
            args.out / "std_per_layer.png",
            title="Std of each layer's activations",
            xlabel="layer",
            ylabel="std (log scale)",
            log=True,
        ),
    ]
    headers = ["initialization", *(f"L{i}" for i in range(1, args.depth + 1))]
    rows = [[title, *s] for title, s in stds.items()]
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: weight initialization",
        f"Std of each layer's activations: {args.depth} dense layers of {args.width} units, "
        f"{examples} unit-Gaussian examples, seed {args.seed}. N(0, 0.01) collapses to 0, "
        "N(0, 1) saturates tanh at ±1; Xavier (tanh), He (ReLU) and LSUV keep the spread.",
        headers,
        rows,
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {"out": args.out, "stds": stds, "plots": plots, "report": report}
