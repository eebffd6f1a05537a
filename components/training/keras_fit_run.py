"""The training run on Keras backends other than TensorFlow (JAX): Keras's `fit` on NumPy
batches, checkpoints and resume, a `.keras` file and its metadata at the end.

`train_model` (components.training.run) hands a run here when Keras runs another backend. What
the TensorFlow run does with tf.data, tf.distribute and a SavedModel, this one does with
Keras's own backend-neutral parts: `ArrayBatches` (shuffle, augmentation by Keras's layers on
the backend's device, normalization), `keras.distribution.DataParallel` over all local devices,
the dtype policy (`mixed_bfloat16`), `WeightsCheckpoint` (every N steps and each epoch; a
resume continues at the exact batch), the same callbacks (learning-rate log, NaN stop, best
epoch, plateau decay, the monitors, the pause) and the same metrics, diagnosis and metadata.
The result is `<export_dir>/<model>/<version>/model.keras` (the main head, on normalized
images) and `metadata.json`; `classiczoo export` (under TensorFlow) makes the SavedModel.
TensorFlow is not needed: the data comes from the IDX files or the caller's arrays.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from components.checkpoints.directory import CheckpointDirectory, check_resume
from components.checkpoints.weights import (
    loadable_weights,
)
from components.console import progress_verbosity
from components.data.array_batches import ArrayBatches
from components.data.arrays import ArraySplits, load_array_splits
from components.data.augmentation import Augmenter, needs_soft_labels, parse_augment
from components.data.preprocessing import Preprocessing
from components.diagnostics.bias_variance import (
    TRAIN_ERROR_IMAGES,
)
from components.export.metadata import (
    ExportMetadata,
    ServingFacts,
    write_metadata,
)
from components.export.versions import publish_version
from components.layers.image_normalization import with_normalization
from components.training.compile import (
    compile_classifier,
    inference_model,
    validation_accuracy_key,
)
from components.training.config import ConfigError, ModelRegistry, TrainConfig
from components.training.exact_figures import ExactValidation, exact_figures
from components.training.result import TrainResult, weights_digest
from components.training.resumable_fit import fit_from, run_checkpoint
from components.training.run_callbacks import run_callbacks
from components.training.run_end import RunEnd, finish_run
from components.training.run_hyperparameters import (
    describe_augmentation,
    describe_run,
    run_learning_rate,
    run_model,
)

KERAS_FILE = "model.keras"


def check_keras_fit_config(config: TrainConfig, backend: str) -> None:
    """Refuses what only the TensorFlow run does, naming the alternative."""
    refused = {
        "loop custom (the project's tf.distribute loop)": config.control.loop == "custom",
        "strategy multiworker (tf.distribute)": config.control.strategy == "multiworker",
        "export_tta (a SavedModel graph; give `classiczoo export --tta flip` instead)": (
            config.output.export_tta != "none"
        ),
    }
    for what, asked in refused.items():
        if asked:
            raise ConfigError(
                f"{what} needs the tensorflow backend; Keras runs {backend!r}. Under {backend} "
                "a run is Keras's fit (loop auto or fit; strategy auto, default, onedevice or "
                "mirrored: data parallel over the local devices)."
            )


def train_with_keras_fit(config: TrainConfig, registry: ModelRegistry, data=None) -> TrainResult:
    """Trains `config.model.name` with Keras's `fit` under the current (non-TensorFlow) backend,
    saves the `.keras` model and its metadata, and measures it on the test split.

    Args:
        config: a resolved config (`TrainConfig.resolve`).
        registry: where the model comes from.
        data: `(x_train, y_train, x_test, y_test)` arrays to train on instead of the dataset.

    Returns:
        A `TrainResult` whose `export_dir` is the `.keras` model's version directory.
    """
    backend = keras.backend.backend()
    check_keras_fit_config(config, backend)
    devices = keras.distribution.list_devices()
    parallel = config.control.strategy in ("auto", "mirrored") and len(devices) > 1
    batch_size = config.optimization.batch_size
    if parallel and batch_size % len(devices):
        raise ConfigError(
            f"batch_size {batch_size} must be a multiple of the {len(devices)} devices it is "
            "split over (data parallel)."
        )
    held = CheckpointDirectory(config.control.checkpoint_dir).acquire()
    previous = keras.distribution.distribution()
    try:
        check_resume(
            config.control.checkpoint_dir, config.control.resume, loadable=loadable_weights
        )
        arrays = load_array_splits(
            config.data.dataset,
            train_split=config.data.train_split,
            test_split=config.data.test_split,
            val_split=config.data.val_split,
            data_dir=config.data.data_dir,
            data=data,
            image_dir=config.data.image_dir,
            test_image_dir=config.data.test_image_dir,
        )
        print(arrays.describe())
        if parallel:
            keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        replicas = len(devices) if parallel else 1
        print(
            f"Backend {backend}: Keras's fit on "
            + (f"{replicas} devices, data parallel." if parallel else f"{devices[0]}.")
        )
        fit = fit_arrays(config, registry, arrays, replicas)
        if fit.stopped is not None:
            print(fit.result.stop_report(fit.stopped))
            return fit.result
        return _measure_and_save(fit, arrays, held)
    finally:
        keras.distribution.set_distribution(previous)
        held.release()


@dataclasses.dataclass
class ArraysFit:
    """A model that Keras's `fit` trained on arrays, and how to measure it.

    Args:
        result: the run so far (model, history, why it stopped); no metrics yet.
        inference: the model that serves (the main head), compiled.
        figures: `figures(x, y)`: loss and accuracy of `inference` on raw images, exact
            whatever the padding of data-parallel batches.
        train_seconds: the time `fit` took.
        best_epoch: the epoch whose weights were restored (`restore_best`), or None.
        stopped: the words of why the run stopped early (`TrainResult.stop_early`), or None.
        replicas: the devices the batches were split over.
    """

    result: TrainResult
    inference: keras.Model
    figures: Callable[[np.ndarray, np.ndarray], dict]
    train_seconds: float
    best_epoch: int | None
    stopped: str | None
    replicas: int

    def train_error(self, arrays: ArraySplits) -> tuple[float, int]:
        """`(error, images)`: the inference-mode error on the first training images."""
        return arrays_training_error(self.figures, arrays)


def arrays_training_error(figures, arrays: ArraySplits) -> tuple[float, int]:
    """`(error, images)`: `1 - accuracy` by `figures(x, y)` on the first `TRAIN_ERROR_IMAGES`
    training images, what the TensorFlow run's `training_error` measures on tf.data (the
    diagnosis's training error, for a run and for a search under JAX)."""
    images = min(TRAIN_ERROR_IMAGES, len(arrays.x_train))
    accuracy = figures(arrays.x_train[:images], arrays.y_train[:images])["accuracy"]
    return 1.0 - accuracy, images


