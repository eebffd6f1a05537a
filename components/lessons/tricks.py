"""Lesson: what each technique of the fast recipe buys, an ablation over seeds.

    classiczoo lesson tricks           # vgg11_bn at width 0.125 on 10,000 images, 3 epochs,
                                       # 2 seeds: time to 0.75
    classiczoo lesson tricks --full    # vgg11_bn on all 60,000 images, the recipe's epochs,
                                       # 3 seeds: time to 0.93
    classiczoo lesson tricks --full --resume   # the same, continued after a kill or a stop

A VGG-BN's `fast` recipe (`classiczoo models describe vgg11_bn`) puts the notes' techniques
together as airbench (Keller Jordan, arXiv 2404.00498) and Page's "How to train your ResNet"
do: Nesterov SGD with decoupled weight decay, a warm-up then linear decay, label smoothing, an
alternating flip, 2-pixel translations, and its batch size where it differs from the default
recipe's (GoogLeNet's also BatchNorm, a model option). An ablation asks what each buys:
the fast recipe with each technique removed in turn, and the plain baseline (Adam 1e-3 at a
constant rate, no augmentation, smoothing or weight decay, the default recipe's batch size:
the time-to-accuracy benchmark's `plain`) with each added. `TECHNIQUES` names each technique's
settings; its two values are read from the two resolved configs: "removed" puts the plain
config's values into the fast one, "added" the fast config's into the plain one. Every variant
trains the same epochs (the fast recipe's, or `--epochs`) on the same images, so the same
compute. Per variant, over seeds (`components.experiments.time_to_accuracy`): the training
seconds until the test accuracy, read at each epoch end off the clock, first reaches
`--threshold`, the epoch that reaches it, and the final test accuracy (median, min-max). 10 %
of the training images are held out and unused, as `classiczoo train --val-split 0.1` holds
them out. Writes `tricks.png` and `results.md` to --out, and every finished run to
`runs.json` there as it ends (`components.experiments.run_records`): `--full` is hours of CPU,
and the same command with `--resume` keeps what an interrupted one finished and trains the rest.
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

from components.arg_types import fraction, int_in_range, names_from, positive_float
from components.config_error import ConfigError
from components.experiments import (
    FASHION_MNIST_TEST,
    FASHION_MNIST_TRAIN,
    PLAIN_SETTINGS,
    Budget,
    Technique,
    ablation_conclusions,
    ablation_headers,
    ablation_row,
    ablation_variants,
    budget_from_args,
    lesson_parser,
    plot_ablation,
    summarize_seeds,
    train_and_test,
    write_markdown_report,
)
from components.experiments.run_records import RECORDS_FILE, RunRecords
from components.training.settings import MODEL_DEFAULT_FIELDS

if TYPE_CHECKING:
    from components.training.config import ModelRegistry, TrainConfig

# This lesson trains zoo models: its `main` and `run` take the zoo's registry (components never
# import zoo), and `classiczoo lesson` hands it to the lessons that say so here.
TAKES_REGISTRY = True
MODEL, RECIPE = "vgg11_bn", "fast"
QUICK = Budget(train_images=10_000, test_images=2000, epochs=3, batch_size=None)
FULL = Budget(FASHION_MNIST_TRAIN, FASHION_MNIST_TEST, epochs=None, batch_size=None)
QUICK_WIDTH = 0.125  # --full: the model's own width
QUICK_SEEDS, FULL_SEEDS = 2, 3
# Quick: lowered to where 3 epochs of the narrow net end (0.73 to 0.80 in the first quick run).
QUICK_THRESHOLD, FULL_THRESHOLD = 0.75, 0.93
VAL_SPLIT = 0.1
QUICK_CAVEAT = (
    "This is the quick version: a narrow net on few images for few epochs, with a lowered "
    "threshold. The recipe's values were chosen for the full data and epochs; `--full` (time "
    f"to {FULL_THRESHOLD:g}, all images, the recipe's epochs, {FULL_SEEDS} seeds) asks the "
    "question the recipe answers."
)

# The fast recipe's techniques, each with the settings that carry it: the one table of them;
# their values "with" and "without" are the fast and plain configs'.
TECHNIQUES = (
    Technique(
        "optimizer", "Nesterov SGD + weight decay", ("optimizer", "learning_rate", "weight_decay")
    ),
    Technique("schedule", "warm-up + linear decay", ("lr_schedule",)),
    Technique("smoothing", "label smoothing", ("label_smoothing",)),
    Technique("altflip", "alternating flip", step="altflip"),
    Technique("translate", "2-px translate", step="translate"),
    # Skipped (and said so) where the fast recipe's batch is the default recipe's (VGG-BN: 128).
    Technique("batch", "batch size", ("batch_size",)),
    # A recipe's builder options (GoogLeNet's fast recipe turns BatchNorm on; VGG-BN's none).
    Technique("model", "model options", ("model_options",)),
)


def _has_fast_recipe(registry: ModelRegistry, model: str) -> bool:
    try:
        registry.get_defaults(model).recipe(RECIPE)
    except ValueError:
        return False
    return True


def models_with_fast_recipe(registry: ModelRegistry) -> list[str]:
    """The registry's models that have a fast recipe (the lesson's choices for `--model`)."""
    return [model for model in registry.list_models() if _has_fast_recipe(registry, model)]


def reference_configs(
    registry: ModelRegistry,
    *,
    model: str = MODEL,
    width: float | None = None,
    epochs: int | None = None,
    train_split: str = "train",
    test_split: str = "test",
    data_dir: str | None = None,
) -> tuple[TrainConfig, TrainConfig]:
    """The resolved fast and plain configs of `model`, both for `epochs` (None: the fast
    recipe's).

    Raises:
        ConfigError: an unknown model, one without a fast recipe (the models with one named),
            or an option it does not take.
    """
    from components.training.config import TrainConfig

    if model not in registry.list_models():
        raise ConfigError(
            f"unknown model {model!r}; models with a {RECIPE} recipe: "
            f"{', '.join(models_with_fast_recipe(registry))}."
        )
    if not _has_fast_recipe(registry, model):
        raise ConfigError(
            f"model {model!r} has no {RECIPE} recipe; models with one: "
            f"{', '.join(models_with_fast_recipe(registry))}."
        )
    common = {
        "model": model,
        "train_split": train_split,
        "test_split": test_split,
        "val_split": VAL_SPLIT,
        "data_dir": data_dir,
        **({"width": width} if width is not None else {}),
    }
    fast = TrainConfig.of(recipe=RECIPE, **common, epochs=epochs).resolve(registry)
    epochs = fast.optimization.epochs
    # The same net: the fast recipe's width (vgg11_bn's is a quarter) where none was given.
    common["width"] = fast.model.width
    plain = TrainConfig.of(recipe="default", **common, epochs=epochs, **PLAIN_SETTINGS)
    return fast, plain.resolve(registry)


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    """The lesson's flags (`lesson_parser`'s and its own)."""
    parser = lesson_parser("tricks", __doc__.split("\n")[0], prog=prog, quick=QUICK, full=FULL)
    parser.add_argument("--model", default=MODEL, help=f"a zoo model with a fast recipe ({MODEL})")
    parser.add_argument(
        "--width",
        type=positive_float,
        help=f"the model's width multiplier ({QUICK_WIDTH}; --full: the model's own)",
    )
    parser.add_argument(
        "--seeds",
        type=int_in_range(1, 20),
        help=f"seeds per variant, from --seed on ({QUICK_SEEDS}; --full: {FULL_SEEDS})",
    )
    parser.add_argument(
        "--techniques",
        type=names_from(tuple(t.key for t in TECHNIQUES), "technique"),
        help=f"the techniques to ablate (all: {','.join(t.key for t in TECHNIQUES)})",
    )
    parser.add_argument(
        "--threshold",
        type=fraction,
        help=f"the test accuracy to time ({QUICK_THRESHOLD}; --full: {FULL_THRESHOLD})",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help=f"continue an interrupted run of the same command: the runs in --out/{RECORDS_FILE} "
        "are kept, the missing ones trained",
    )
    return parser


def main(
    argv: list[str] | None = None,
    prog: str | None = None,
    registry: ModelRegistry | None = None,
) -> dict:
    """Runs the lesson with these command-line words on the zoo's `registry`; returns what it
    wrote."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    if registry is None:
        raise ValueError("The tricks lesson trains zoo models: pass registry=zoo.registry.")
    try:
        plan = _plan(args, registry)
    except ConfigError as err:  # before anything trains
        parser.error(str(err))
    return run(args, registry, plan)


