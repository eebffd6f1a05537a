"""`classiczoo export`: a run's model as a SavedModel, an ONNX file or a LiteRT file.

classiczoo export saved_models/lenet5_bn/1 --format onnx        # saved_models/lenet5_bn-onnx/<n>/
classiczoo export saved_models/lenet5_bn --format litert        # its highest version
KERAS_BACKEND=jax classiczoo train --model lenet5_bn             # saved_models/lenet5_bn/1/
classiczoo export saved_models/lenet5_bn/1/model.keras          # saved_models/lenet5_bn/<n>/
"""

from __future__ import annotations

import argparse
from pathlib import Path

from components.arg_types import int_in_range, validated
from components.export.formats import FORMATS, ONNX_OPSETS, require_format
from components.export.tta import TTA_MODES

DESCRIPTION = (
    "Export a run's model: a SavedModel (saved_model.pb) converted to ONNX or LiteRT and checked "
    "by that format's runtime, or a .keras file of a run on another backend (JAX) as the "
    "SavedModel a TensorFlow run writes. Each export is the next version of its base directory."
)


def add_format_argument(parser: argparse.ArgumentParser, help: str) -> None:  # noqa: A002
    """`--format` (into `export_format`): a format whose converter is installed, else the
    exact `pip install` (`components.export.formats.require_format`), at parse time."""
    parser.add_argument(
        "--format",
        dest="export_format",
        type=validated(require_format),
        default="saved_model",
        metavar="{" + ",".join(FORMATS) + "}",
        help=help,
    )


def build_parser(prog: str = "classiczoo export") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    parser.add_argument(
        "source",
        type=Path,
        help="a SavedModel directory (a version, or a base: its highest), or model.keras "
        "(its metadata.json beside it)",
    )
    add_format_argument(
        parser, "saved_model (from a .keras), onnx or litert (need classiczoo[onnx] / [litert])"
    )
    parser.add_argument(
        "--opset",
        type=int_in_range(ONNX_OPSETS[0], ONNX_OPSETS[-1]),
        help="ONNX opset (default tf2onnx's, 15)",
    )
    parser.add_argument("--export-dir", type=Path, default=Path("saved_models"))
    parser.add_argument(
        "--tta",
        choices=TTA_MODES,
        default="none",
        help="test-time augmentation inside the exported graph, for a .keras source",
    )
    parser.add_argument(
        "--data-dir", help="tfds data dir of the test images the conversion is checked on"
    )
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuses flags that do not go together, before anything is loaded."""
    if args.opset is not None and args.export_format != "onnx":
        parser.error(f"--opset is ONNX's; --format {args.export_format} takes none.")
    if not args.source.exists():
        parser.error(f"{args.source} does not exist: name a SavedModel directory or model.keras.")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    from components.export.formats import export_format

    exported = export_format(
        args.source,
        args.export_format,
        args.export_dir,
        tta=args.tta,
        opset=args.opset,
        data_dir=args.data_dir,
    )
    label = {"saved_model": "SavedModel", "onnx": "ONNX", "litert": "LiteRT"}[args.export_format]
    print(f"Exported {label}: {exported}")
    return 0


__all__ = ["DESCRIPTION", "add_format_argument", "build_parser", "check_args", "run"]
