"""Lesson: bias vs variance against the Bayes error: four runs, one in each quadrant.

    classiczoo lesson bias_variance           # 4 runs, about a minute
    classiczoo lesson bias_variance --full    # 4x the dev set, twice the epochs

deeplearning.ai ("Structuring machine learning projects"): avoidable bias = training error -
human-level error (the proxy for the Bayes error); variance = dev error - training error; work
on the bigger one. Here the Bayes error is known exactly: the data is a noisy circle among
irrelevant inputs (`components.experiments.noisy_circle`, 10% of labels flipped: Bayes error
0.10). Four runs are built to land in the four quadrants:

- high bias: a linear model (logistic regression) on plenty of data: it cannot draw a circle;
- high variance: a 2 x 256 ReLU net on 100 examples with 10 irrelevant inputs: it learns them;
- both: a linear model on 200 examples with 50 irrelevant inputs: no circle, noise learned;
- neither: a 2 x 64 ReLU net on plenty of data.

Each is diagnosed by `components.diagnostics.diagnose_bias_variance` with the Bayes error as
human-level. Writes `quadrants.png` (each run at its avoidable bias and variance),
`errors.png` (train and dev error per run against the Bayes error) and `results.md`.
"""

from __future__ import annotations

import argparse
import dataclasses

import keras
import numpy as np

from components.arg_types import fraction, positive_int
from components.diagnostics.bias_variance import diagnose_bias_variance
from components.experiments import (
    Budget,
    LessonData,
    Variant,
    lesson_parser,
    make_mlp,
    noisy_circle,
    train_variant,
    write_markdown_report,
)
from components.figures import pyplot, save_figure

LABEL_NOISE = 0.1  # the Bayes error
TOLERANCE = 0.03  # a gap above 3 points is high (a dev set of 4,000 is good to about 1)


@dataclasses.dataclass(frozen=True)
class QuadrantRun:
    """One of the four runs: the quadrant it is built for and how."""

    intended: str
    examples: int
    noise_dims: int
    hidden: tuple[int, ...]
    epochs: int
    learning_rate: float
    what: str


RUNS = (
    QuadrantRun("high bias", 4000, 0, (), 10, 1e-2, "linear model, 4,000 examples"),
    QuadrantRun(
        "high variance", 100, 10, (256, 256), 60, 3e-3, "2 x 256 net, 100 examples, 10 noise"
    ),
    QuadrantRun(
        "high bias and high variance", 200, 50, (), 60, 1e-2, "linear, 200 examples, 50 noise"
    ),
    QuadrantRun("neither", 4000, 0, (64, 64), 20, 3e-3, "2 x 64 net, 4,000 examples"),
)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser(
        "bias_variance", __doc__.split("\n")[0], prog=prog, quick=None, full=None
    )
    parser.add_argument(
        "--dev-examples", type=positive_int, help="dev set size of every run (4000; --full 16000)"
    )
    parser.add_argument(
        "--epochs", type=positive_int, help="epochs of every run (default: each its own)"
    )
    parser.add_argument(
        "--tolerance",
        type=fraction,
        default=TOLERANCE,
        help=f"a gap above it is high ({TOLERANCE})",
    )
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> dict:
    """Runs the lesson with these command-line words; returns what it wrote."""
    return run(build_parser(prog).parse_args(argv))


