"""The converters from this project's SavedModel to ONNX (tf2onnx) and LiteRT (TensorFlow's
TFLite converter): `components.export.formats` publishes and checks what they write.

tf2onnx is the converter Keras's own `model.export(format="onnx")` runs under TensorFlow, and
`tf.lite.TFLiteConverter.from_saved_model` the one its `format="litert"` runs; here they take
the SavedModel's signatures, so the normalization, TTA and an ensemble's rule come along.
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

from components.export.formats import FormatError, check_opset, require_format


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _converter_error(name: str, err: Exception) -> FormatError:
    """A converter's failure, with the ops it named."""
    text = str(err)
    # TFLite's ConverterError lists `tf.Op` names; tf2onnx's handlers name `OP=Type`.
    ops = sorted(set(re.findall(r"\btf\.[A-Z]\w+", text) + re.findall(r"OP=(\w+)", text)))
    named = f" at the ops {', '.join(ops[:8])}" if ops else ""
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(err).__name__)
    return FormatError(
        f"The {name} converter failed on this model{named}: {first[:300]}. A SavedModel "
        "exported by classiczoo before 0.4 answers an empty batch through a conditional branch "
        "that tf2onnx cannot convert: export it again from its run (or its .keras file)."
    )


def convert_saved_model(
    saved_model_dir: str | Path, name: str, target: str | Path, *, opset: int | None = None
) -> dict:
    """Converts the SavedModel at `saved_model_dir` to format `name`, written at `target`.

    Args:
        saved_model_dir: a SavedModel version directory of this project.
        name: `onnx` or `litert`.
        target: the file to write (it must not exist).
        opset: ONNX's opset (None: tf2onnx's default); refused for LiteRT.

    Returns:
        The conversion's facts: format, file, converter and its version, opset.

    Raises:
        FormatError: a format not installed, a bad opset, or a converter failure.
    """
    import tensorflow as tf

    from components.export.metadata import INPUT_NAME, SIGNATURE_FLOAT, SIGNATURE_UINT8

    require_format(name)
    if name == "saved_model":
        raise FormatError("convert_saved_model converts a SavedModel to onnx or litert.")
    if opset is not None and name != "onnx":
        raise FormatError(f"opset is ONNX's; the {name} export takes none.")
    check_opset(opset)
    target = Path(target)
    if target.exists():
        raise FormatError(f"{target} exists: an export never overwrites a file.")
    facts = {"name": name, "file": target.name}
    if name == "onnx":
        import tf2onnx

        loaded = tf.saved_model.load(str(saved_model_dir))
        serving = loaded.signatures[SIGNATURE_FLOAT]
        spec = next(iter(serving.structured_input_signature[1].values()))
        signature = [tf.TensorSpec(spec.shape, tf.float32, INPUT_NAME)]

        @tf.function(input_signature=signature, autograph=False)
        def serve(images):
            return serving(**{INPUT_NAME: images})

        try:
            proto, _ = tf2onnx.convert.from_function(serve, input_signature=signature, opset=opset)
        except Exception as err:  # tf2onnx raises whatever its op handlers raise
            raise _converter_error(name, err) from err
        _name_batch_dimension(proto)
        target.write_bytes(proto.SerializeToString())
        opsets = {entry.domain or "ai.onnx": entry.version for entry in proto.opset_import}
        facts.update(
            converter=f"tf2onnx {_version('tf2onnx')}",
            opset=opsets.get("ai.onnx"),
            runtime=f"onnxruntime {_version('onnxruntime')}",
        )
    else:
        converter = tf.lite.TFLiteConverter.from_saved_model(
            str(saved_model_dir), signature_keys=[SIGNATURE_FLOAT, SIGNATURE_UINT8]
        )
        # Built-in ops only: a file that needs TensorFlow's Flex delegate would not run on
        # the LiteRT interpreter alone, which is the point of the format.
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        try:
            target.write_bytes(converter.convert())
        except Exception as err:  # ConverterError names the ops it could not convert
            raise _converter_error(name, err) from err
        facts.update(
            converter=f"tf.lite.TFLiteConverter (tensorflow {_version('tensorflow')})",
            runtime=f"ai-edge-litert {_version('ai-edge-litert')}",
        )
    return facts


def _name_batch_dimension(proto) -> None:
    """tf2onnx names the dynamic batch dimension `unk__N`; it is the batch."""
    for value in (*proto.graph.input, *proto.graph.output):
        dims = value.type.tensor_type.shape.dim
        if dims and dims[0].dim_param:
            dims[0].dim_param = "batch"


__all__ = ["convert_saved_model"]
