#!/usr/bin/env python3
"""The table of docs/RESULTS.md from the exports' metadata.json and evaluation reports.

    python benchmarks/results_table.py [--export-dir saved_models] [--split test]

One row per exported version under --export-dir that has an evaluation report for the split:
budget, training time, validation and test accuracy, top-5, macro F1, calibration error and
inference throughput, next to the published Fashion-MNIST result where
there is one (docs/RESULTS.md cites them).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# Fashion-MNIST's README, "submitted benchmarks" (see ../shared/REFERENCE.md).
PUBLISHED = {"alexnet": 0.899, "vgg16": 0.935, "vgg16_bn": 0.935, "googlenet": 0.937}


def rows(export_dir: Path, dataset: str, split: str) -> list[dict]:
    found = []
    for base in sorted(p for p in export_dir.iterdir() if p.is_dir()):
        versions = sorted(int(v.name) for v in base.iterdir() if v.name.isdigit())
        for version in versions:
            path = base / str(version)
            report_path = path / f"evaluation-{dataset}-{split}.json"
            if report_path.is_file():
                metadata = json.loads((path / "metadata.json").read_text())
                found.append(
                    {
                        "path": path,
                        "metadata": metadata,
                        "report": json.loads(report_path.read_text()),
                    }
                )
    return found


def format_row(item: dict) -> str:
    metadata, report = item["metadata"], item["report"]
    metrics = metadata.get("metrics") or {}
    hyper = metadata.get("hyperparameters") or {}
    validation_metrics = metrics.get("validation") or {}
    # A model with auxiliary heads (GoogLeNet) names its main head's metrics after the head.
    validation = validation_metrics.get("accuracy", validation_metrics.get("classifier_accuracy"))
    if "ensemble" in metadata:
        members = ", ".join(m["model"] for m in metadata["ensemble"]["members"])
        weights = ", ".join(f"{w:.2f}" for w in metadata["ensemble"]["weights"])
        budget = f"{metadata['ensemble']['method']} of {members} (weights {weights})"
        seconds = "-"
    else:
        budget = f"{hyper.get('epochs')} ep, {hyper.get('optimizer')} {hyper.get('learning_rate')}"
        seconds = f"{metrics.get('train_seconds', 0):.0f}"
    name = f"{metadata.get('model', item['path'].parent.name)} v{item['path'].name}"
    published = PUBLISHED.get(name.split()[0])
    return (
        f"| {name} | {budget} | {seconds} | "
        f"{'-' if validation is None else f'{validation:.4f}'} | **{report['accuracy']:.4f}** | "
        f"{report.get('top5_accuracy', float('nan')):.4f} | {report['macro_f1']:.4f} | "
        f"{report['calibration']['ece']:.4f} | {report['throughput']['images_per_second']:,.0f} | "
        f"{'-' if published is None else published} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--export-dir", type=Path, default=Path("saved_models"))
    parser.add_argument("--dataset", default="fashion_mnist")
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    print(
        "| model | budget | train s | val acc | test acc | top-5 | macro F1 | ECE | "
        "images/s | published |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for item in rows(args.export_dir, args.dataset, args.split):
        print(format_row(item))


if __name__ == "__main__":
    main()
