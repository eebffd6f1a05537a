"""`classiczoo evaluate`: the full report of exported SavedModels on a tfds split.

Loss, top-1/top-5 accuracy, per-class precision/recall/F1, confusion matrix (text and PNG),
calibration (ECE and a reliability diagram), the most confident mistakes (PNG), the
inference throughput and, for a run trained with a validation split, bias vs variance against
human-level error; the JSON report beside each model, the pictures in --report-dir.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from components.arg_types import error_rate, positive_int
from components.export.tta import TTA_MODES

DESCRIPTION = (
    "Evaluate exported SavedModels on a tfds split or a folder of images: a full report with "
    "plots."
)


def build_parser(prog: str = "classiczoo evaluate") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    parser.add_argument(
        "model_dirs",
        nargs="+",
        type=Path,
        help="exports: SavedModel, ONNX or LiteRT version dirs (or their files), or base dirs "
        "(their newest version)",
    )
    parser.add_argument("--dataset", help="tfds dataset; default: from the export's metadata")
    parser.add_argument(
        "--split",
        default="test",
        help="tfds split, slicing allowed; with --image-dir it slices the folder as 'train' "
        "(e.g. 'train[90%%:]'; default: all of it)",
    )
    parser.add_argument(
        "--image-dir",
        type=Path,
        help="evaluate on a folder of class folders of images (DIR/<class>/<image>.png, the "
        "export's classes) instead of a tfds dataset",
    )
    parser.add_argument("--data-dir", help="tfds data dir; default tfds's own")
    parser.add_argument("--batch-size", type=positive_int, default=256)
    parser.add_argument(
        "--report-dir", type=Path, help="PNGs and text; default reports/<model>/<version>"
    )
    parser.add_argument("--mistakes", type=positive_int, default=24, help="images in the grid")
    parser.add_argument("--bins", type=positive_int, default=15, help="calibration bins")
    parser.add_argument(
        "--tta",
        choices=TTA_MODES,
        default="none",
        help="test-time augmentation: flip = mean probabilities of each image and its mirror",
    )
    parser.add_argument(
        "--human-error",
        type=error_rate,
        help="human-level error for the bias vs variance section (default: the run's)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    from components.export.evaluation_report import evaluate_exports  # after the flags

    evaluate_exports(
        args.model_dirs,
        dataset=args.dataset,
        split=args.split,
        data_dir=args.data_dir,
        batch_size=args.batch_size,
        report_dir=args.report_dir,
        mistakes=args.mistakes,
        bins=args.bins,
        tta=args.tta,
        human_error=args.human_error,
        image_dir=args.image_dir,
    )
    return 0


__all__ = ["DESCRIPTION", "build_parser", "run"]
