#!/usr/bin/env python3
"""The table of docs/RESULTS.md from the exports' metadata.json and evaluation reports.

    python benchmarks/results_table.py [--export-dir saved_models] [--split test]

One row per exported version under --export-dir that has an evaluation report for the split:
budget (epochs, optimizer, augmentation), training time, validation and test accuracy, the test
accuracy with test-time augmentation (`classiczoo evaluate --tta flip`, where its report
exists) and its gain over the plain test accuracy, top-5, macro F1, calibration error and
inference throughput, next to the published Fashion-MNIST result where there is one. The
metadata is read through `components.export.load_metadata`, the one schema every export writes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from components.export import list_versions, load_metadata

# The dataset's own README, "Benchmark" ("submitted benchmarks", not re-verified by its
# authors): https://github.com/zalandoresearch/fashion-mnist#benchmark
PUBLISHED = {"alexnet": 0.899, "vgg16": 0.935, "vgg16_bn": 0.935, "googlenet": 0.937}


def rows(export_dir: Path, dataset: str, split: str) -> list[dict]:
    found = []
    for base in sorted(p for p in export_dir.iterdir() if p.is_dir()):
        for version in list_versions(base):
            path = base / str(version)
            report_path = path / f"evaluation-{dataset}-{split}.json"
            tta_path = path / f"evaluation-{dataset}-{split}-tta_flip.json"
            metadata = load_metadata(path)
            if report_path.is_file() and metadata is not None and metadata.run is not None:
                found.append(
                    {
                        "path": path,
                        "run": metadata.run,
                        "tta_in_graph": metadata.serving.tta,
                        "report": json.loads(report_path.read_text()),
                        "tta": json.loads(tta_path.read_text()) if tta_path.is_file() else None,
                    }
                )
    return found


def format_row(item: dict) -> str:
    run, report = item["run"], item["report"]
    validation = (run.metrics.validation or {}).get("accuracy")
    if run.kind == "ensemble":
        members = ", ".join(m["model"] for m in run.ensemble["members"])
        weights = ", ".join(f"{w:.2f}" for w in run.ensemble["weights"])
        budget = f"{run.ensemble['method']} of {members} (weights {weights})"
        seconds = "-"
    else:
        hyper = run.hyperparameters
        budget = f"{hyper.epochs} ep, {hyper.optimizer} {hyper.learning_rate}, aug {hyper.augment}"
        if hyper.label_smoothing:
            budget += f", ls {hyper.label_smoothing:g}"
        seconds = "-" if run.metrics.train_seconds is None else f"{run.metrics.train_seconds:.0f}"
    if item["tta_in_graph"] != "none":
        budget += f", TTA {item['tta_in_graph']} in the graph"
    tta = "-"
    if item["tta"] is not None:
        gain = item["tta"]["accuracy"] - report["accuracy"]
        tta = f"{item['tta']['accuracy']:.4f} ({gain:+.4f})"
    name = f"{run.model} v{item['path'].name}"
    published = PUBLISHED.get(run.model)
    return (
        f"| {name} | {budget} | {seconds} | "
        f"{'-' if validation is None else f'{validation:.4f}'} | **{report['accuracy']:.4f}** | "
        f"{tta} | "
        f"{report['top5_accuracy']:.4f} | {report['macro_f1']:.4f} | "
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
        "| model | budget | train s | val acc | test acc | TTA test (gain) | top-5 | macro F1 | "
        "ECE | images/s | published |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for item in rows(args.export_dir, args.dataset, args.split):
        print(format_row(item))


if __name__ == "__main__":
    main()
