"""`classiczoo ensemble`: compare exported classifiers with their ensemble; export it as one.

Methods (`components.export.ensemble`): `mean-probs`, `mean-logits`, `weighted` (weights given
with --weights, else fitted on the validation split to minimize its cross-entropy; never on the
test split), `vote`. The validation split defaults to the one the members were trained without
(their metadata's `val_split`). --export writes one SavedModel with a single model's signatures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from components.arg_types import fraction, non_negative_float, positive_int
from components.export.combination import METHODS
from components.export.tta import TTA_MODES
from zoo.cli.export import add_format_argument

DESCRIPTION = (
    "Ensemble exported classifiers; compare the members and the ensemble; export it as one model."
)


def build_parser(prog: str = "classiczoo ensemble") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    parser.add_argument("model_dirs", nargs="*", type=Path, help="SavedModel or base dirs")
    parser.add_argument("--method", choices=METHODS, default="mean-probs")
    parser.add_argument(
        "--weights", nargs="+", type=non_negative_float, help="one per member (weighted)"
    )
    parser.add_argument("--dataset", help="tfds dataset; default: the members' metadata")
    parser.add_argument("--test-split", default="test", help="tfds split the metrics are on")
    parser.add_argument(
        "--train-split", help="split the members held validation out of; default: metadata"
    )
    parser.add_argument(
        "--val-split", type=fraction, help="fraction of --train-split for fitting weights"
    )
    parser.add_argument("--data-dir", help="tfds data dir; default tfds's own")
    parser.add_argument("--batch-size", type=positive_int, default=256)
    parser.add_argument("--export", action="store_true", help="export the ensemble SavedModel")
    parser.add_argument("--export-dir", type=Path, default=Path("saved_models"))
    parser.add_argument("--name", help="export base name; default ensemble-<member models>")
    add_format_argument(
        parser,
        "with --export, also the SavedModel converted to onnx or litert, checked by its runtime "
        "(needs classiczoo[onnx] or [litert])",
    )
    parser.add_argument(
        "--tta",
        choices=TTA_MODES,
        default="none",
        help="test-time augmentation of members and ensemble (and in the export's graph)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="TensorFlow's start-up lines and tracebacks"
    )
    return parser


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuses flags that do not go together, before anything is loaded."""
    if len(args.model_dirs) < 2:
        parser.error(
            f"an ensemble needs at least two model directories, got {len(args.model_dirs)}."
        )
    if args.weights is not None:
        if args.method != "weighted":
            parser.error("--weights go with --method weighted.")
        if len(args.weights) != len(args.model_dirs):
            parser.error(
                f"{len(args.weights)} weights for {len(args.model_dirs)} members: give one each."
            )
        if sum(args.weights) <= 0:
            parser.error("--weights must not all be 0.")
    if args.export_format != "saved_model" and not args.export:
        parser.error(f"--format {args.export_format} goes with --export.")


def run(parser: argparse.ArgumentParser, args: argparse.Namespace, command: list[str]) -> int:
    from components.export.ensemble_comparison import compare_ensemble  # after the flags

    compare_ensemble(
        args.model_dirs,
        method=args.method,
        weights=args.weights,
        dataset=args.dataset,
        test_split=args.test_split,
        train_split=args.train_split,
        val_split=args.val_split,
        data_dir=args.data_dir,
        batch_size=args.batch_size,
        export=args.export,
        export_dir=args.export_dir,
        name=args.name,
        command=tuple(command),
        tta=args.tta,
        export_format=args.export_format,
    )
    return 0


__all__ = ["DESCRIPTION", "build_parser", "check_args", "run"]
