"""Time to accuracy: training seconds and compute until the test accuracy first reaches a
threshold, for one run and as medians over seeds.

The measure of DAWNBench and airbench (Keller Jordan, arXiv 2404.00498): the test accuracy is
read at every epoch end with the clock stopped (`EpochClock`); a threshold is reached at the
first epoch end at or above it; the seconds and the compute (images seen x 3 x forward FLOPs)
summed to that epoch are its cost. Over seeds, a seed that never reaches a threshold counts as
infinitely slow, so the median is "not reached" unless most seeds reach it. A run is built from
the parts `fit_run` (components.training.fitting) builds one from, with the clock among its
callbacks; the benchmark `time_to_accuracy` and the lesson `tricks` both run these.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import statistics
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from components.experiments.epoch_clock import EpochClock
from components.experiments.statistics import steps_to_target

if TYPE_CHECKING:
    from components.data.run_data import RunData
    from components.training.config import ModelRegistry, TrainConfig

THRESHOLDS = (0.92, 0.93, 0.94)
# The plain baseline: a recipe's net, batch size and epochs with Keras's plainest training.
PLAIN_SETTINGS = {
    "optimizer": "adam",
    "learning_rate": 1e-3,
    "lr_schedule": "constant",
    "augment": "none",
    "label_smoothing": 0.0,
    "weight_decay": 0.0,
}


def threshold_key(threshold: float) -> str:
    """The key of `threshold` in crossings and summaries, e.g. `"0.93"`."""
    return f"{threshold:g}"


def threshold_crossings(
    epoch_seconds: Sequence[float],
    accuracies: Sequence[float],
    tflop_per_epoch: float,
    thresholds: Sequence[float] = THRESHOLDS,
) -> dict[str, dict | None]:
    """For each threshold, the first epoch (1-based) whose accuracy reaches it, with the
    training seconds and TFLOP summed up to that epoch's end; None where no epoch reaches it.

    Args:
        epoch_seconds: each epoch's training seconds.
        accuracies: the test accuracy at each epoch's end.
        tflop_per_epoch: one epoch's training compute.
        thresholds: the accuracies to reach (at or above counts).

    Example:
    >>> threshold_crossings([10, 20], [0.91, 0.93], 2.0, thresholds=(0.92, 0.95))
    {'0.92': {'epoch': 2, 'seconds': 30, 'tflop': 4.0}, '0.95': None}
    """
    found = {}
    for threshold in thresholds:
        # The first epoch whose accuracy reaches the threshold: steps_to_target on -accuracy.
        epoch = steps_to_target(np.negative(np.asarray(accuracies, np.float64)), -threshold)
        found[threshold_key(threshold)] = (
            None
            if epoch is None
            else {
                "epoch": epoch,
                "seconds": sum(epoch_seconds[:epoch]),
                "tflop": epoch * tflop_per_epoch,
            }
        )
    return found


def median_reached(values: Sequence[float | None]) -> float | None:
    """The median of the seeds' values, a seed that did not reach (None) counting as infinitely
    late: None unless more than half of them reached.

    Example:
    >>> median_reached([30, 12, None]), median_reached([10, None])
    (30, None)
    """
    middle = statistics.median(math.inf if v is None else v for v in values)
    return None if math.isinf(middle) else middle


def summarize_seeds(runs: Sequence[dict]) -> dict:
    """One setting's seeds (`train_and_test`'s records): per threshold the seeds that reached
    it and the medians of their epoch, seconds and TFLOP to it; the final test accuracy
    (median, min, max); the medians of all epochs' training seconds and TFLOP."""
    if not runs:
        raise ValueError("summarize_seeds needs at least one run.")
    thresholds = {}
    for key in runs[0]["crossings"]:
        found = [run["crossings"][key] for run in runs]
        thresholds[key] = {
            "reached": sum(f is not None for f in found),
            **{
                name: median_reached([None if f is None else f[name] for f in found])
                for name in ("epoch", "seconds", "tflop")
            },
        }
    final = [run["test_accuracy"][-1] for run in runs]
    return {
        "seeds": len(runs),
        "thresholds": thresholds,
        "final_test_accuracy": {
            "median": statistics.median(final),
            "min": min(final),
            "max": max(final),
        },
        "train_seconds": statistics.median(sum(run["epoch_seconds"]) for run in runs),
        "tflop": statistics.median(
            len(run["epoch_seconds"]) * run["tflop_per_epoch"] for run in runs
        ),
    }