def fit_arrays(
    config: TrainConfig, registry: ModelRegistry, arrays: ArraySplits, replicas: int = 1
) -> ArraysFit:
    """Builds the run's model and fits it with Keras's `fit` on `arrays`' training part,
    validating on their validation part: what `zoo.train` does on this backend before its
    end (the run and cross-validation's folds call it).

    Args:
        config: a resolved config (`TrainConfig.resolve`).
        registry: where the model comes from.
        arrays: the splits.
        replicas: devices under `keras.distribution.DataParallel` (set by the caller).
    """
    resize = (config.data.resize, config.data.resize) if config.data.resize else None
    preprocessing = Preprocessing.from_arrays(arrays.x_train, resize=resize)
    input_shape = preprocessing.output_shape(arrays.image_shape)
    num_classes = len(arrays.class_names)
    optimization, control = config.optimization, config.control
    learning_rate = run_learning_rate(optimization, replicas)
    steps = parse_augment(config.data.augment)
    soft_labels = needs_soft_labels(steps, optimization.label_smoothing)
    model, _ = run_model(
        config,
        registry,
        input_shape=input_shape,
        num_classes=num_classes,
        num_train=len(arrays.x_train),
        learning_rate=learning_rate,
        soft_labels=soft_labels,
    )
    augmenter = Augmenter(steps, input_shape, seed=control.seed) if steps else None
    print(describe_run(config, model.count_params(), learning_rate))
    print(describe_augmentation(augmenter, optimization.label_smoothing))

    heads = len(model.outputs)

    def batches(x, y, *, training=False, epoch=0, skip=0, outputs=heads):
        return ArrayBatches(
            x,
            y,
            preprocessing,
            batch_size=optimization.batch_size,
            seed=control.seed if training else None,
            augmenter=augmenter if training else None,
            one_hot_classes=num_classes if (training and soft_labels) else None,
            num_outputs=outputs,
            multiple_of=replicas,
            epoch=epoch,
            skip=skip,
        )

    checkpoint = run_checkpoint(model, control)
    validation = (
        batches(arrays.x_validation, arrays.y_validation) if len(arrays.x_validation) else None
    )
    # Padded evaluation batches (data parallel) are validated exactly, not by fit's own.
    exact_validation = []
    if validation is not None and replicas > 1:
        exact_validation = [ExactValidation(validation, validation_accuracy_key(model))]
        validation = None

    def look():  # the monitors' batch: validation images as they are (normalized, no augmentation)
        held_out = len(arrays.x_validation) > 0
        x = (arrays.x_validation if held_out else arrays.x_train)[: optimization.batch_size]
        y = (arrays.y_validation if held_out else arrays.y_train)[: optimization.batch_size]
        return keras.ops.convert_to_numpy(batches(x, y, outputs=1)[0][0]), y

    callbacks, monitors, pause, best, signal_stop = run_callbacks(
        config,
        look,
        validation_accuracy_key(model),
        checkpoint=checkpoint,
    )

    def train_from(epoch, skip, end):
        train = batches(arrays.x_train, arrays.y_train, training=True, epoch=epoch, skip=skip)
        return train, None, [train.epoch_setter()]

    start = time.time()
    last_loss = fit_from(
        model,
        train_from,
        epoch=checkpoint.epoch,
        batch=checkpoint.batch,
        epochs=optimization.epochs,
        batches_per_epoch=batches(arrays.x_train, arrays.y_train, training=True).batches_per_epoch,
        validation=validation,
        callbacks=[*exact_validation, *callbacks],
        verbose=progress_verbosity(),
    )
    train_seconds = time.time() - start
    if best is not None:
        best.restore()
    history = checkpoint.history
    result = TrainResult(
        config=config,
        history=history,
        metrics=None,
        export_dir=None,
        model=model,
        preprocessing=preprocessing,
        stopped_at_step=None,
        checkpoint_dir=control.checkpoint_dir,
        monitors=monitors,
        pause=pause,
        weights_sha256=weights_digest(model),
        signal_stop=signal_stop,
    )
    why = result.stop_early(last_loss)
    inference = inference_model(model)
    if inference is not model:
        compile_classifier(inference)

    def figures(x, y):
        if replicas > 1:  # padded batches: Keras's figures would count the padding
            return exact_figures(inference, batches(x, y, outputs=1))
        measured = inference.evaluate(batches(x, y, outputs=1), return_dict=True, verbose=0)
        return {k: float(v) for k, v in measured.items()}

    return ArraysFit(
        result=result,
        inference=inference,
        figures=figures,
        train_seconds=train_seconds,
        best_epoch=None if best is None else best.best_epoch,
        stopped=why,
        replicas=replicas,
    )


