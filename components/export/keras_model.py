"""The `.keras` form of a run's model: saved by a run off TensorFlow, exported as a SavedModel.

A run under JAX (`components.training.run`) saves `model.keras` (its model of raw images: the
normalization layer, then the main head) and `metadata.json` in a version directory
(`save_keras_model`). Under TensorFlow, Keras loads the same file (its weights are
backend-neutral) and `export_classifier` writes what a TensorFlow run writes: the
normalization in the graph, both signatures, TTA if asked, and the run's metadata with
`serving` made anew. `classiczoo export` is `export_keras_model`.
"""

from __future__ import annotations

import importlib
import json
import zipfile
from pathlib import Path

import keras

from components.backends import require_tensorflow_backend
from components.data.preprocessing import Preprocessing
from components.export.metadata import (
    ExportMetadata,
    MetadataError,
    RunFacts,
    ServingFacts,
    load_metadata,
    write_metadata,
)
from components.export.versions import publish_version
from components.layers.image_normalization import split_normalization, with_normalization

KERAS_FILE = "model.keras"


def save_keras_model(
    model: keras.Model,
    base_dir: Path,
    *,
    image_shape: tuple[int, int, int],
    class_names: list[str],
    preprocessing: Preprocessing,
    run: RunFacts,
) -> Path:
    """Saves `model` (on normalized inputs) behind its `ImageNormalization` as
    `<base_dir>/<next version>/model.keras`, a model of raw images that carries its
    normalization, with its `metadata.json` (the `run`'s facts, the serving facts of the
    images and classes); returns the version's directory. The end of a run off TensorFlow,
    and of a search there; its arguments are `export_classifier`'s (less TTA).
    """
    serving = ServingFacts.for_images(image_shape, class_names, preprocessing.to_dict())
    raw_images_model = with_normalization(model, preprocessing, image_shape)

    def write(directory):
        raw_images_model.save(directory / KERAS_FILE)
        write_metadata(directory, ExportMetadata(run=run, serving=serving))

    return publish_version(base_dir, write)


def keras_model_saved(directory: Path) -> str:
    """The line that says where a `.keras` version went and how it becomes a SavedModel."""
    return (
        f"Saved {directory / KERAS_FILE} and its metadata.json; for a SavedModel (under "
        f"TensorFlow): classiczoo export {directory / KERAS_FILE}"
    )


def keras_file(path: str | Path) -> Path | None:
    """The `.keras` file `path` names (itself, or a directory's `model.keras`), or None."""
    path = Path(path)
    if path.is_dir():
        path = path / KERAS_FILE
    return path if path.suffix == ".keras" and path.is_file() else None


def unknown_classes(path: str | Path) -> list[str]:
    """The registered names of the classes in a `.keras` file's config that are neither
    Keras's own nor registered in this process (`module>Name`, sorted); [] for a file whose
    config cannot be read (Keras's loading then says what is wrong)."""
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return []
    known = keras.saving.get_custom_objects()
    unknown = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            module = node.get("module")
            name = node.get("registered_name") or node.get("class_name")
            if (
                isinstance(module, str)
                and isinstance(name, str)
                and not module.startswith("keras")
                and name not in known
            ):
                unknown.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return sorted(unknown)


def export_keras_model(
    keras_path: str | Path,
    export_dir: str | Path = "saved_models",
    *,
    tta: str = "none",
) -> Path:
    """Exports `keras_path` (with its `metadata.json` beside it) as the next SavedModel version
    under `<export_dir>/<model>`; returns that version's directory.

    Args:
        keras_path: a `model.keras` saved by a run (or its version directory).
        export_dir: the base of the exports.
        tta: test-time augmentation in the exported graph (`none`, `flip`, `flip_shift`).

    Raises:
        ValueError: not a `.keras` file, no metadata beside it, or a backend other than
            TensorFlow (a SavedModel is TensorFlow's format).

    Example:
    >>> export_keras_model("saved_models/lenet5_bn/1/model.keras")  # doctest: +SKIP
    PosixPath('saved_models/lenet5_bn/2')
    """
    from components.export.saved_model import export_classifier  # TensorFlow's

    require_tensorflow_backend(
        "A SavedModel export", "run KERAS_BACKEND=tensorflow classiczoo export ..."
    )
    path = keras_file(keras_path)
    if path is None:
        raise ValueError(
            f"{keras_path} is not a .keras file (nor a directory holding model.keras)."
        )
    metadata = load_metadata(path.parent)
    if metadata is None or metadata.run is None or metadata.serving.preprocessing is None:
        raise MetadataError(
            f"{path.parent} has no metadata.json of a run beside {path.name}: the export needs "
            "its normalization, classes and image shape (the run saves them together)."
        )
    # The file names the project's registered classes (layers, loss, metric, schedule): their
    # modules register them when imported.
    for module in ("layers", "losses", "metrics", "schedules", "initializers"):
        importlib.import_module(f"components.{module}")
    importlib.import_module("components.optimizers.adam_no_bias_correction")  # lazy package
    unknown = unknown_classes(path)
    if unknown:
        raise ValueError(
            f"{path} uses classes Keras does not know in this process: {', '.join(unknown)}. "
            "A run's .keras file holds only the zoo's and components' layers; import the "
            "modules that register the others (keras.saving.register_keras_serializable) first."
        )
    try:
        model = keras.saving.load_model(path)
    except Exception as err:  # a damaged zip (ValueError, BadZipFile), bad weights, ...
        first_line = next((line for line in str(err).splitlines() if line.strip()), "")
        raise ValueError(
            f"Keras cannot load {path} ({type(err).__name__}: {first_line[:300]}): a damaged "
            "file? Export it again from its run."
        ) from None
    serving = metadata.serving
    preprocessing = Preprocessing.from_dict(serving.preprocessing)
    # A run's .keras carries its normalization as its first layer (older ones do not): the
    # SavedModel's graph applies it to the model behind it, checked against the metadata's.
    model, carried = split_normalization(model)
    if carried is not None and carried != preprocessing:
        raise MetadataError(
            f"{path}'s normalization {carried} is not its metadata.json's {preprocessing}: "
            "the file and its metadata come from different runs."
        )
    return export_classifier(
        model,
        Path(export_dir) / metadata.run.model,
        image_shape=tuple(serving.input["shape"][1:]),
        preprocessing=preprocessing,
        class_names=list(serving.class_names),
        run=metadata.run,
        tta=tta,
    )


__all__ = [
    "KERAS_FILE",
    "export_keras_model",
    "keras_file",
    "keras_model_saved",
    "save_keras_model",
    "unknown_classes",
]