def _split(part: str, images: int, total: int) -> str:
    return part if images == total else f"{part}[:{images}]"


def _configs(args: argparse.Namespace, registry: ModelRegistry) -> tuple[TrainConfig, TrainConfig]:
    budget = budget_from_args(args, QUICK, FULL)
    width = args.width if args.width is not None or args.full else QUICK_WIDTH
    return reference_configs(
        registry,
        model=args.model,
        width=width,
        epochs=budget.epochs,
        train_split=_split("train", budget.train_images, FASHION_MNIST_TRAIN),
        test_split=_split("test", budget.test_images, FASHION_MNIST_TEST),
        data_dir=args.data_dir,
    )


@dataclasses.dataclass
class _Plan:
    """What the lesson will run, checked before anything trains."""

    fast: TrainConfig
    plain: TrainConfig
    variants: list
    skipped: list
    uncovered: list
    seeds: range
    threshold: float
    records: RunRecords


def _plan(args: argparse.Namespace, registry: ModelRegistry) -> _Plan:
    fast, plain = _configs(args, registry)
    seeds = range(
        args.seed, args.seed + (args.seeds or (FULL_SEEDS if args.full else QUICK_SEEDS))
    )
    threshold = args.threshold
    if threshold is None:
        threshold = FULL_THRESHOLD if args.full else QUICK_THRESHOLD
    chosen = [t for t in TECHNIQUES if not args.techniques or t.key in args.techniques]
    variants, skipped, uncovered = ablation_variants(fast, plain, chosen)
    # What makes two invocations' runs comparable: a resumed one must match in all of it.
    settings = {
        "model": fast.model.name,
        "width": fast.model.width,
        "train_split": fast.data.train_split,
        "test_split": fast.data.test_split,
        "epochs": fast.optimization.epochs,
        "fast": _settings(fast),
        "plain": _settings(plain),
        "variants": [variant.name for variant in variants],
        "seeds": list(seeds),
        "threshold": threshold,
    }
    path = args.out / RECORDS_FILE
    records = RunRecords.resumed(path, settings) if args.resume else RunRecords(path, settings)
    return _Plan(fast, plain, variants, skipped, uncovered, seeds, threshold, records)