def save_keras_model(
    model: keras.Model,
    base_dir: Path,
    arrays: ArraySplits,
    preprocessing: Preprocessing,
    facts,
) -> Path:
    """Saves `model` (on normalized inputs) behind its `ImageNormalization` as
    `<base_dir>/<next version>/model.keras`, a model of raw images that carries its
    normalization, with its `metadata.json` (the run's `facts`, the serving facts of `arrays`'
    images and classes); returns the version's directory. The end of a run on Keras's fit, and
    of a search under JAX."""
    serving = ServingFacts.for_images(
        arrays.image_shape, arrays.class_names, preprocessing.to_dict()
    )
    raw_images_model = with_normalization(model, preprocessing, arrays.image_shape)

    def write(directory):
        raw_images_model.save(directory / KERAS_FILE)
        write_metadata(directory, ExportMetadata(run=facts, serving=serving))

    return publish_version(base_dir, write)


def keras_model_saved(directory: Path) -> str:
    """The line that says where a `.keras` version went and how it becomes a SavedModel."""
    return (
        f"Saved {directory / KERAS_FILE} and its metadata.json; for a SavedModel (under "
        f"TensorFlow): classiczoo export {directory / KERAS_FILE}"
    )


def _measure_and_save(fit: ArraysFit, arrays: ArraySplits, held) -> TrainResult:
    result, inference, figures = fit.result, fit.inference, fit.figures
    config = result.config

    def save(facts):
        return save_keras_model(
            inference, config.output.export_dir / config.model.name, arrays,
            result.preprocessing, facts,
        )  # fmt: skip

    end = RunEnd(
        test=figures(arrays.x_test, arrays.y_test) if len(arrays.x_test) else {},
        train_error=lambda: fit.train_error(arrays),
        best_epoch=fit.best_epoch,
        train_seconds=fit.train_seconds,
        dataset=arrays.name,
        splits=arrays.splits,
        hyperparameters={
            "strategy": "DataParallel" if fit.replicas > 1 else "single device",
            "replicas": fit.replicas,
            "loop": "fit",
            "jit_compile": True,  # Keras's JAX trainer compiles its steps with XLA
            "backend": keras.backend.backend(),
        },
        save=save,
        saved=keras_model_saved,
    )
    result = finish_run(result, end, held=held)
    result.model = inference
    return result


__all__ = [
    "KERAS_FILE",
    "ArraysFit",
    "arrays_training_error",
    "check_keras_fit_config",
    "fit_arrays",
    "keras_model_saved",
    "save_keras_model",
    "train_with_keras_fit",
]
