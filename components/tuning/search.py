"""The hyperparameter search of a registered model: what `zoo.tune` and `classiczoo tune` do.

A keras-tuner search (random, Hyperband or Bayesian) over the space the model declares beside
its definition (`ModelDefaults.search_space`), maximizing `val_accuracy` on the first
`val_split` of the training split. The search lives in its directory and resumes there; the
best trial's model is evaluated on the test split and exported like a trained one, with the
same metadata schema (kind `"tune"`): the chosen hyperparameters in `train`'s form, the search's
facts, and the `classiczoo train` command that trains the model from scratch with them.
"""

from __future__ import annotations

import functools
import shlex
import time
import warnings
from pathlib import Path

import keras
import keras_tuner

from components.export.metadata import (
    Hyperparameters,
    Metrics,
    library_versions,
)
from components.training.compile import compile_classifier, inference_model
from components.training.config import (
    ConfigError,
    ModelRegistry,
    TrainConfig,
    check_model_options,
)
from components.training.metrics import split_figures
from components.training.result import TrainResult, weights_digest
from components.training.run_end import RunEnd, finish_run
from components.tuning.hypermodel import ClassifierHyperModel
from components.tuning.result import TuneResult
from components.tuning.search_data import SearchData
from components.tuning.tune_config import OBJECTIVE, TuneConfig
from components.tuning.tuners import (
    claim_search_directory,
    make_tuner,
    top_trials_table,
    trial_metrics,
)

# keras-tuner loads weights alone (Hyperband's next rounds, the best model); Keras warns each
# time that the new optimizer's state was not loaded, which is meant.
OPTIMIZER_NOT_LOADED = "Skipping variable loading for optimizer"


def search_model(config: TuneConfig, registry: ModelRegistry) -> TuneResult:
    """Runs (or resumes) the search, prints the top trials, exports the best model.

    Raises:
        ConfigError: an unknown model or option, `TF_CONFIG` set, no trial completed.
        components.tuning.SearchDirectoryError: the directory holds another search.
        KeyboardInterrupt: an interrupted search (run the same command again to resume).
    """
    check_model_options(registry, config.model, config.model_options())
    backend = keras.backend.backend()
    _check_backend(config, backend)
    defaults = registry.get_defaults(config.model)
    space = defaults.search_space
    epochs = config.epochs or defaults.epochs
    strategy = None
    if backend == "tensorflow":
        from components.distribute.strategies import select_strategy

        strategy = select_strategy(config.strategy)
    resumed = claim_search_directory(
        config.directory_path, config.search_record(registry, epochs), overwrite=config.overwrite
    )
    keras.utils.set_random_seed(config.seed)
    data = SearchData(config)
    print(data.describe())
    strategy_label, replicas = _strategy_facts(strategy)
    print(
        f"Strategy: {strategy_label} with {replicas} replica(s); the batch sizes searched are "
        "global."
    )
    print(f"Search space of {config.model}: {space.describe()}.")
    hypermodel = ClassifierHyperModel(
        functools.partial(
            registry.create,
            config.model,
            input_shape=data.input_shape,
            num_classes=len(data.class_names),
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
        # keras-tuner's default is the default strategy, and under JAX there is none.
        distribution_strategy=None if strategy_label == "DefaultStrategy" else strategy,
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
        tuner.search(data.train, validation_data=data.validation, epochs=epochs)
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
    test = data.figures(inference, "test", tuned["batch_size"])
    train_figures, validation_figures = split_figures(trial_metrics(best), model)
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
        strategy=strategy_label,
        replicas=replicas,
        loop="fit",
        precision="float32",
        jit_compile=False,
        deterministic=False,
        model_options=model_options,
        best_epoch=None if best.best_step is None else int(best.best_step) + 1,
        tuned={k: v for k, v in tuned.items() if not k.startswith("tuner/")},
    )
    retrain = _train_config(config, hyperparameters)
    completed = [t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]
    print(f"Best trial {best.trial_id}: {OBJECTIVE} {best.score:.4f}.")
    # The best model ends as a training run ends (components.training.run_end), with the
    # trial's own figures, the chosen values and the search's facts.
    end = RunEnd(
        test=test,
        train_error=lambda: data.train_error(inference, tuned["batch_size"]),
        best_epoch=None,
        train_seconds=search_seconds,
        dataset=config.dataset,
        splits=data.splits,
        hyperparameters={},
        save=lambda facts: data.save(
            inference, Path(config.export_dir) / f"{config.model}-tuned", facts
        ),
        saved=data.saved,
        kind="tune",
        metrics=Metrics(
            test=test,
            train=train_figures,
            validation=validation_figures,
            train_seconds=round(search_seconds, 1),
        ),
        record=hyperparameters,
        command=shlex.join(config.command or ("classiczoo", "tune", "--model", config.model)),
        facts={
            "search": {
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
                "train_command": retrain.command_line(),
            },
            "versions": {**library_versions(), "keras_tuner": keras_tuner.__version__},
        },
    )
    ended = finish_run(
        TrainResult(
            config=retrain,
            history={},
            metrics=None,
            export_dir=None,
            model=inference,
            preprocessing=data.preprocessing,
            stopped_at_step=None,
            checkpoint_dir=None,
            monitors={},
            pause=None,
            weights_sha256=weights_digest(inference),
        ),
        end,
        held=None,
    )
    print(f"Train it from scratch with these hyperparameters:\n  {retrain.command_line()}")
    return TuneResult(
        tuner=tuner,
        best_trial=best,
        model=inference,
        preprocessing=data.preprocessing,
        metrics=ended.metrics,
        hyperparameters=hyperparameters,
        table=table,
        export_dir=ended.export_dir,
        resumed=resumed,
        train_command=retrain.command_line(),
    )


def _check_backend(config: TuneConfig, backend: str) -> None:
    """Refuses a backend the search cannot run on, and under TensorFlow a multi-worker
    cluster; under JAX a strategy other than one device."""
    if backend not in ("tensorflow", "jax"):
        raise ConfigError(
            f"Keras runs the {backend!r} backend; tune runs under tensorflow or jax "
            "(KERAS_BACKEND)."
        )
    if backend == "tensorflow":
        from components.distribute.strategies import parse_tf_config

        if parse_tf_config() is not None:
            raise ConfigError(
                "tune does not run under TF_CONFIG (multi-worker): trials train with model.fit "
                "(keras-team/keras#20585); unset it and use strategy 'mirrored' for one "
                "machine's GPUs."
            )
    elif config.strategy not in ("auto", "default", "onedevice"):
        raise ConfigError(
            f"strategy {config.strategy} (tf.distribute) needs the tensorflow backend; under "
            f"{backend} each trial is Keras's fit on one device (strategy auto)."
        )


def _strategy_facts(strategy) -> tuple[str, int]:
    """The strategy's name and replicas for the printout and the metadata; under JAX (no
    tf.distribute strategy) the backend's name and one replica."""
    if strategy is None:
        return keras.backend.backend(), 1
    from components.distribute.strategies import strategy_name

    return strategy_name(strategy), strategy.num_replicas_in_sync


def _train_config(config: TuneConfig, chosen: Hyperparameters) -> TrainConfig:
    """The training run of the chosen hyperparameters, from scratch."""
    fixed = config.model_options()
    return TrainConfig.of(
        model=config.model,
        dataset=config.dataset,
        train_split=config.train_split,
        val_split=config.val_split,
        test_split=config.test_split,
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


__all__ = ["TuneResult", "search_model"]
