"""The hyperparameter search of a registered model: what `zoo.tune` and `classiczoo tune` do.

A keras-tuner search (random, Hyperband or Bayesian) over the space the model declares beside
its definition (`ModelDefaults.search_space`), maximizing `val_accuracy` on the first
`val_split` of the training split. The search lives in its directory and resumes there; the
best trial's model is evaluated on the test split and exported like a trained one, with the
same metadata schema (kind `"tune"`): the chosen hyperparameters in `train`'s form, the search's
facts, and the `classiczoo train` command that trains the model from scratch with them.
"""

from __future__ import annotations

import dataclasses
import functools
import shlex
import time
import warnings
from pathlib import Path

import keras_tuner

from components.backends import require_tensorflow_backend
from components.data.normalized import load_normalized
from components.diagnostics.bias_variance import describe_diagnosis_entry
from components.distribute.strategies import parse_tf_config, select_strategy, strategy_name
from components.export.metadata import (
    DataSplits,
    Hyperparameters,
    Metrics,
    RunFacts,
    library_versions,
)
from components.export.saved_model import export_classifier
from components.training.compile import compile_classifier, inference_model
from components.training.config import (
    SCALES,
    ConfigError,
    ModelRegistry,
    TrainConfig,
    check_model_options,
)
from components.training.diagnosis import diagnose_model
from components.training.metrics import split_figures
from components.training.reproducibility import seed_everything
from components.tuning.hypermodel import ClassifierHyperModel
from components.tuning.result import TuneResult
from components.tuning.tuners import (
    TUNERS,
    claim_search_directory,
    make_tuner,
    top_trials_table,
    trial_metrics,
)