def time_ratio(slow: dict, fast: dict, threshold: float) -> dict:
    """`slow`'s median seconds to `threshold` over `fast`'s (`summarize_seeds`'s summaries);
    where only `fast` reaches it, a lower bound from all of `slow`'s training seconds (None
    where `fast` does not reach it)."""
    key = threshold_key(threshold)
    slow_s, fast_s = slow["thresholds"][key]["seconds"], fast["thresholds"][key]["seconds"]
    if fast_s is None:
        return {"ratio": None, "at_least": None}
    if slow_s is None:
        return {"ratio": None, "at_least": slow["train_seconds"] / fast_s}
    return {"ratio": slow_s / fast_s, "at_least": None}


def seedwise_time_ratio(slow_runs: Sequence[dict], fast_runs: Sequence[dict], threshold: float):
    """The ratio of `slow`'s seconds to `threshold` over `fast`'s, seed by seed (the runs of
    one seed ran on one machine, in one invocation, so their seconds compare), and its median.

    A seed where only `fast` reaches the threshold gives a lower bound (all of `slow`'s
    seconds); the median then reads as "at least" where a bound is at or below it. A seed
    where `fast` does not reach it gives nothing.

    Returns:
        `{"ratios": [(ratio, is_lower_bound) or None per seed], "median": m or None,
        "at_least": whether m is a lower bound}`.

    Example:
    >>> fast = [{"crossings": {"0.93": {"seconds": 10}}, "epoch_seconds": [10]}] * 2
    >>> slow = [{"crossings": {"0.93": {"seconds": 60}}, "epoch_seconds": [60]},
    ...         {"crossings": {"0.93": None}, "epoch_seconds": [30, 10]}]
    >>> seedwise_time_ratio(slow, fast, 0.93)
    {'ratios': [(6.0, False), (4.0, True)], 'median': 5.0, 'at_least': True}
    """
    key = threshold_key(threshold)
    ratios = []
    for slow, fast in zip(slow_runs, fast_runs, strict=True):
        fast_found, slow_found = fast["crossings"][key], slow["crossings"][key]
        if fast_found is None:
            ratios.append(None)
        elif slow_found is None:
            ratios.append((sum(slow["epoch_seconds"]) / fast_found["seconds"], True))
        else:
            ratios.append((slow_found["seconds"] / fast_found["seconds"], False))
    known = [r for r in ratios if r is not None]
    if not known:
        return {"ratios": ratios, "median": None, "at_least": False}
    middle = statistics.median(value for value, _ in known)
    at_least = any(bound and value <= middle for value, bound in known)
    return {"ratios": ratios, "median": middle, "at_least": at_least}


