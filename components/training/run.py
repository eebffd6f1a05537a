"""The whole training run of a registered model, on every Keras backend: what `zoo.train` and
`classiczoo train` do.

The devices (a tf.distribute strategy on TensorFlow, Keras's data parallelism elsewhere),
seeding, the data and its normalization (tf.data on TensorFlow, NumPy batches elsewhere: one
interface, `components.data.run_data`), the fit (`fit_run`: the model, its optimizer, the
callbacks, Keras's `fit` from the run's place), the test figures, and the end of the run
(`finish_run`): the saved model with its metadata (a SavedModel on TensorFlow, a `.keras` file
elsewhere), then the cleanup of the run's checkpoints. The registry is passed in
(`zoo.registry`), so components never import `zoo`.
"""

from __future__ import annotations

import keras

from components.checkpoints.directory import CheckpointDirectory, check_resume
from components.checkpoints.weights import loadable_weights
from components.data.arrays import ArraySplits, load_array_splits
from components.data.run_data import NormalizedArrays, RunData
from components.training.config import ModelRegistry, TrainConfig
from components.training.devices import RunDevices, run_devices
from components.training.fitting import FittedModel, fit_run
from components.training.reproducibility import make_deterministic, seed_everything
from components.training.result import TrainResult, weights_digest
from components.training.run_end import RunEnd, finish_run
from components.training.settings import DataSettings


def train_model(config: TrainConfig, registry: ModelRegistry, arrays=None) -> TrainResult:
    """Trains, saves and evaluates a registered model as `config` says.

    Args:
        config: the run's settings (checked again here against the registry).
        registry: where models and their defaults come from (`zoo.registry`).
        arrays: `(x_train, y_train, x_test, y_test)` to train on instead of the dataset.

    Returns:
        A `TrainResult`; its `stopped_at_step` is set when a pause or a NaN stopped the run
        (nothing is saved then; resume with `--resume`).

    Raises:
        ConfigError: bad settings, a checkpoint in the way, or none to resume from.
        components.distribute.TFConfigError: a malformed `TF_CONFIG`.
    """
    config = config.resolve(registry)
    devices = run_devices(config)  # first: a multi-worker strategy needs a fresh context
    (make_deterministic if config.control.deterministic else seed_everything)(config.control.seed)
    policy = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy(config.control.precision)
    try:
        with devices.active():
            return _train(config, registry, devices, arrays)
    finally:
        keras.mixed_precision.set_dtype_policy(policy)


def _train(config: TrainConfig, registry: ModelRegistry, devices: RunDevices, arrays):
    say = print if devices.chief else (lambda *a, **k: None)  # other workers stay quiet
    say(devices.description)
    # The chief writes the checkpoints: it holds the directory against a second run.
    held = CheckpointDirectory(config.control.checkpoint_dir).acquire() if devices.chief else None
    try:
        loadable = loadable_weights
        if devices.loop == "custom":  # the project's loop keeps TensorFlow's checkpoints
            from components.checkpoints.tensorflow_checkpoint import loadable_checkpoint

            loadable = loadable_checkpoint
        check_resume(config.control.checkpoint_dir, config.control.resume, loadable=loadable)
        data = load_run_data(config.data, arrays, devices=devices.replicas)
        say(data.describe())
        fitted = fit_run(config, registry, data, devices)
        return _after_fit(config, devices, fitted, held, say)
    finally:
        if held is not None:
            held.release()


def load_run_data(data: DataSettings, arrays=None, *, devices: int = 1) -> RunData:
    """The normalized splits a run's data settings name, as the backend batches them.

    On TensorFlow, tf.data pipelines (`NormalizedData`) of the tfds dataset, or of the
    caller's arrays or an image folder; elsewhere NumPy batches (`NormalizedArrays`) of the
    arrays, an image folder, or a dataset whose files are read without TensorFlow.

    Args:
        data: the run's data settings.
        arrays: `(x_train, y_train, x_test, y_test)` or an `ArrayData`, or None.
        devices: the devices a data-parallel run (off TensorFlow) splits each batch over.
    """
    if not reads_tfds(data, arrays):
        splits = load_array_splits(
            data.dataset,
            train_split=data.train_split,
            test_split=data.test_split,
            val_split=data.val_split,
            data_dir=data.data_dir,
            data=arrays,
            image_dir=data.image_dir,
            test_image_dir=data.test_image_dir,
        )
        return arrays_run_data(splits, resize=data.resize, devices=devices)
    from components.data.normalized import load_normalized

    return load_normalized(
        data.dataset,
        data_dir=data.data_dir,
        train_split=data.train_split,
        test_split=data.test_split,
        val_split=data.val_split,
        resize=data.resize,
    )


