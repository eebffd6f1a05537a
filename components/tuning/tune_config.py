"""`TuneConfig`: the settings of a hyperparameter search (`classiczoo tune`), declared once.

The settings a search shares with a training run (model, data, seed, export) are the training
settings' own fields (`components.settings.like`): the same flag, help and check.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from components.settings import (
    PATH,
    POSITIVE_INT,
    SWITCH,
    ValueKind,
    check_fields,
    like,
    one_of,
    setting,
)
from components.training.config import ModelRegistry
from components.training.settings import (
    ControlSettings,
    DataSettings,
    ModelSettings,
    OptimizationSettings,
    OutputSettings,
)
from components.tuning.tuners import TUNERS

OBJECTIVE = "val_accuracy"
# Each trial trains with Keras's model.fit, which fails under multi-worker
# (keras-team/keras#20585).
TUNE_STRATEGIES = ("auto", "default", "onedevice", "mirrored")


@dataclasses.dataclass(frozen=True)
class TuneConfig:
    """How to search a zoo model's hyperparameters: the fields of `classiczoo tune`.

    Args:
        model, dataset, train_split, test_split, data_dir, resize, seed, export_dir: as for
            `TrainConfig`.
        tuner: one of `TUNERS`.
        max_trials: trials in all (for Hyperband a cap on its own schedule), >= 1.
        epochs: epochs per trial (Hyperband: the most a model trains); None: the model's.
        executions_per_trial: models trained per trial, scores averaged, >= 1.
        hyperband_factor: Hyperband's reduction factor, >= 2.
        val_split: fraction of `train_split` for `val_accuracy`, in (0, 1).
        scale, width: fixed model options, not searched.
        strategy: every trial trains under it (one of `TUNE_STRATEGIES`).
        directory: the search's trials (None: `tuning/<model>`).
        overwrite: remove the search in `directory` first.
        top: trials in the printed table.
        command: the command line, as words, for the metadata.

    Example:
    >>> TuneConfig(model="lenet5", tuner="bayesian", max_trials=15).directory_path
    PosixPath('tuning/lenet5')
    """

    model: str = like(ModelSettings, "name")
    dataset: str = like(DataSettings, "dataset")
    tuner: str = setting("random", one_of(TUNERS))
    max_trials: int = setting(10, POSITIVE_INT, "trials in all (Hyperband: a cap)")
    epochs: int | None = like(
        OptimizationSettings, "epochs", help="per trial (Hyperband: the most); default: model's"
    )
    executions_per_trial: int = setting(1, POSITIVE_INT)
    hyperband_factor: int = setting(
        3, ValueKind("an integer >= 2", int, lambda value: isinstance(value, int) and value >= 2)
    )
    val_split: float = setting(
        0.1,
        ValueKind(
            f"in (0, 1): the objective is {OBJECTIVE}",
            float,
            lambda value: isinstance(value, (int, float)) and 0 < value < 1,
        ),
        f"fraction of train for {OBJECTIVE}",
    )
    train_split: str = like(DataSettings, "train_split")
    test_split: str = like(DataSettings, "test_split")
    data_dir: str | None = like(DataSettings, "data_dir")
    resize: int | None = like(DataSettings, "resize")
    scale: str | None = like(ModelSettings, "scale")
    width: float | None = like(ModelSettings, "width")
    strategy: str = setting(
        "auto",
        ValueKind(
            f"one of {', '.join(TUNE_STRATEGIES)} (trials train with model.fit, which fails "
            "under multi-worker)",
            str,
            lambda value: value in TUNE_STRATEGIES,
            TUNE_STRATEGIES,
        ),
        "each trial trains under it: auto (>1 GPU: mirrored; 1 GPU: onedevice), default, "
        "onedevice, mirrored",
    )
    seed: int = like(ControlSettings, "seed")
    directory: Path | None = setting(None, PATH, "the search's; default tuning/<model>")
    overwrite: bool = setting(False, SWITCH, "remove the search in --directory first")
    export_dir: Path = like(OutputSettings, "export_dir")
    top: int = setting(5, POSITIVE_INT, "trials in the table")
    command: tuple[str, ...] | None = None

    def __post_init__(self):
        for name in ("directory", "export_dir"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, Path(getattr(self, name)))
        check_fields(self)
        if self.command is not None:
            object.__setattr__(self, "command", tuple(self.command))

    @property
    def directory_path(self) -> Path:
        return Path(self.directory or Path("tuning") / self.model)

    def model_options(self) -> dict:
        """The fixed model options (`scale`, `width`) that are set."""
        return {k: getattr(self, k) for k in ("scale", "width") if getattr(self, k) is not None}

    def search_record(self, registry: ModelRegistry, epochs: int) -> dict:
        """What must match for a search in the directory to go on (not max_trials: it may
        grow between runs)."""
        return {
            "model": self.model,
            "dataset": self.dataset,
            "train_split": self.train_split,
            "val_split": self.val_split,
            "resize": self.resize,
            "model_options": self.model_options(),
            "tuner": self.tuner,
            "objective": OBJECTIVE,
            "epochs": epochs,
            "executions_per_trial": self.executions_per_trial,
            "hyperband_factor": self.hyperband_factor if self.tuner == "hyperband" else None,
            "seed": self.seed,
            "space": registry.get_defaults(self.model).search_space.to_dict(),
        }


__all__ = ["OBJECTIVE", "TUNE_STRATEGIES", "TuneConfig"]