def run(args: argparse.Namespace) -> dict:
    """Runs the lesson with parsed flags; returns its records, diagnoses, plots and report."""
    dev_examples = args.dev_examples or (16_000 if args.full else 4000)
    records, diagnoses = [], []
    for i, spec in enumerate(RUNS, start=1):
        print(f"[{i}/{len(RUNS)}] {spec.intended}: {spec.what}", flush=True)
        x_train, y_train = noisy_circle(
            spec.examples, noise_dims=spec.noise_dims, label_noise=LABEL_NOISE, seed=args.seed
        )
        x_dev, y_dev = noisy_circle(
            dev_examples, noise_dims=spec.noise_dims, label_noise=LABEL_NOISE, seed=args.seed + 1
        )
        data = LessonData(x_train, y_train, x_dev, y_dev, ["inside", "outside"], "")
        epochs = args.epochs or spec.epochs * (2 if args.full else 1)
        variant = Variant(
            spec.intended,
            lambda spec=spec: make_mlp((2 + spec.noise_dims,), 2, hidden=spec.hidden),
            lambda spec=spec: keras.optimizers.Adam(spec.learning_rate),
        )
        record = train_variant(
            variant,
            data,
            Budget(spec.examples, dev_examples, epochs, 32),
            seed=args.seed,
            verbose=0,
        )
        records.append(record)
        diagnoses.append(
            diagnose_bias_variance(
                1.0 - record.final["train_accuracy"],
                1.0 - record.final["test_accuracy"],
                human_error=LABEL_NOISE,
                tolerance=args.tolerance,
            )
        )
    plots = [
        _plot_quadrants(diagnoses, args.tolerance, args.out / "quadrants.png"),
        _plot_errors(diagnoses, args.out / "errors.png"),
    ]
    rows = [
        [
            spec.intended,
            spec.what,
            d.train_error,
            d.dev_error,
            LABEL_NOISE,
            "unknown (below Bayes)" if d.avoidable_bias is None else d.avoidable_bias,
            d.variance,
            d.quadrant,
            d.quadrant == spec.intended,
            d.recommendation,
        ]
        for spec, d in zip(RUNS, diagnoses, strict=True)
    ]
    landed = sum(d.quadrant == spec.intended for spec, d in zip(RUNS, diagnoses, strict=True))
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: bias vs variance against the Bayes error",
        f"Generated data: a noisy circle, {LABEL_NOISE:g} of labels flipped (Bayes error "
        f"{LABEL_NOISE:g}, used as human-level); dev sets of {dev_examples} examples; seed "
        f"{args.seed}; Adam, batch 32; a gap above {args.tolerance:g} is high. Errors are "
        "measured after training in inference mode. A training error below the Bayes error "
        "means the net fit the flipped labels: the avoidable bias is then unknown.",
        [
            "built for",
            "run",
            "train error",
            "dev error",
            "Bayes error",
            "avoidable bias",
            "variance",
            "diagnosis",
            "as built",
            "recommendation",
        ],
        rows,
        notes=[f"{landed} of {len(RUNS)} runs landed in the quadrant they were built for."],
    )
    print(report.read_text())
    print("Plots: " + ", ".join(str(p) for p in plots))
    return {
        "out": args.out,
        "records": records,
        "diagnoses": diagnoses,
        "plots": plots,
        "report": report,
    }


def _plot_quadrants(diagnoses, tolerance: float, path):
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6.0, 4.2))
    for i, (spec, d) in enumerate(zip(RUNS, diagnoses, strict=True)):
        # Below the Bayes error the bias is unknown; it is drawn at 0, hollow.
        bias = 0.0 if d.avoidable_bias is None else d.avoidable_bias
        axis.scatter(
            bias,
            d.variance,
            s=80,
            color=f"C{i}",
            facecolors="none" if d.avoidable_bias is None else f"C{i}",
            label=f"{spec.intended}: {d.quadrant}",
        )
    axis.axvline(tolerance, color="grey", linestyle="--", linewidth=1)
    axis.axhline(tolerance, color="grey", linestyle="--", linewidth=1)
    axis.set_xlabel("avoidable bias (train error - Bayes error)")
    axis.set_ylabel("variance (dev error - train error)")
    axis.legend(fontsize=7, title="built for: diagnosed", title_fontsize=7)
    figure.suptitle("Bias vs variance: where each run lands", fontsize=11)
    figure.tight_layout()
    return save_figure(figure, path, dpi=90)


def _plot_errors(diagnoses, path):
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6.0, 3.8))
    x = np.arange(len(RUNS))
    axis.bar(x - 0.2, [d.train_error for d in diagnoses], 0.4, label="train error")
    axis.bar(x + 0.2, [d.dev_error for d in diagnoses], 0.4, label="dev error")
    axis.axhline(LABEL_NOISE, color="black", linestyle="--", linewidth=1, label="Bayes error")
    axis.set_xticks(x, [spec.intended.replace(" and ", "\n+ ") for spec in RUNS], fontsize=8)
    axis.set_ylabel("error")
    axis.legend(fontsize=7)
    figure.suptitle("Train and dev error against the Bayes error", fontsize=11)
    figure.tight_layout()
    return save_figure(figure, path, dpi=90)
