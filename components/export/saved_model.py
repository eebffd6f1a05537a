"""Export a classifier as a SavedModel in TF Serving's layout, with its metadata beside it.

`saved_models/<model>/<version>/` holds `saved_model.pb`, `variables/` and `metadata.json`.
Versions are integers; the next free one is taken and an existing version is never overwritten
(the export is written to a temporary directory next to it and renamed into place).

The serving functions take raw images, `[N, H, W, C]` in 0..255, and do the preprocessing in the
graph, so a user needs only TensorFlow (`tf.saved_model.load`) to run the model:

- `serving_default`: float32 images; `serving_uint8`: uint8 images.
- Both return `probabilities` `[N, classes]`, `class_ids` `[N]` (int64) and `logits`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from components.atomic_files import ensure_free_space
from components.backends import require_tensorflow_backend
from components.data.pipeline import Preprocessing, preprocess_images
from components.export.metadata import (
    INPUT_NAME,
    SIGNATURE_FLOAT,
    SIGNATURE_UINT8,
    ExportMetadata,
    RunFacts,
    ServingFacts,
    write_metadata,
)
from components.export.tta import check_tta, combine_views, tta_views
from components.export.versions import list_versions, publish_version


def resolve_model_dir(path: str | Path) -> Path:
    """A SavedModel dir itself, or a TF Serving base dir (then its highest version).

    Raises:
        ValueError: `path` is neither.
    """
    path = Path(path)
    if (path / "saved_model.pb").is_file():
        return path
    versions = [v for v in list_versions(path) if (path / str(v) / "saved_model.pb").is_file()]
    if versions:
        return path / str(versions[-1])
    raise ValueError(
        f"{path} is not a SavedModel directory (no saved_model.pb) nor a base directory with "
        "integer version subdirectories that hold one, e.g. saved_models/lenet5_bn/1."
    )


def _serving_fn(
    model: keras.Model,
    preprocessing: Preprocessing,
    image_shape,
    tta: str,
    check_values: bool = True,
):
    expected = "[N, " + ", ".join(str(d) for d in image_shape) + "]"
    message = f"expected images of shape {expected} (batch, height, width, channels) in 0..255"

    def serve(images):
        # Signature wrappers do not check shapes themselves; without these the error would
        # come from deep inside the model.
        actual = tf.shape(images)
        first_four = tf.pad(actual, [[0, 4]])[:4]  # comparable whatever the rank
        fits = tf.logical_and(
            tf.equal(tf.size(actual), 4),
            tf.reduce_all(tf.equal(first_four[1:], tf.constant(image_shape))),
        )
        shape_check = tf.debugging.Assert(fits, [message, "received shape", actual], summarize=8)
        # The model must not run on a bad shape (oneDNN aborts the process on some), hence the
        # explicit dependency rather than relying on the assert running at some point.
        with tf.control_dependencies([shape_check]):
            images = tf.identity(images)
        # The value check runs beside the model (another core), not before it: a NaN is no
        # danger to the model, only to its answer, which waits for the check.
        value_checks = []
        if check_values and images.dtype.is_floating:
            # uint8 is in range by its type; floats could be NaN, infinite or outside 0..255,
            # and the model would answer them with plausible probabilities. Two reductions, no
            # temporaries: TensorFlow's min and max propagate NaN, and NaN fails both
            # comparisons (tests place a NaN at the first, a middle and the last element).
            valid = tf.logical_and(tf.reduce_min(images) >= 0.0, tf.reduce_max(images) <= 255.0)
            value_checks.append(
                tf.debugging.Assert(
                    tf.logical_or(tf.equal(tf.size(images), 0), valid),
                    ["images must be finite and in 0..255 (raw pixels)"],
                )
            )

        # A batch of no images is answered, not failed deep in BatchNorm: it runs as one black
        # image whose answer is then dropped. A pad, not a `tf.cond`, so that the graph
        # converts to ONNX and LiteRT (`components.export.formats`: tf2onnx cannot convert a
        # convolution inside a conditional branch); the pad is empty whenever images are given.
        count = tf.shape(images)[0]
        # A slice of one black image, not `tf.pad`: a computed pad hides the image shape from
        # the LiteRT converter, a slice keeps it.
        black = tf.zeros([1, *image_shape], images.dtype)[: tf.maximum(1 - count, 0)]
        padded = tf.concat([images, black], axis=0)
        views = [
            tf.cast(model(preprocess_images(view, preprocessing), training=False), tf.float32)
            for view in tta_views(padded, tta)
        ]
        if len(views) > 1:
            outputs = combine_views(views, tta)
        else:
            logits = views[0]
            outputs = {
                "probabilities": tf.nn.softmax(logits, axis=-1),
                "class_ids": tf.argmax(logits, axis=-1),
                "logits": logits,
            }
        with tf.control_dependencies(value_checks):
            return {name: value[:count] for name, value in outputs.items()}

    return serve


def export_classifier(
    model: keras.Model,
    base_dir: str | Path,
    *,
    image_shape: tuple[int, int, int],
    preprocessing: Preprocessing,
    class_names: list[str],
    run: RunFacts | None = None,
    tta: str = "none",
    check_values: bool = True,
) -> Path:
    """Exports `model` (which outputs logits) as the next version under `base_dir`.

    Args:
        model: a Keras model taking preprocessed images and returning logits.
        base_dir: e.g. `saved_models/lenet5_bn`; versions are created beneath it.
        image_shape: the raw image shape `(H, W, C)` the serving functions accept.
        preprocessing: the preprocessing applied in the graph before `model`.
        class_names: names of the classes, in label order.
        run: what made the model, for `metadata.json` (`components.export.metadata`); None
            writes the serving facts alone.
        tta: test-time augmentation inside the graph (`components.export.tta`): `"flip"`
            answers with the mean probabilities of each image and its mirror, `"flip_shift"`
            with their weighted mean over the mirror and one-pixel shifts; `"none"`.
        check_values: the float signature refuses images that are not finite or not in
            0..255 (an `InvalidArgumentError` saying so); False only to measure its cost.

    Returns:
        The new version directory.

    Example:
    >>> from components.data import Preprocessing
    >>> inputs = keras.Input((28, 28, 1))
    >>> model = keras.Model(inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs)))
    >>> export_classifier(model, "saved_models/tiny", image_shape=(28, 28, 1),
    ...                   preprocessing=Preprocessing(mean=(0.5,), std=(0.25,)),
    ...                   class_names=["cat", "dog"])
    PosixPath('saved_models/tiny/1')
    """
    require_tensorflow_backend(
        "A SavedModel export",
        "save the model as .keras with its metadata (a run does) and `classiczoo export` it "
        "under TensorFlow",
    )
    check_tta(tta)
    num_outputs = model.output_shape[-1]
    if len(class_names) != num_outputs:
        raise ValueError(f"{len(class_names)} class names for a model with {num_outputs} outputs.")
    shape = (None, *image_shape)
    archive = keras.export.ExportArchive()
    archive.track(model)
    serve = _serving_fn(model, preprocessing, tuple(image_shape), tta, check_values)
    # The first endpoint becomes `serving_default` for TF Serving and saved_model_cli.
    archive.add_endpoint(
        SIGNATURE_FLOAT, serve, input_signature=[tf.TensorSpec(shape, tf.float32, INPUT_NAME)]
    )
    archive.add_endpoint(
        SIGNATURE_UINT8, serve, input_signature=[tf.TensorSpec(shape, tf.uint8, INPUT_NAME)]
    )
    metadata = ExportMetadata(
        run=run,
        serving=ServingFacts.for_images(
            image_shape, class_names, preprocessing.to_dict(), tta=tta
        ),
    )
    size = sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in model.weights)
    ensure_free_space(base_dir, size, "SavedModel")

    def write_out(path: Path) -> None:
        try:
            archive.write_out(str(path), verbose=False)
        except tf.errors.ResourceExhaustedError as err:  # TensorFlow's word for ENOSPC
            reason = err.message.split(";")[-1].strip()
            raise OSError(
                f"No space left for the SavedModel under {base_dir} ({reason}): nothing was "
                "exported; free some space and export again."
            ) from None

    return publish_saved_model(base_dir, write_out, metadata)


def publish_saved_model(
    base_dir: str | Path, write_saved_model: Callable[[Path], object], metadata: ExportMetadata
) -> Path:
    """Writes a SavedModel and its metadata.json as the next free version under `base_dir`
    (`components.export.versions.publish_version`: complete or absent, never overwritten).

    Args:
        base_dir: the TF Serving base directory, created if missing.
        write_saved_model: writes a SavedModel at the path it is given.
        metadata: what `metadata.json` says.

    Returns:
        The new version directory.
    """

    def write(directory: Path) -> None:
        write_saved_model(directory)
        write_metadata(directory, metadata)

    return publish_version(base_dir, write)
