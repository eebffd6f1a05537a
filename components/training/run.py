"""The whole training run of a registered model: what `zoo.train` and `classiczoo train` do.

Strategy, seeding, data and normalization, the model and its optimizer, the callbacks
(TensorBoard, learning-rate log, plateau decay, checkpoints, monitors, pauses), the loop
(`model.fit` through `fit_from`, or the project's under multi-worker), the test figures, the
SavedModel export with its metadata, and the cleanup of the run's checkpoints once exported.
The registry is passed in (`zoo.registry`), so components never import `zoo`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import keras

from components.checkpoints.directory import CheckpointDirectory, check_resume
from components.checkpoints.tensorflow_checkpoint import loadable_checkpoint
from components.checkpoints.weights import loadable_weights
from components.data.arrays import load_array_splits
from components.data.normalized import NormalizedData, load_normalized, normalized_arrays
from components.distribute.strategies import (
    describe_strategy,
    is_chief,
    select_strategy,
    strategy_name,
    task_id,
)
from components.export.formats import FormatError, export_format
from components.export.saved_model import export_classifier
from components.training.config import ModelRegistry, TrainConfig
from components.training.diagnosis import training_error
from components.training.fitting import (
    FittedModel,
    choose_loop,
    fit_loaded,
    inference_figures,
)
from components.training.reproducibility import make_deterministic, seed_everything
from components.training.result import TrainResult, weights_digest
from components.training.run_end import RunEnd, finish_run


def train_model(config: TrainConfig, registry: ModelRegistry, arrays=None) -> TrainResult:
    """Trains, exports and evaluates a registered model as `config` says.

    Args:
        config: the run's settings (checked again here against the registry).
        registry: where models and their defaults come from (`zoo.registry`).
        arrays: `(x_train, y_train, x_test, y_test)` to train on instead of the dataset.

    Returns:
        A `TrainResult`; its `stopped_at_step` is set when a pause or a NaN stopped the run
        (nothing is exported then; resume with `--resume`).

    Raises:
        ConfigError: bad settings, a checkpoint in the way, or none to resume from.
        components.distribute.TFConfigError: a malformed `TF_CONFIG`.
    """
    config = config.resolve(registry)
    strategy = select_strategy(
        config.control.strategy
    )  # first: multi-worker needs a fresh context
    (make_deterministic if config.control.deterministic else seed_everything)(config.control.seed)
    policy = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy(config.control.precision)
    try:
        return _train(config, registry, strategy, arrays)
    finally:
        keras.mixed_precision.set_dtype_policy(policy)


def _train(config: TrainConfig, registry: ModelRegistry, strategy, arrays) -> TrainResult:
    chief = is_chief()
    say = print if chief else (lambda *a, **k: None)  # other workers stay quiet
    loop = choose_loop(config.control, strategy)
    say(describe_strategy(strategy, config.optimization.batch_size) + f" Loop: {loop}.")
    # The chief writes the checkpoints: it holds the directory against a second run.
    held = CheckpointDirectory(config.control.checkpoint_dir).acquire() if chief else None
    try:
        # Keras's fit keeps Keras's weights files; the project's loop TensorFlow's checkpoints.
        loadable = loadable_weights if loop == "fit" else loadable_checkpoint
        check_resume(config.control.checkpoint_dir, config.control.resume, loadable=loadable)
        return _load_and_fit(config, registry, strategy, loop, held, say, arrays)
    finally:
        if held is not None:
            held.release()


def _load_and_fit(config, registry, strategy, loop, held, say, arrays) -> TrainResult:
    data = load_run_data(config, arrays)
    say(data.describe())
    fitted = fit_loaded(config, registry, strategy, data, loop=loop, chief=held is not None)
    return _after_fit(config, strategy, data, fitted, held, say)


def load_run_data(config: TrainConfig, arrays=None) -> NormalizedData:
    """The normalized splits a run's data settings name: the caller's arrays or an image
    folder (read as the JAX run reads them), else the tfds dataset.

    Args:
        config: the run's settings (`config.data` is read).
        arrays: `(x_train, y_train, x_test, y_test)` or an `ArrayData`, or None.
    """
    if arrays is not None or config.data.image_dir is not None:
        # An image folder or the caller's arrays: read as the JAX run reads them.
        splits = load_array_splits(
            config.data.dataset,
            train_split=config.data.train_split,
            test_split=config.data.test_split,
            val_split=config.data.val_split,
            data=arrays,
            image_dir=config.data.image_dir,
            test_image_dir=config.data.test_image_dir,
        )
        data = normalized_arrays(splits, resize=config.data.resize)
    else:
        data = load_normalized(
            config.data.dataset,
            data_dir=config.data.data_dir,
            train_split=config.data.train_split,
            test_split=config.data.test_split,
            val_split=config.data.val_split,
            resize=config.data.resize,
        )
    return data


def _after_fit(config, strategy, data, fitted, held, say) -> TrainResult:
    model, monitors, pause = fitted.model, fitted.monitors, fitted.pause
    result = TrainResult(
        config=config,
        history=fitted.history,
        metrics=None,
        export_dir=None,
        model=model,
        preprocessing=data.preprocessing,
        stopped_at_step=None,
        checkpoint_dir=config.control.checkpoint_dir,
        monitors=monitors,
        pause=pause,
        weights_sha256=weights_digest(model),
        signal_stop=fitted.signal_stop,
    )
    last_loss = fitted.last_loss
    if last_loss is None:
        last_loss = (fitted.history.get("loss") or [0.0])[-1]
    why = result.stop_early(last_loss)
    if why is not None:
        say(result.stop_report(why))
        return result
    return _evaluate_and_export(result, data, strategy, fitted, held, say)


def _evaluate_and_export(
    result: TrainResult,
    data: NormalizedData,
    strategy,
    fitted: FittedModel,
    held: CheckpointDirectory | None,
    say,
) -> TrainResult:
    config = result.config
    # Evaluation and export use the main head alone (GoogLeNet's auxiliary heads are dropped).
    inference = fitted.inference
    test = data.pipeline(
        "test", config.optimization.batch_size
    )  # None: no test part (an image folder)
    print(f"Final weights sha256: {result.weights_sha256} (task {task_id()})")
    chief = is_chief()

    def export(facts):
        # Every worker writes the SavedModel (saving may need them all); only the chief keeps it.
        base = config.output.export_dir / config.model.name if chief else Path(tempfile.mkdtemp())
        exported = export_classifier(
            inference,
            base,
            image_shape=data.data.image_shape,
            preprocessing=data.preprocessing,
            class_names=data.data.class_names,
            run=facts,
            tta=config.output.export_tta,
        )
        if not chief:
            shutil.rmtree(base, ignore_errors=True)
        elif config.output.export_format != "saved_model":
            converted.append(convert_export(exported))
        return exported

    converted = []

    def convert_export(saved_model):
        try:
            return export_format(
                saved_model,
                config.output.export_format,
                config.output.export_dir,
                data_dir=config.data.data_dir,
                base_name=config.model.name,
            )
        except FormatError as err:  # the SavedModel stays: say where, and what failed
            raise FormatError(
                f"Exported SavedModel: {saved_model}, but not as "
                f"{config.output.export_format}: {err}"
            ) from None

    def saved(directory):
        lines = [f"Exported SavedModel: {directory}"]
        lines += [f"Exported {config.output.export_format}: {path}" for path in converted]
        return "\n".join(lines)

    end = RunEnd(
        test=inference_figures(fitted, test) if test is not None else {},
        train_error=lambda: training_error(
            lambda dataset: inference_figures(fitted, dataset),
            data,
            config.optimization.batch_size,
        ),
        best_epoch=fitted.best_epoch,
        train_seconds=fitted.train_seconds,
        dataset=data.data.name,
        splits=data.data.splits,
        hyperparameters={
            "strategy": strategy_name(strategy),
            "replicas": strategy.num_replicas_in_sync,
            "loop": fitted.loop,
            "jit_compile": config.control.jit_compile,
        },
        save=export,
        saved=saved,
    )
    result = finish_run(result, end, held=held if chief else None, say=say)
    result.model = inference
    return result


__all__ = ["TrainResult", "load_run_data", "train_model"]