OBJECTIVE = "val_accuracy"
# Each trial trains with Keras's model.fit, which fails under multi-worker
# (keras-team/keras#20585).
TUNE_STRATEGIES = ("auto", "default", "onedevice", "mirrored")
# keras-tuner loads weights alone (Hyperband's next rounds, the best model); Keras warns each
# time that the new optimizer's state was not loaded, which is meant.
OPTIMIZER_NOT_LOADED = "Skipping variable loading for optimizer"


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

    model: str = "lenet5_bn"
    dataset: str = "fashion_mnist"
    tuner: str = "random"
    max_trials: int = 10
    epochs: int | None = None
    executions_per_trial: int = 1
    hyperband_factor: int = 3
    val_split: float = 0.1
    train_split: str = "train"
    test_split: str = "test"
    data_dir: str | None = None
    resize: int | None = None
    scale: str | None = None
    width: float | None = None
    strategy: str = "auto"
    seed: int = 0
    directory: str | Path | None = None
    overwrite: bool = False
    export_dir: str | Path = "saved_models"
    top: int = 5
    command: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.tuner not in TUNERS:
            raise ConfigError(f"tuner must be one of {', '.join(TUNERS)}; got {self.tuner!r}.")
        for name in ("max_trials", "executions_per_trial", "top"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
        if self.hyperband_factor < 2:
            raise ConfigError(f"hyperband_factor must be >= 2, got {self.hyperband_factor}.")
        if not 0 < self.val_split < 1:
            raise ConfigError(
                f"val_split must be in (0, 1): the objective is {OBJECTIVE}; got {self.val_split}."
            )
        if self.strategy not in TUNE_STRATEGIES:
            raise ConfigError(
                f"strategy must be one of {', '.join(TUNE_STRATEGIES)} (trials train with "
                f"model.fit, which fails under multi-worker); got {self.strategy!r}."
            )
        if self.scale is not None and self.scale not in SCALES:
            raise ConfigError(f"scale must be one of {', '.join(SCALES)}; got {self.scale!r}.")
        # The fields shared with a training run are checked by TrainConfig's own rules.
        TrainConfig(
            model=self.model,
            epochs=self.epochs,
            seed=self.seed,
            resize=self.resize,
            width=self.width,
        )
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


def search_model(config: TuneConfig, registry: ModelRegistry) -> TuneResult:
    """Runs (or resumes) the search, prints the top trials, exports the best model.

    Raises:
        ConfigError: an unknown model or option, `TF_CONFIG` set, no trial completed.
        components.tuning.SearchDirectoryError: the directory holds another search.
        KeyboardInterrupt: an interrupted search (run the same command again to resume).
    """
    require_tensorflow_backend(
        "The keras-tuner search (tf.data, tf.distribute)",
        "zoo.train runs Keras's fit; or run this with KERAS_BACKEND=tensorflow",
    )
    check_model_options(registry, config.model, config.model_options())
    if parse_tf_config() is not None:
        raise ConfigError(
            "tune does not run under TF_CONFIG (multi-worker): trials train with model.fit "
            "(keras-team/keras#20585); unset it and use strategy 'mirrored' for one machine's "
            "GPUs."
        )
    defaults = registry.get_defaults(config.model)
    space = defaults.search_space
    epochs = config.epochs or defaults.epochs
    strategy = select_strategy(config.strategy)
    resumed = claim_search_directory(
        config.directory_path, config.search_record(registry, epochs), overwrite=config.overwrite
    )
    seed_everything(config.seed)
    data = load_normalized(
        config.dataset,
        data_dir=config.data_dir,
        train_split=config.train_split,
        test_split=config.test_split,
        val_split=config.val_split,
        resize=config.resize,
    )
    print(data.describe())
    print(
        f"Strategy: {strategy_name(strategy)} with {strategy.num_replicas_in_sync} replica(s); "
        "the batch sizes searched are global."
    )
    print(f"Search space of {config.model}: {space.describe()}.")
    hypermodel = ClassifierHyperModel(
        functools.partial(
            registry.create,
            config.model,
            input_shape=data.model_input_shape,
            num_classes=len(data.data.class_names),
            **config.model_options(),
        ),
        space,
        preprocessing=data.preprocessing,
        build_options=registry.model_options(config.model),
        seed=config.seed,
        name=config.model,
    )
    tuner = make_tuner(
        config.tuner,
        hypermodel,
        config.directory_path,
        max_trials=config.max_trials,
        epochs=epochs,
        objective=OBJECTIVE,
        distribution_strategy=None if strategy_name(strategy) == "DefaultStrategy" else strategy,
        seed=config.seed,
        executions_per_trial=config.executions_per_trial,
        hyperband_factor=config.hyperband_factor,
    )
    done = sum(t.status == "COMPLETED" for t in tuner.oracle.trials.values())
    print(
        f"{'Resuming' if resumed else 'Starting'} a {config.tuner} search in "
        f"{config.directory_path}: {done} trial(s) done, up to {config.max_trials} in all, "
        f"{epochs} epoch(s) per trial."
    )
    start = time.time()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=OPTIMIZER_NOT_LOADED)
        tuner.search(data.data.train, validation_data=data.data.validation, epochs=epochs)
    search_seconds = time.time() - start

    table = top_trials_table(tuner.oracle, config.top)
    print(table)
    best_trials = tuner.oracle.get_best_trials(1)
    if not best_trials:
        raise ConfigError(f"No trial in {config.directory_path} completed; nothing to export.")
    best = best_trials[0]
    tuned = dict(best.hyperparameters.values)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=OPTIMIZER_NOT_LOADED)
        model = tuner.load_model(best)  # the weights of its best epoch, under the strategy
    inference = inference_model(model)
    if inference is not model:
        compile_classifier(inference)
    test = data.pipeline("test", tuned["batch_size"])
    test_figures = inference.evaluate(test, return_dict=True, verbose=0)
    train_figures, validation_figures = split_figures(trial_metrics(best), model)
    metrics = Metrics(
        test={k: float(v) for k, v in test_figures.items()},
        train=train_figures,
        validation=validation_figures,
        train_seconds=round(search_seconds, 1),
    )
    model_options = {
        **config.model_options(),
        **{k: v for k, v in tuned.items() if k in space.model_options()},
    }
    hyperparameters = Hyperparameters(
        optimizer=tuned["optimizer"],
        learning_rate=tuned["learning_rate"],
        lr_schedule="constant",
        weight_decay=tuned["weight_decay"],
        epochs=tuned.get("tuner/epochs", epochs),
        batch_size=tuned["batch_size"],
        seed=config.seed,
        strategy=strategy_name(strategy),
        replicas=strategy.num_replicas_in_sync,
        loop="fit",
        precision="float32",
        jit_compile=False,
        deterministic=False,
        model_options=model_options,
        best_epoch=None if best.best_step is None else int(best.best_step) + 1,
        tuned={k: v for k, v in tuned.items() if not k.startswith("tuner/")},
    )
    diagnosis = None
    if validation_figures is not None:
        diagnosis = diagnose_model(
            lambda dataset: inference.evaluate(dataset, return_dict=True, verbose=0),
            data,
            dataset=config.dataset,
            batch_size=tuned["batch_size"],
            human_error=None,
            dev_error=1.0 - validation_figures["accuracy"],
            test_error=1.0 - metrics.test["accuracy"],
        )
        print(describe_diagnosis_entry(diagnosis))
    retrain = _train_config(config, hyperparameters).command_line()
    completed = [t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]
    facts = RunFacts(
        kind="tune",
        model=config.model,
        dataset=config.dataset,
        splits=data.data.splits,
        data=DataSplits(config.train_split, config.val_split, config.test_split),
        metrics=metrics,
        command=shlex.join(config.command or ("classiczoo", "tune", "--model", config.model)),
        hyperparameters=hyperparameters,
        diagnosis=diagnosis,
        search={
            "tuner": config.tuner,
            "objective": OBJECTIVE,
            "directory": str(config.directory_path),
            "max_trials": config.max_trials,
            "completed_trials": len(completed),
            "best_trial": best.trial_id,
            "score": best.score,
            "space": space.to_dict(),
            "top_trials": [
                {
                    "trial": t.trial_id,
                    "score": t.score,
                    "hyperparameters": t.hyperparameters.values,
                }
                for t in tuner.oracle.get_best_trials(config.top)
            ],
            "train_command": retrain,
        },
        versions={**library_versions(), "keras_tuner": keras_tuner.__version__},
    )
    export_dir = export_classifier(
        inference,
        Path(config.export_dir) / f"{config.model}-tuned",
        image_shape=data.data.image_shape,
        preprocessing=data.preprocessing,
        class_names=data.data.class_names,
        run=facts,
    )
    print(
        f"Best trial {best.trial_id}: {OBJECTIVE} {best.score:.4f}; test loss "
        f"{metrics.test['loss']:.4f}, accuracy {metrics.test['accuracy']:.4f}."
    )
    print(f"Train it from scratch with these hyperparameters:\n  {retrain}")
    print(f"Exported SavedModel: {export_dir}")
    return TuneResult(
        tuner=tuner,
        best_trial=best,
        model=inference,
        preprocessing=data.preprocessing,
        metrics=metrics,
        hyperparameters=hyperparameters,
        table=table,
        export_dir=export_dir,
        resumed=resumed,
        train_command=retrain,
    )


def _train_config(config: TuneConfig, chosen: Hyperparameters) -> TrainConfig:
    """The training run of the chosen hyperparameters, from scratch."""
    fixed = config.model_options()
    return TrainConfig(
        model=config.model,
        dataset=config.dataset,
        optimizer=chosen.optimizer,
        learning_rate=chosen.learning_rate,
        lr_schedule=chosen.lr_schedule,
        weight_decay=chosen.weight_decay,
        batch_size=chosen.batch_size,
        epochs=chosen.epochs,
        seed=config.seed,
        resize=config.resize,
        scale=config.scale,
        width=config.width,
        model_options={k: v for k, v in chosen.model_options.items() if k not in fixed},
    )


__all__ = ["OBJECTIVE", "TUNE_STRATEGIES", "TuneConfig", "TuneResult", "search_model"]
