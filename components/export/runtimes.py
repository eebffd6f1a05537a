"""ONNX and LiteRT exports run by their own runtimes, as `ExportedClassifier`s.

`components.export.formats` writes them; here ONNX Runtime (`onnxruntime.InferenceSession`)
and the LiteRT interpreter (`ai_edge_litert.interpreter.Interpreter`) answer them, so that
`classiczoo evaluate`, the export's own check and the tests measure what a user of the file
gets, not what TensorFlow computes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from components.console import captured_stderr_lines
from components.export.formats import FORMAT_FILES, FormatError, require_format
from components.export.metadata import SIGNATURE_FLOAT, SIGNATURE_UINT8, load_metadata
from components.export.serving import ExportedClassifier
from components.export.versions import list_versions

OUTPUTS = ("probabilities", "class_ids", "logits")


def find_format_file(path: str | Path) -> Path | None:
    """The ONNX or LiteRT file `path` names: the file, its version directory, or a base
    directory whose highest version holds one; None for anything else (e.g. a SavedModel).

    Example:
    >>> find_format_file("saved_models/lenet5_bn-onnx")  # doctest: +SKIP
    PosixPath('saved_models/lenet5_bn-onnx/1/model.onnx')
    """
    path = Path(path)
    files = set(FORMAT_FILES.values())
    if path.is_file():
        return path if path.suffix in {Path(f).suffix for f in files} else None
    if not path.is_dir():
        return None
    directories = [path]
    versions = list_versions(path)
    if versions:
        directories.insert(0, path / str(versions[-1]))
    for directory in directories:
        for name in files:
            if (directory / name).is_file():
                return directory / name
    return None


def load_format(path: str | Path) -> ExportedClassifier:
    """The `.onnx` or `.tflite` file at `path` in its runtime.

    Raises:
        FormatError: another suffix, its runtime not installed, or a file it cannot load.
    """
    path = Path(path)
    kinds = {".onnx": OnnxClassifier, ".tflite": LiteRTClassifier}
    if path.suffix not in kinds:
        raise FormatError(f"{path} is neither an .onnx nor a .tflite file.")
    return kinds[path.suffix](path)


def _damaged(path: Path, runtime: str, err: Exception) -> FormatError:
    first = next((line for line in str(err).splitlines() if line.strip()), type(err).__name__)
    return FormatError(
        f"{path} cannot be loaded by {runtime} ({first[:200]}): a damaged or foreign file. "
        "Export it again (`classiczoo export SOURCE --format ...`)."
    )


class OnnxClassifier(ExportedClassifier):
    """An ONNX export run by ONNX Runtime on the CPU.

    Args:
        path: its `model.onnx` (`metadata.json` beside it).

    Example:
    >>> OnnxClassifier("saved_models/lenet5_bn-onnx/1/model.onnx")  # doctest: +SKIP
    """

    format = "onnx"

    def __init__(self, path: str | Path):
        require_format("onnx")
        import onnxruntime

        self.file = Path(path)
        self.path = self.file.parent
        self.metadata = load_metadata(self.path)
        try:
            self.session = onnxruntime.InferenceSession(
                str(self.file), providers=["CPUExecutionProvider"]
            )
        except Exception as err:  # onnxruntime's own exception types
            raise _damaged(self.file, "ONNX Runtime", err) from None
        inputs = self.session.get_inputs()
        if len(inputs) != 1:
            raise FormatError(f"{self.file} takes {len(inputs)} inputs; a classifier takes one.")
        self.input_name = inputs[0].name
        self.input_shape = tuple(d if isinstance(d, int) else None for d in inputs[0].shape)
        self.input_dtype = "float32"
        self.output_names = [output.name for output in self.session.get_outputs()]
        missing = set(OUTPUTS) - set(self.output_names)
        if missing:
            raise FormatError(f"{self.file} lacks the outputs {sorted(missing)}.")

    def _call(self, images) -> dict:
        images = np.asarray(images, np.float32)  # ONNX's one input type
        answers = self.session.run(list(OUTPUTS), {self.input_name: images})
        return dict(zip(OUTPUTS, answers, strict=True))


class LiteRTClassifier(ExportedClassifier):
    """A LiteRT (TFLite) export run by the LiteRT interpreter, through its signatures:
    `serving_uint8` for uint8 images, `serving_default` for the others.

    Args:
        path: its `model.tflite` (`metadata.json` beside it).

    Example:
    >>> LiteRTClassifier("saved_models/lenet5_bn-litert/1/model.tflite")  # doctest: +SKIP
    """

    format = "litert"

    def __init__(self, path: str | Path):
        require_format("litert")
        from ai_edge_litert.interpreter import Interpreter

        self.file = Path(path)
        self.path = self.file.parent
        self.metadata = load_metadata(self.path)
        # The interpreter announces its XNNPACK delegate on stderr at every load.
        with captured_stderr_lines(keep=lambda line: "XNNPACK delegate" not in line):
            try:
                self.interpreter = Interpreter(model_path=str(self.file))
                self.interpreter.allocate_tensors()  # where the delegate is announced
                signatures = self.interpreter.get_signature_list()
                self.runners = {
                    name: self.interpreter.get_signature_runner(name) for name in signatures
                }
            except Exception as err:  # ValueError for a file that is no flatbuffer
                raise _damaged(self.file, "the LiteRT interpreter", err) from None
        if SIGNATURE_FLOAT not in signatures:
            raise FormatError(
                f"{self.file} has no {SIGNATURE_FLOAT!r} signature; it has {sorted(signatures)}."
            )
        details = self.runners[SIGNATURE_FLOAT].get_input_details()
        self.input_name, spec = next(iter(details.items()))
        shape = [int(d) for d in spec["shape_signature"]]
        self.input_shape = tuple(None if d < 0 else d for d in shape)
        self.input_dtype = "float32"
        self.output_names = sorted(signatures[SIGNATURE_FLOAT]["outputs"])

    def _call(self, images) -> dict:
        images = np.asarray(images)
        if images.dtype == np.uint8 and SIGNATURE_UINT8 in self.runners:
            return self.runners[SIGNATURE_UINT8](**{self.input_name: images})
        images = images.astype(np.float32)
        return self.runners[SIGNATURE_FLOAT](**{self.input_name: images})


__all__ = ["LiteRTClassifier", "OnnxClassifier", "find_format_file", "load_format"]
