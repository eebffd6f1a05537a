"""The end of a training run, on any backend, and of a search: measure, diagnose, describe,
save, say.

After the fit, every run does the same: the test figures of the weights it kept, the metrics
of the epoch they come from, the bias vs variance diagnosis (the training error measured in
inference mode), the `RunFacts` of the metadata, the saving (a SavedModel under TensorFlow, a
`.keras` file elsewhere: the one part that differs, handed in), the removal of the finished
run's checkpoints, and a few lines for the person who started it. A hyperparameter search
(`components.tuning.search`) ends its best trial's model the same way, with the trial's own
figures, its hyperparameters and the search's facts handed in.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from components.diagnostics.bias_variance import describe_diagnosis_entry, diagnosis_entry
from components.export.metadata import DataSplits, Hyperparameters, Metrics, RunFacts
from components.training.metrics import run_metrics
from components.training.result import TrainResult
from components.training.run_hyperparameters import run_hyperparameters


@dataclasses.dataclass(frozen=True)
class RunEnd:
    """What the end of a run needs of the backend's run.

    Args:
        test: the test figures of the kept weights (`{}`: no test part).
        train_error: measures `(error, images)`: the inference-mode error on the first
            training images (called only with a validation part, for the diagnosis).
        best_epoch: the epoch (0-based) whose weights are kept with `restore_best`, or None.
        train_seconds: the fit's wall time.
        dataset: the data's name (tfds's, a folder's, `arrays`).
        splits: what each part is, in words.
        hyperparameters: the run's own `run_hyperparameters` arguments (strategy, replicas,
            loop, jit_compile, and backend where not TensorFlow).
        save: saves the kept model with these `RunFacts`; returns the version directory.
        saved: the line that names what was saved, given its directory.
        kind: the metadata's kind (`train`; a search's best model: `tune`).
        metrics: the figures where they are not the run's history's (a search's best trial:
            its own train and validation figures); the test figures are `test`'s.
        record: the metadata's hyperparameters where they are not the run's settings' (a
            search's chosen values).
        command: the command that made it (None: the run's `classiczoo train` command).
        facts: more `RunFacts` fields (a search's `search` and `versions`).
    """

    test: dict
    train_error: Callable[[], tuple[float, int]]
    best_epoch: int | None
    train_seconds: float
    dataset: str
    splits: dict
    hyperparameters: dict
    save: Callable[[RunFacts], Path]
    saved: Callable[[Path], str]
    kind: str = "train"
    metrics: Metrics | None = None
    record: Hyperparameters | None = None
    command: str | None = None
    facts: dict = dataclasses.field(default_factory=dict)


def finish_run(result: TrainResult, end: RunEnd, *, held, say: Callable = print) -> TrainResult:
    """Measures, diagnoses, saves and reports a finished run; fills in `result.metrics` and
    `result.export_dir`.

    Args:
        result: the run's result so far (config, history, model).
        end: what the backend's run gives (`RunEnd`).
        held: the run's `CheckpointDirectory` (its checkpoints go once the model is saved), or
            None (a worker that keeps none).
        say: prints where the chief speaks.
    """
    config = result.config
    best = end.best_epoch
    if end.metrics is not None:
        metrics = dataclasses.replace(end.metrics, test=end.test)
    else:
        metrics = run_metrics(
            result.history,
            result.model,
            test=end.test,
            train_seconds=end.train_seconds,
            epoch=-1 if best is None else best,
        )
    diagnosis = None
    if metrics.validation is not None:
        train_error, images = end.train_error()
        diagnosis = diagnosis_entry(
            train_error,
            images,
            dataset=end.dataset,  # its published human-level error, if it has one
            human_error=config.output.human_error,
            dev_error=1.0 - metrics.validation["accuracy"],
            test_error=1.0 - metrics.test["accuracy"] if end.test else None,
        )
    record = end.record or run_hyperparameters(
        config, best_epoch=None if best is None else best + 1, **end.hyperparameters
    )
    facts = RunFacts(
        kind=end.kind,
        model=config.model.name,
        dataset=end.dataset,
        splits=end.splits,
        data=DataSplits(config.data.train_split, config.data.val_split, config.data.test_split),
        metrics=metrics,
        command=end.command or config.command_line(),
        hyperparameters=record,
        diagnosis=diagnosis,
        **end.facts,
    )
    saved_dir = end.save(facts)
    if held is not None:
        # Complete and saved: the checkpoints were only for resuming it. Only they go (and
        # the directories the run made): never the user's own files.
        held.finish()
    if end.test:
        say(
            f"Test: loss {end.test['loss']:.4f}, accuracy {end.test['accuracy']:.4f} "
            f"({end.train_seconds:.1f} s training)."
        )
    else:
        say(f"No test part ({end.train_seconds:.1f} s training).")
    if diagnosis is not None:
        say(describe_diagnosis_entry(diagnosis))
    say(end.saved(saved_dir))
    result.metrics = metrics
    result.export_dir = saved_dir
    return result


__all__ = ["RunEnd", "finish_run"]
