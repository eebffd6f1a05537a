"""Exports beyond TensorFlow: the SavedModel converted to ONNX and LiteRT, checked by runtimes.

The SavedModel (`components.export.saved_model`, `components.export.ensemble`) is the one
place where the serving graph is built: raw images in 0..255, the normalization, test-time
augmentation and an ensemble's rule inside, `probabilities`, `class_ids` and `logits` out.
The other formats are that graph converted, so they keep all of it:

- `onnx`: `model.onnx`, converted by tf2onnx (the converter Keras's own
  `model.export(format="onnx")` uses under TensorFlow) from the `serving_default` signature:
  one float32 input `images` `[batch, H, W, C]` (ONNX inputs have one type: cast uint8 images
  to float32), the three outputs by name, a dynamic batch. Run by ONNX Runtime.
- `litert`: `model.tflite`, converted by `tf.lite.TFLiteConverter` (what Keras's
  `format="litert"` runs) with both signatures, `serving_default` (float32) and
  `serving_uint8`, TFLite's built-in ops only (no Flex delegate needed). Run by the LiteRT
  interpreter (`ai-edge-litert`).

What they do not keep: the SavedModel's refusal of float images outside 0..255 or not finite
(a `tf.debugging.Assert`, which the converters drop): they answer such images as they are.

Each converted file is checked at export by its own runtime against the SavedModel's
probabilities on real test images of the run's dataset where it is prepared here (else on
seeded random images, and the metadata says which): the largest absolute difference must be at
most `TOLERANCE`. The file goes with a `metadata.json` (the SavedModel's, with a `format`
entry: converter and runtime versions, opset, the check) into the next free version of
`<export_dir>/<name>-<format>/`, never overwriting one.

The converters are optional dependencies: `pip install 'classiczoo[onnx]'` and
`'classiczoo[litert]'`; without them the export is refused with that command, before any slow
work.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import tempfile
from pathlib import Path

import numpy as np

FORMATS = ("saved_model", "onnx", "litert")
# The file each converted format writes into its version directory.
FORMAT_FILES = {"onnx": "model.onnx", "litert": "model.tflite"}
# The modules each format needs, and the distributions they come from.
FORMAT_MODULES = {
    "onnx": {"tf2onnx": "tf2onnx", "onnx": "onnx", "onnxruntime": "onnxruntime"},
    "litert": {"ai_edge_litert": "ai-edge-litert"},
}
# The opsets tf2onnx 1.17 converts to and ONNX Runtime runs; tf2onnx's default is 15.
ONNX_OPSETS = range(13, 19)
# The largest absolute difference of probabilities allowed between a converted file and its
# SavedModel (float32 through the same graph: measured differences are near 1e-7).
TOLERANCE = 1e-4
CHECK_IMAGES = 256


class FormatError(ValueError):
    """A format, opset or source that cannot be exported, with what would work instead."""


def check_format(name: str) -> str:
    """`name` if it is one of `FORMATS`, else a `FormatError` naming them."""
    if name not in FORMATS:
        raise FormatError(f"Unknown export format {name!r}; valid: {', '.join(FORMATS)}.")
    return name


def require_format(name: str) -> str:
    """`name` if it is a format whose converter and runtime are installed, else a
    `FormatError` with the exact `pip install` to run. Cheap: nothing is imported.

    Example:
    >>> require_format("saved_model")
    'saved_model'
    """
    check_format(name)
    missing = [
        distribution
        for module, distribution in FORMAT_MODULES.get(name, {}).items()
        if importlib.util.find_spec(module) is None
    ]
    if missing:
        raise FormatError(
            f"The {name} export needs {', '.join(missing)}, which "
            f"{'is' if len(missing) == 1 else 'are'} not installed: "
            f"pip install 'classiczoo[{name}]'"
        )
    return name


def check_opset(opset: int | None) -> int | None:
    """`opset` if tf2onnx converts to it (None: its default), else a `FormatError`."""
    if opset is None:
        return None
    if isinstance(opset, bool) or not isinstance(opset, int) or opset not in ONNX_OPSETS:
        raise FormatError(
            f"ONNX opset {opset!r} is not supported; valid: {ONNX_OPSETS[0]}.."
            f"{ONNX_OPSETS[-1]} (tf2onnx's default 15)."
        )
    return opset


def check_images_for(metadata, image_shape, data_dir=None) -> tuple[np.ndarray, str]:
    """Images to check a converted file on: the first `CHECK_IMAGES` test images of the run's
    dataset where it is prepared here, else seeded random uint8 images; and which they are."""
    from components.data.tfds_loading import ensure_prepared

    dataset = metadata.run.dataset if metadata is not None and metadata.run else None
    if dataset:
        split = f"test[:{CHECK_IMAGES}]"
        try:
            builder = ensure_prepared(dataset, data_dir, download=False)
            images = np.stack(
                [
                    image
                    for image, _ in builder.as_dataset(
                        split=split, as_supervised=True
                    ).as_numpy_iterator()
                ]
            )
            if tuple(images.shape[1:]) == tuple(image_shape):
                return images, f"{dataset} {split}"
        except Exception:  # not prepared, no test split, other shapes: random images then
            pass
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (CHECK_IMAGES, *image_shape), dtype=np.uint8)
    return images, f"{CHECK_IMAGES} random images (seed 0)"


def compare_with_saved_model(
    classifier, saved_model_dir: str | Path, images: np.ndarray, batch_size: int = 64
) -> float:
    """The largest absolute difference between `classifier`'s probabilities and the
    SavedModel's on `images` (uint8 and float32 both, each through its own signature where
    the format has one)."""
    from components.export.serving import SavedClassifier

    reference = SavedClassifier(saved_model_dir)
    worst = 0.0
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size]
        for typed in (batch, batch.astype(np.float32)):
            got = classifier.predict(typed)["probabilities"]
            want = reference.predict(typed)["probabilities"]
            worst = max(worst, float(np.max(np.abs(got - want))))
    return worst


def _source_saved_model(source: Path, scratch: Path, tta: str) -> tuple[Path, str | None]:
    """The SavedModel version directory to convert from, and the `.keras` file it was made
    from (None for a SavedModel source)."""
    from components.export.keras_model import export_keras_model, keras_file
    from components.export.saved_model import resolve_model_dir

    keras_path = keras_file(source)
    if keras_path is not None:
        return export_keras_model(keras_path, scratch, tta=tta), str(keras_path)
    try:
        directory = resolve_model_dir(source)
    except ValueError:
        raise FormatError(
            f"{source} is neither a .keras file of a run (with its metadata.json) nor a "
            "SavedModel directory of this project (saved_model.pb with metadata.json)."
        ) from None
    if tta != "none":
        raise FormatError(
            f"--tta {tta} applies to a .keras source; the SavedModel {directory} has its TTA "
            "fixed at its export: export it again with the TTA wanted, then convert it."
        )
    return directory, None


def export_format(
    source: str | Path,
    name: str,
    export_dir: str | Path = "saved_models",
    *,
    tta: str = "none",
    opset: int | None = None,
    data_dir: str | Path | None = None,
    base_name: str | None = None,
) -> Path:
    """Exports `source` in format `name` as the next version of `<export_dir>/<model>-<name>`
    (`<export_dir>/<model>` for a SavedModel), checked by the format's runtime.

    Args:
        source: a run's `.keras` file (or its version directory), or a SavedModel directory
            (a version, or a base directory: its highest version).
        name: one of `FORMATS`.
        export_dir: where the base directories of exports are.
        tta: test-time augmentation inside the graph, for a `.keras` source.
        opset: ONNX's opset (None: tf2onnx's default).
        data_dir: the tfds data dir of the check's test images.
        base_name: the base directory's name (default: the model's, or the source's base).

    Returns:
        The new version directory (`model.onnx` or `model.tflite`, and `metadata.json`).

    Raises:
        FormatError: a format not installed, a bad opset, a source that is no model, a
            converter failure, or a converted file whose answers differ from the SavedModel's
            by more than `TOLERANCE`.

    Example:
    >>> export_format("saved_models/lenet5_bn/1", "onnx")  # doctest: +SKIP
    PosixPath('saved_models/lenet5_bn-onnx/1')
    """
    from components.export.metadata import ExportMetadata, load_metadata, write_metadata
    from components.export.versions import publish_version

    require_format(name)
    check_opset(opset)
    source = Path(source)
    if not source.exists():
        raise FormatError(f"{source} does not exist: name a .keras file or a SavedModel.")
    export_dir = Path(export_dir)
    if export_dir.exists() and not export_dir.is_dir():
        raise FormatError(f"--export-dir {export_dir} is a file, not a directory.")
    if name == "saved_model":
        from components.export.keras_model import export_keras_model, keras_file

        if keras_file(source) is None:
            raise FormatError(
                f"{source} is no .keras file of a run: --format saved_model exports one (a "
                "SavedModel needs no converting)."
            )
        return export_keras_model(source, export_dir, tta=tta)
    scratch = Path(tempfile.mkdtemp(prefix="classiczoo-export-"))
    try:
        saved_model, keras_path = _source_saved_model(source, scratch, tta)
        metadata = load_metadata(saved_model)
        if metadata is None:
            raise FormatError(
                f"{saved_model} has no metadata.json: the converted file's metadata (classes, "
                "normalization) comes from it. Export the model again from its run."
            )
        model = base_name or (
            metadata.run.model if metadata.run is not None else saved_model.parent.name
        )
        image_shape = tuple(metadata.serving.input["shape"][1:])
        images, described = check_images_for(metadata, image_shape, data_dir)

        def write(directory: Path) -> None:
            from components.export.converters import convert_saved_model

            facts = convert_saved_model(
                saved_model, name, directory / FORMAT_FILES[name], opset=opset
            )
            from components.export.runtimes import load_format

            converted = load_format(directory / FORMAT_FILES[name])
            difference = compare_with_saved_model(converted, saved_model, images)
            if not difference <= TOLERANCE:
                raise FormatError(
                    f"The {name} file's probabilities differ from the SavedModel's by "
                    f"{difference:.3g} on {described} (allowed {TOLERANCE:g}): not exported."
                )
            facts.update(
                source=keras_path or str(saved_model),
                check={
                    "images": described,
                    "max_abs_difference": difference,
                    "tolerance": TOLERANCE,
                },
            )
            serving = _serving_facts(metadata, name, facts)
            write_metadata(directory, ExportMetadata(run=metadata.run, serving=serving))

        return publish_version(export_dir / f"{model}-{name}", write)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _serving_facts(metadata, name: str, facts: dict):
    from components.export.metadata import SIGNATURE_FLOAT, SIGNATURE_UINT8

    serving = metadata.serving
    if name == "onnx":  # one graph, one input type
        signatures, dtypes = {}, ["float32"]
    else:
        signatures = {SIGNATURE_FLOAT: "float32", SIGNATURE_UINT8: "uint8"}
        dtypes = ["float32", "uint8"]
    return dataclasses.replace(
        serving, input={**serving.input, "dtypes": dtypes}, signatures=signatures, format=facts
    )


__all__ = [
    "CHECK_IMAGES",
    "FORMATS",
    "FORMAT_FILES",
    "ONNX_OPSETS",
    "TOLERANCE",
    "FormatError",
    "check_format",
    "check_opset",
    "compare_with_saved_model",
    "export_format",
    "require_format",
]