def run(args: argparse.Namespace, registry: ModelRegistry, plan: _Plan | None = None) -> dict:
    """Runs the lesson with parsed flags on the zoo's `registry`; returns its summaries, runs,
    plot and report."""
    from components.training.run import load_run_data

    plan = plan or _plan(args, registry)
    fast, variants, seeds, records = plan.fast, plan.variants, plan.seeds, plan.records
    threshold = plan.threshold
    # The variants alternate within a seed: a slow spell of the machine falls on all.
    order = [(seed, variant) for seed in seeds for variant in variants]
    if args.resume:
        done = sum(records.get(v.name, seed) is not None for seed, v in order)
        print(f"Resumed from {records.path}: {done} of {len(order)} runs done.", flush=True)
    data = load_run_data(fast.data)
    print(data.describe(), flush=True)
    for position, (seed, variant) in enumerate(order, 1):
        if records.get(variant.name, seed) is None:
            label = f"[{position}/{len(order)}] {variant.name}, seed {seed}:"
            finished = train_and_test(
                variant.config.replace(seed=seed),
                registry,
                data,
                thresholds=(threshold,),
                label=label,
                log=lambda line: print(line, flush=True),
            )
            records.add(variant.name, seed, finished)  # kept at once: a kill loses no run
    runs = {v.name: [records.get(v.name, seed) for seed in seeds] for v in variants}
    summaries = {name: summarize_seeds(done) for name, done in runs.items()}

    epochs = fast.optimization.epochs
    width = fast.model.width
    model = f"{fast.model.name}" + (f" at width {width:g}" if width is not None else "")
    plural = "s" if epochs != 1 else ""
    described = data.describe().removeprefix("Data: ").rstrip(".")
    setup = f"{model}; {described}; {epochs} epoch{plural} for every variant"
    plot = plot_ablation(
        variants,
        summaries,
        threshold,
        args.out / "tricks.png",
        title=f"What each technique of the fast recipe buys: {model}, {epochs} epoch{plural}, "
        f"{len(seeds)} seed{'s' if len(seeds) != 1 else ''}",
    )
    rows = [ablation_row(variant, summaries, threshold) for variant in variants]
    report = write_markdown_report(
        args.out / "results.md",
        "Lesson: what each technique of the fast recipe buys",
        f"{setup}; {len(seeds)} seed{'s' if len(seeds) != 1 else ''} from seed {args.seed}. "
        f"The fast recipe: {_settings(fast)}. Plain: {_settings(plan.plain)}. "
        f'Each "fast − X" is the fast recipe with technique X at plain\'s value, each '
        f'"plain + X" plain with X at the fast recipe\'s. Final test accuracy: '
        f"median over the seeds and their min and max; Δ: the median's difference from the "
        f"fast recipe's (− rows) or plain's (+ rows; the fast recipe's row: from plain's). "
        f"Seconds to {threshold:g}: the median training seconds until the test accuracy, read "
        f"at each epoch end off the clock, first reaches {threshold:g} (not reached unless "
        f"most seeds reach it).",
        ablation_headers(threshold),
        rows,
        notes=[
            *ablation_conclusions(variants, summaries, threshold, plan.skipped, plan.uncovered),
            *([] if args.full else [QUICK_CAVEAT]),
            *_invocations_note(records, variants, seeds),
        ],
    )
    print(report.read_text())
    print(f"Plot: {plot}")
    return {
        "out": args.out,
        "runs": runs,
        "summaries": summaries,
        "plots": [plot],
        "report": report,
    }


def _invocations_note(records: RunRecords, variants, seeds) -> list[str]:
    invocations = records.invocations_of([v.name for v in variants], seeds)
    if len(invocations) < 2:
        return []
    return [
        f"These runs come from {len(invocations)} invocations (`--resume`), perhaps on "
        "different machines: their training seconds compare only within one invocation "
        f"(each run's is recorded in {RECORDS_FILE}); the accuracies compare across them."
    ]


def _settings(config: TrainConfig) -> str:
    settings = config.settings()
    return ", ".join(
        f"{name} {settings[name]:g}"
        if isinstance(settings[name], float)
        else f"{name} {settings[name]}"
        for name in MODEL_DEFAULT_FIELDS
        if name != "epochs"
    )


__all__ = [
    "TECHNIQUES",
    "build_parser",
    "main",
    "models_with_fast_recipe",
    "reference_configs",
    "run",
]
