"""`classiczoo export`: a `.keras` model of a JAX run as the project's SavedModel.

KERAS_BACKEND=jax classiczoo train --model lenet5_bn      # saved_models/lenet5_bn/1/
classiczoo export saved_models/lenet5_bn/1/model.keras     # saved_models/lenet5_bn/<n>/
"""

from __future__ import annotations

import argparse
from pathlib import Path

from components.export.tta import TTA_MODES

DESCRIPTION = (
    "Export a .keras model saved by a run on another Keras backend (JAX) as the SavedModel a "
    "TensorFlow run writes: normalization in the graph, both signatures, the run's metadata."
)


def build_parser(prog: str = "classiczoo export") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    parser.add_argument("keras_path", type=Path, help="model.keras (its metadata.json beside it)")
    parser.add_argument("--export-dir", type=Path, default=Path("saved_models"))
    parser.add_argument(
        "--tta",
        choices=TTA_MODES,
        default="none",
        help="test-time augmentation inside the exported graph (flip: image and mirror)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    from components.export.keras_model import export_keras_model

    export_dir = export_keras_model(args.keras_path, args.export_dir, tta=args.tta)
    print(f"Exported SavedModel: {export_dir}")
    return 0


__all__ = ["DESCRIPTION", "build_parser", "run"]
