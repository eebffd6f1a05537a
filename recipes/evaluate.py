#!/usr/bin/env python3
"""Evaluate exported SavedModels on a tfds split: a full report with plots.

Example:
    python recipes/evaluate.py saved_models/lenet5_bn          # its newest version
    python recipes/evaluate.py saved_models/lenet5_bn/1 saved_models/vgg11_bn --split test

For each model (loaded with `tf.saved_model.load`, never through the project's model classes):
loss, top-1 and top-5 accuracy, per-class precision / recall / F1, the confusion matrix (text and
PNG), calibration (expected calibration error and a reliability diagram PNG), a grid PNG of the
most confident mistakes and the inference throughput. The JSON report goes beside the model
(`<model dir>/evaluation-<dataset>-<split>.json`, written atomically; nothing else is written
there); the PNGs and the text under `--report-dir` (default `reports/<model>/<version>/`). The
dataset defaults to the one in the export's metadata.json.
"""

from __future__ import annotations

import argparse
import datetime
import re
from pathlib import Path

from components.cli import positive_int


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dirs", nargs="+", type=Path, help="SavedModel or base dirs")
    parser.add_argument("--dataset", help="tfds dataset; default: from the export's metadata")
    parser.add_argument("--split", default="test", help="tfds split, slicing allowed")
    parser.add_argument("--data-dir", help="tfds data dir; default tfds's own")
    parser.add_argument("--batch-size", type=positive_int, default=256)
    parser.add_argument(
        "--report-dir", type=Path, help="PNGs and text; default reports/<model>/<version>"
    )
    parser.add_argument("--mistakes", type=positive_int, default=24, help="images in the grid")
    parser.add_argument("--bins", type=positive_int, default=15, help="calibration bins")
    return parser.parse_args(argv)


def split_tag(dataset: str, split: str) -> str:
    """A file-name-safe tag for a dataset and a split like `train[:10%]`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{dataset}-{split}").strip("_")


def default_report_dir(model_dir: Path) -> Path:
    """`reports/<base name>/<version>` for `saved_models/<base name>/<version>`."""
    if model_dir.name.isdigit():
        return Path("reports") / model_dir.parent.name / model_dir.name
    return Path("reports") / model_dir.name


def evaluate_model(classifier, data, args, *, say=print) -> dict:
    """The report of one loaded classifier on `data.test`; writes the plots and the JSON."""
    from components.evaluation import (
        ConfidentMistakes,
        classification_report,
        format_confusion_matrix,
        format_per_class,
    )
    from components.evaluation_plots import (
        plot_confident_mistakes,
        plot_confusion_matrix,
        plot_reliability_diagram,
    )
    from components.export import write_json_atomic
    from components.training import library_versions

    mistakes = ConfidentMistakes(args.mistakes)
    predictions = classifier.predict_dataset(
        data.test,
        data.num_test,
        args.batch_size,
        on_batch=lambda images, labels, out: mistakes.add(images, labels, out["probabilities"]),
    )
    class_names = classifier.class_names or data.class_names
    report = classification_report(
        predictions["logits"],
        predictions["labels"],
        class_names,
        probabilities=predictions["probabilities"],
        num_bins=args.bins,
    )
    tag = split_tag(data.name, args.split)
    report_dir = args.report_dir or default_report_dir(classifier.path)
    if args.report_dir and len(args.model_dirs) > 1:
        report_dir = report_dir / default_report_dir(classifier.path).relative_to("reports")
    report_dir.mkdir(parents=True, exist_ok=True)
    title = f"{classifier.name} on {data.name} {args.split}"
    plots = {
        "confusion_matrix": plot_confusion_matrix(
            report["confusion_matrix"],
            class_names,
            report_dir / f"{tag}-confusion.png",
            title=title,
        ),
        "reliability": plot_reliability_diagram(
            report["calibration"], report_dir / f"{tag}-reliability.png", title=classifier.name
        ),
        "mistakes": plot_confident_mistakes(
            mistakes.sorted(), class_names, report_dir / f"{tag}-mistakes.png"
        ),
    }
    text = (
        f"{title}\n\n{format_per_class(report)}\n\nConfusion matrix (rows: true class)\n"
        f"{format_confusion_matrix(report['confusion_matrix'], class_names)}\n"
    )
    (report_dir / f"{tag}-report.txt").write_text(text)
    report = {
        "model_dir": str(classifier.path),
        "model": classifier.name,
        "dataset": data.name,
        "split": args.split,
        **report,
        "throughput": {
            "images_per_second": round(predictions["images_per_second"], 1),
            "batch_size": args.batch_size,
            "signature": "serving_uint8",
            "note": "model time per image after the first batch (tracing), this machine",
        },
        "plots": {k: str(v) for k, v in plots.items()},
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "versions": library_versions(),
    }
    report_path = classifier.path / f"evaluation-{tag}.json"
    try:
        write_json_atomic(report_path, report)
    except OSError as err:  # a read-only model directory: keep the report with the plots
        report_path = write_json_atomic(report_dir / f"evaluation-{tag}.json", report)
        say(f"warning: cannot write beside the model ({err}); report in {report_path}")
    top_k = next(k for k in report if k.startswith("top") and k.endswith("_accuracy"))
    say(text)
    say(
        f"{classifier.path}: loss {report['loss']:.4f}, accuracy {report['accuracy']:.4f}, "
        f"{top_k.replace('_', ' ')} {report[top_k]:.4f}, macro F1 {report['macro_f1']:.4f}, "
        f"ECE {report['calibration']['ece']:.4f}, "
        f"{report['throughput']['images_per_second']:.0f} images/s on {report['examples']} "
        f"images of {data.name} {args.split}"
    )
    say(f"Report: {report_path}; plots and text in {report_dir}")
    return {**report, "report_path": str(report_path)}


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(argv)
    import numpy as np

    from components.data import load_image_classification
    from components.serving import SavedClassifier

    # Check every directory before the long work starts.
    classifiers = []
    for model_dir in args.model_dirs:
        try:
            classifiers.append(SavedClassifier(model_dir))
        except (ValueError, OSError) as err:
            raise SystemExit(f"error: {err}") from None

    results = []
    for classifier in classifiers:
        dataset = args.dataset or classifier.metadata.get("dataset")
        if not dataset:
            raise SystemExit(
                f"error: {classifier.path} has no metadata.json naming its dataset: "
                "pass --dataset."
            )
        data = load_image_classification(
            dataset, data_dir=args.data_dir, train_split=args.split, test_split=args.split
        )
        # Fail before the loop, with the expected shape, if the dataset does not fit the model.
        try:
            classifier.check_images(np.zeros((1, *data.image_shape), np.uint8))
        except ValueError as err:
            raise SystemExit(
                f"error: {dataset} images are {list(data.image_shape)}. {err}"
            ) from None
        if classifier.class_names and len(classifier.class_names) != len(data.class_names):
            raise SystemExit(
                f"error: {classifier.path} predicts {len(classifier.class_names)} classes, "
                f"{dataset} has {len(data.class_names)}."
            )
        print(f"Evaluating {classifier.path} on {dataset} {args.split} ({data.num_test} images)")
        results.append(evaluate_model(classifier, data, args))
    return results


if __name__ == "__main__":
    main()
