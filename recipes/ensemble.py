#!/usr/bin/env python3
"""Ensemble exported classifiers; compare the members and the ensemble; export it as one model.

Example:
    python recipes/ensemble.py saved_models/vgg11_bn saved_models/googlenet --method mean-probs
    python recipes/ensemble.py saved_models/a saved_models/b saved_models/c --method weighted \
        --export
    python recipes/ensemble.py saved_models/a saved_models/b --method weighted --weights 2 1

Methods (see components/ensemble.py): `mean-probs`, `mean-logits`, `weighted` (weights given
with `--weights`, else fitted on the validation split to minimize its cross-entropy; never on the
test split), `vote`. Members are loaded with `tf.saved_model.load` and must agree on the input
and the class names. The validation split defaults to the one the members were trained without
(their metadata's `--val-split`). `--export` writes the ensemble as one SavedModel under
`saved_models/ensemble-<members>/<version>/`, with a single model's serving signatures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.cli import fraction, non_negative_float, positive_int

METHODS = ("mean-probs", "mean-logits", "weighted", "vote")  # components.ensemble.METHODS


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
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
    args = parser.parse_args(argv)
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
    return args


def member_setting(classifiers, key: str, default=None):
    """The members' common `metadata["data"][key]`; SystemExit if they disagree."""
    values = {c.path: (c.metadata.get("data") or {}).get(key, default) for c in classifiers}
    distinct = set(values.values())
    if len(distinct) > 1:
        listing = ", ".join(f"{path}: {value!r}" for path, value in values.items())
        raise SystemExit(
            f"error: the members disagree on their {key} ({listing}); pass "
            f"--{key.replace('_', '-')} to choose one, knowing that a member may then have "
            "trained on those examples."
        )
    return distinct.pop()


def format_table(rows: list[dict]) -> str:
    """Members and ensemble side by side: one row each."""
    header = f"{'model':<34}{'val acc':>9}{'test loss':>11}{'test acc':>10}{'top-5':>8}{'ECE':>8}"
    lines = [header, "-" * len(header)]
    for row in rows:
        val = f"{row['val_accuracy']:.4f}" if row.get("val_accuracy") is not None else "-"
        lines.append(
            f"{row['name'][:33]:<34}{val:>9}{row['loss']:>11.4f}{row['accuracy']:>10.4f}"
            f"{row['top5']:>8.4f}{row['ece']:>8.4f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    import numpy as np

    from components.data import load_image_classification
    from components.ensemble import (
        check_members_agree,
        check_method,
        combine,
        export_ensemble,
        fit_weights,
    )
    from components.evaluation import classification_report, softmax
    from components.serving import SavedClassifier
    from components.training import run_metadata

    try:
        classifiers = [SavedClassifier(d) for d in args.model_dirs]
        check_members_agree(classifiers)
    except (ValueError, OSError) as err:
        raise SystemExit(f"error: {err}") from None
    dataset = args.dataset or classifiers[0].metadata.get("dataset")
    if not dataset:
        raise SystemExit(f"error: {classifiers[0].path} names no dataset: pass --dataset.")
    train_split = args.train_split or member_setting(classifiers, "train_split", "train")
    val_split = args.val_split
    if val_split is None:
        val_split = member_setting(classifiers, "val_split", 0.0)
    if args.method == "weighted" and args.weights is None and not val_split:
        raise SystemExit(
            "error: fitting weights needs a validation split the members did not train on: "
            "their metadata has none; pass --val-split (a fraction of --train-split held out "
            "when they trained) or --weights."
        )
    data = load_image_classification(
        dataset,
        data_dir=args.data_dir,
        train_split=train_split,
        test_split=args.test_split,
        val_split=val_split,
    )
    names = [c.name for c in classifiers]
    splits = {"test": (data.test, data.num_test)}
    if data.validation is not None:
        splits["validation"] = (data.validation, data.num_validation)
    print(
        f"{len(classifiers)} members ({', '.join(names)}) on {dataset}: validation = "
        f"{data.splits['validation'] or 'none'}, test = {args.test_split}."
    )

    logits, labels = {}, {}
    for split, (ds, count) in splits.items():
        outputs = []
        for classifier in classifiers:
            print(f"{classifier.path} on {split} ({count} images)")
            out = classifier.predict_dataset(ds, count, args.batch_size)
            outputs.append(out["logits"])
            if split in labels and not np.array_equal(labels[split], out["labels"]):
                raise SystemExit(f"error: the {split} split was read in a different order.")
            labels[split] = out["labels"]
        logits[split] = np.stack(outputs)  # [members, N, classes]

    weights = None
    if args.method == "weighted":
        if args.weights is not None:
            weights = check_method(args.method, args.weights, len(classifiers))
        else:
            weights = fit_weights(softmax(logits["validation"]), labels["validation"])
            print(
                "Weights fitted on the validation split: "
                + ", ".join(f"{n} {w:.3f}" for n, w in zip(names, weights, strict=True))
            )

    class_names = classifiers[0].class_names

    def report(split, member_logits, method=None):
        if method is None:
            return classification_report(member_logits, labels[split], class_names)
        out = combine(member_logits, method, weights)
        return classification_report(
            out["logits"].numpy(),
            labels[split],
            class_names,
            probabilities=out["probabilities"].numpy(),
        )

    rows = []
    for i, classifier in enumerate(classifiers):
        test = report("test", logits["test"][i])
        val = report("validation", logits["validation"][i]) if "validation" in logits else None
        rows.append(_row(f"{classifier.name} ({classifier.path})", test, val))
    ensemble_test = report("test", logits["test"], args.method)
    ensemble_val = report("validation", logits["validation"], args.method) if val_split else None
    rows.append(_row(f"ensemble {args.method}", ensemble_test, ensemble_val))
    print(format_table(rows))

    result = {"rows": rows, "weights": None if weights is None else weights.tolist()}
    if args.export:
        name = args.name or "ensemble-" + "-".join(names)
        metrics = {
            "test": {k: ensemble_test[k] for k in ("loss", "accuracy", "top5_accuracy")},
            "validation": None
            if ensemble_val is None
            else {k: ensemble_val[k] for k in ("loss", "accuracy")},
        }
        export_dir = export_ensemble(
            classifiers,
            args.export_dir / name,
            method=args.method,
            weights=weights,
            metadata=run_metadata(
                model=name,
                dataset=dataset,
                splits=data.splits,
                train_split=train_split,
                val_split=val_split,
                test_split=args.test_split,
                metrics=metrics,
                command=["python", "recipes/ensemble.py", *argv],
            ),
        )
        # The export must answer as the combination computed here: check on a few test images.
        images, _ = next(data.test.batch(64).as_numpy_iterator())
        exported = SavedClassifier(export_dir).predict(images)
        np.testing.assert_allclose(
            exported["probabilities"],
            combine(logits["test"][:, : len(images)], args.method, weights)["probabilities"],
            atol=1e-5,
            err_msg=f"the exported ensemble {export_dir} disagrees with its members",
        )
        print(f"Exported ensemble SavedModel: {export_dir}")
        result["export_dir"] = str(export_dir)
    return result


def _row(name: str, test: dict, validation: dict | None) -> dict:
    return {
        "name": name,
        "loss": test["loss"],
        "accuracy": test["accuracy"],
        "top5": test.get("top5_accuracy", float("nan")),
        "ece": test["calibration"]["ece"],
        "val_accuracy": None if validation is None else validation["accuracy"],
    }


if __name__ == "__main__":
    main()