def train_and_test(
    config: TrainConfig,
    registry: ModelRegistry,
    data: RunData,
    *,
    max_epochs: int | None = None,
    thresholds: Sequence[float] = THRESHOLDS,
    log: Callable[[str], None] | None = print,
    label: str = "",
) -> dict:
    """One run of a resolved config: each epoch's training seconds and test accuracy.

    Built from `fit_run`'s parts: `run_model` (the registry's model with the config's
    options, its optimizer and loss), the epoch-indexed training pipeline under `fit_from`
    and the run's own callbacks (`run_callbacks`: NaN stop), with an `EpochClock` reading the
    test accuracy of the inference model. Not `zoo.train`: it takes no callback, and its
    history holds validation figures only. Left out: TensorBoard logs, checkpoints, the
    strategy scope (one device) and the export.

    Args:
        config: resolved (`TrainConfig.resolve`); its `plateau` schedule is refused (it reads
            a validation loss there is none of).
        registry: where the model comes from (`zoo.registry`).
        data: the loaded splits (`components.training.run.load_run_data`), a test split among
            them.
        max_epochs: stop after this many epochs, the schedule still that of the config's.
        thresholds: the accuracies whose crossings are recorded.
        log: called with a line per epoch; None: nothing said.
        label: the start of those lines.

    Returns:
        `seed`, `epoch_seconds`, `test_accuracy`, `forward_flops`, `tflop_per_epoch` and
        `crossings` (`threshold_crossings`).

    Example:
    >>> run = train_and_test(config.resolve(zoo.registry), zoo.registry, data)  # doctest: +SKIP
    >>> run["crossings"]["0.93"]  # doctest: +SKIP
    {'epoch': 4, 'seconds': 612.3, 'tflop': 43.7}
    """
    import keras

    from components.callbacks.weight_average import averaged_weights
    from components.diagnostics.flops import count_flops
    from components.training.compile import (
        compile_classifier,
        inference_model,
        validation_accuracy_key,
    )
    from components.training.fitting import run_batch_plan
    from components.training.reproducibility import seed_everything
    from components.training.resumable_fit import fit_from
    from components.training.run_callbacks import run_callbacks
    from components.training.run_hyperparameters import run_model

    optimization, control = config.optimization, config.control
    if optimization.lr_schedule == "plateau":
        raise ValueError(
            "lr_schedule 'plateau' needs a validation pass; time-to-accuracy runs have none."
        )
    test = data.batches("test", optimization.batch_size)
    if test is None:
        raise ValueError("train_and_test needs a test split; the data has none.")
    keras.backend.clear_session()
    seed_everything(control.seed)
    plan = run_batch_plan(config)
    model, _ = run_model(
        config,
        registry,
        input_shape=data.model_input_shape,
        num_classes=len(data.class_names),
        num_train=data.num_train,
        learning_rate=optimization.learning_rate,
        soft_labels=plan.soft_labels,
        jit_compile=control.jit_compile,
    )
    plan = dataclasses.replace(plan, heads=len(model.outputs))
    inference = inference_model(model)
    if inference is not model:
        compile_classifier(inference)
    epochs = min(optimization.epochs, max_epochs or optimization.epochs)

    def test_accuracy() -> float:
        with averaged_weights(model):  # where the optimizer averages them, as the run ends
            return float(inference.evaluate(test, return_dict=True, verbose=0)["accuracy"])

    def said(epoch: int, seconds: float, accuracy: float) -> None:
        log(
            f"{label} epoch {epoch + 1}/{epochs}: {seconds:.1f} s training, "
            f"test accuracy {accuracy:.4f}".lstrip()
        )

    clock = EpochClock(test_accuracy, log=said if log is not None else None)
    # The run's own callbacks (chief=False: no TensorBoard logs, nothing said).
    callbacks = run_callbacks(
        config, lambda: None, validation_accuracy_key(model), chief=False, say=lambda *a: None
    ).callbacks
    fit_from(
        model,
        functools.partial(data.training_batches, plan),
        epoch=0,
        batch=0,
        epochs=epochs,
        batches_per_epoch=data.batches_per_epoch(plan),
        callbacks=[clock, *callbacks],
        verbose=0,
    )
    flops = count_flops(model)
    tflop_per_epoch = data.num_train * 3 * flops / 1e12
    return {
        "seed": control.seed,
        "epoch_seconds": clock.epoch_seconds,
        "test_accuracy": clock.values,
        "forward_flops": flops,
        "tflop_per_epoch": tflop_per_epoch,
        "crossings": threshold_crossings(
            clock.epoch_seconds, clock.values, tflop_per_epoch, thresholds
        ),
    }


__all__ = [
    "PLAIN_SETTINGS",
    "THRESHOLDS",
    "median_reached",
    "seedwise_time_ratio",
    "summarize_seeds",
    "threshold_crossings",
    "threshold_key",
    "time_ratio",
    "train_and_test",
]