def reads_tfds(data: DataSettings, arrays=None) -> bool:
    """Whether a run reads its data through tfds (tf.data, on TensorFlow) rather than as arrays:
    the caller's arrays, an image folder, or any dataset off TensorFlow."""
    return arrays is None and data.image_dir is None and keras.backend.backend() == "tensorflow"


def arrays_run_data(splits: ArraySplits, *, resize: int | None, devices: int = 1) -> RunData:
    """Splits held as arrays as the backend batches them: tf.data pipelines on TensorFlow
    (`normalized_arrays`: its strategies distribute them), else `NormalizedArrays`."""
    if keras.backend.backend() != "tensorflow":
        return NormalizedArrays(splits, resize=resize, devices=devices)
    from components.data.normalized import normalized_arrays

    return normalized_arrays(splits, resize=resize)


def _after_fit(config, devices: RunDevices, fitted: FittedModel, held, say) -> TrainResult:
    model = fitted.model
    result = TrainResult(
        config=config,
        history=fitted.history,
        metrics=None,
        export_dir=None,
        model=model,
        preprocessing=fitted.data.preprocessing,
        stopped_at_step=None,
        checkpoint_dir=config.control.checkpoint_dir,
        monitors=fitted.monitors,
        pause=fitted.pause,
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
    # Measured and saved: the main head alone (GoogLeNet's auxiliary heads are dropped).
    print(f"Final weights sha256: {result.weights_sha256} (task {devices.task})")
    if devices.strategy is not None:
        save, saved = _saved_model(config, fitted, devices)
    else:
        save, saved = _keras_file(config, fitted)
    end = RunEnd(
        test=fitted.figures("test") or {},  # {}: no test part (an image folder)
        train_error=fitted.train_error,
        best_epoch=fitted.best_epoch,
        train_seconds=fitted.train_seconds,
        dataset=fitted.data.name,
        splits=fitted.data.splits,
        hyperparameters=devices.record,
        save=save,
        saved=saved,
    )
    result = finish_run(result, end, held=held if devices.chief else None, say=say)
    result.model = fitted.inference
    return result


def _keras_file(config: TrainConfig, fitted: FittedModel):
    """`(save, saved)` of a run off TensorFlow: a `.keras` version and its metadata."""
    from components.export.keras_model import keras_model_saved, save_keras_model

    def save(facts):
        return save_keras_model(
            fitted.inference,
            config.output.export_dir / config.model.name,
            image_shape=fitted.data.image_shape,
            class_names=fitted.data.class_names,
            preprocessing=fitted.data.preprocessing,
            run=facts,
        )

    return save, keras_model_saved


def _saved_model(config: TrainConfig, fitted: FittedModel, devices: RunDevices):
    """`(save, saved)` of a TensorFlow run: the SavedModel (then `--format`'s conversion)."""
    import shutil
    import tempfile
    from pathlib import Path

    from components.export.formats import FormatError, export_format
    from components.export.saved_model import export_classifier

    output, data = config.output, fitted.data
    converted = []

    def save(facts):
        # Every worker writes the SavedModel (saving may need them all); only the chief keeps it.
        chief = devices.chief
        base = output.export_dir / config.model.name if chief else Path(tempfile.mkdtemp())
        exported = export_classifier(
            fitted.inference,
            base,
            image_shape=data.image_shape,
            preprocessing=data.preprocessing,
            class_names=data.class_names,
            run=facts,
            tta=output.export_tta,
        )
        if not chief:
            shutil.rmtree(base, ignore_errors=True)
        elif output.export_format != "saved_model":
            try:
                converted.append(
                    export_format(
                        exported,
                        output.export_format,
                        output.export_dir,
                        data_dir=config.data.data_dir,
                        base_name=config.model.name,
                    )
                )
            except FormatError as err:  # the SavedModel stays: say where, and what failed
                raise FormatError(
                    f"Exported SavedModel: {exported}, but not as {output.export_format}: {err}"
                ) from None
        return exported

    def saved(directory):
        lines = [f"Exported SavedModel: {directory}"]
        lines += [f"Exported {output.export_format}: {path}" for path in converted]
        return "\n".join(lines)

    return save, saved


__all__ = ["TrainResult", "arrays_run_data", "load_run_data", "reads_tfds", "train_model"]
