"""Members and their ensemble side by side on a dataset, and the ensemble's export:
`classiczoo ensemble`.

The validation split is the one the members were trained without (their metadata's
`train_split` and `val_split`); `weighted` fits its weights there, never on the test split.
The rules and the one-SavedModel export are `components.export.ensemble`'s.
"""

from __future__ import annotations

import dataclasses
import shlex
from pathlib import Path

import numpy as np

from components.data.tfds_loading import load_image_classification
from components.export.combination import check_method, combine
from components.export.ensemble import check_members_agree, export_ensemble, fit_weights
from components.export.evaluation import classification_report
from components.export.formats import export_format as export_format_of
from components.export.formats import require_format
from components.export.metadata import DataSplits, Metrics
from components.export.serving import SavedClassifier
from components.export.tta import VIEWS, check_tta, combine_views


@dataclasses.dataclass
class EnsembleComparison:
    """What `compare_ensemble` measured.

    Args:
        rows: one per member, then the ensemble: `name`, `loss`, `accuracy`, `top5`, `ece` (on
            the test split) and `val_accuracy` (None without a validation split).
        weights: the weights used (given or fitted), or None for unweighted rules.
        export_dir: the exported ensemble, or None.
    """

    rows: list[dict]
    weights: list[float] | None
    export_dir: Path | None = None


def member_setting(classifiers, key: str):
    """The members' common `data.<key>` from their metadata; a ValueError if they disagree.

    Args:
        classifiers: `SavedClassifier`s.
        key: `"train_split"` or `"val_split"`.
    """
    values = {}
    for classifier in classifiers:
        run = classifier.metadata.run if classifier.metadata is not None else None
        values[classifier.path] = None if run is None else getattr(run.data, key)
    distinct = set(values.values())
    if len(distinct) > 1:
        listing = ", ".join(f"{path}: {value!r}" for path, value in values.items())
        raise ValueError(
            f"the members disagree on their {key} ({listing}); pass "
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


def _view_logits(classifiers, split, images, count, batch_size, tta):
    """`[views, members, N, classes]` logits of a split (the views of `VIEWS[tta]`, in its
    order), and its labels."""
    logits, labels = [], None
    for view in VIEWS[tta]:
        shown = images.map(lambda x, y, view=view: (view.apply(x), y))  # unbatched [H, W, C]
        seen = "" if view.name == "as is" else f" ({view.name})"
        outputs = []
        for classifier in classifiers:
            print(f"{classifier.path} on {split}{seen} ({count} images)")
            out = classifier.predict_dataset(shown, count, batch_size)
            if labels is not None and not np.array_equal(labels, out["labels"]):
                raise ValueError(f"the {split} split was read in a different order.")
            labels = out["labels"]
            outputs.append(out["logits"])
        logits.append(np.stack(outputs))
    return np.stack(logits), labels


def _row(name: str, test: dict, validation: dict | None) -> dict:
    return {
        "name": name,
        "loss": test["loss"],
        "accuracy": test["accuracy"],
        "top5": test.get("top5_accuracy", float("nan")),
        "ece": test["calibration"]["ece"],
        "val_accuracy": None if validation is None else validation["accuracy"],
    }


def compare_ensemble(
    model_dirs,
    *,
    method: str = "mean-probs",
    weights=None,
    dataset: str | None = None,
    test_split: str = "test",
    train_split: str | None = None,
    val_split: float | None = None,
    data_dir: str | Path | None = None,
    batch_size: int = 256,
    export: bool = False,
    export_dir: str | Path = "saved_models",
    name: str | None = None,
    command: tuple[str, ...] | None = None,
    tta: str = "none",
    export_format: str = "saved_model",
) -> EnsembleComparison:
    """Scores each member and the ensemble on the test (and validation) split; exports it.

    Args:
        model_dirs: two or more SavedModel (or base) directories.
        method: one of `components.export.ensemble.METHODS`.
        weights: one per member for `weighted` (None: fitted on the validation split).
        dataset: the tfds dataset (None: the members' metadata).
        test_split: the split the metrics are on.
        train_split, val_split: the split the members held validation out of (None: their
            metadata's).
        data_dir: the tfds data dir.
        batch_size: images per call.
        export: write the ensemble as one SavedModel under
            `<export_dir>/<name or ensemble-<member models>>/<version>`.
        command: the command line, for the export's metadata.
        tta: test-time augmentation (`"flip"`, `"flip_shift"`): every member and the
            ensemble answer with the (weighted) mean probabilities over the views of each
            image, the ensemble's rule applied per view; an export has it in its graph.
        export_format: `saved_model`, or also `onnx` or `litert`: the exported SavedModel
            converted and checked by the format's runtime (`components.export.formats`).

    Raises:
        ValueError: fewer than two members, members that disagree on input, classes or
            splits, no validation split to fit weights on, no dataset known.
    """
    check_tta(tta)
    require_format(export_format)
    classifiers = [SavedClassifier(d) for d in model_dirs]
    check_members_agree(classifiers)
    check_method(method, weights, len(classifiers))
    first_run = classifiers[0].metadata.run if classifiers[0].metadata is not None else None
    dataset = dataset or (first_run.dataset if first_run is not None else None)
    if not dataset:
        raise ValueError(f"{classifiers[0].path} names no dataset: pass a dataset.")
    train_split = train_split or member_setting(classifiers, "train_split") or "train"
    if val_split is None:
        val_split = member_setting(classifiers, "val_split") or 0.0
    if method == "weighted" and weights is None and not val_split:
        raise ValueError(
            "fitting weights needs a validation split the members did not train on: their "
            "metadata has none; pass --val-split (a fraction of --train-split held out when "
            "they trained) or --weights."
        )
    data = load_image_classification(
        dataset,
        data_dir=data_dir,
        train_split=train_split,
        test_split=test_split,
        val_split=val_split,
        download=False,  # never downloads: an ensemble reads what is here
    )
    names = [c.name for c in classifiers]
    splits = {"test": (data.test, data.num_test)}
    if data.validation is not None:
        splits["validation"] = (data.validation, data.num_validation)
    print(
        f"{len(classifiers)} members ({', '.join(names)}) on {dataset}: validation = "
        f"{data.splits['validation'] or 'none'}, test = {test_split}."
    )
    logits, labels = {}, {}
    for split, (images, count) in splits.items():
        logits[split], labels[split] = _view_logits(
            classifiers, split, images, count, batch_size, tta
        )

    def members_answer(member_logits):  # [views, N, K] -> one member's (TTA) answer
        return combine_views(list(member_logits), tta)

    def ensemble_answer(view_logits, weights):  # [views, members, N, K]: the rule per view
        per_view = [combine(v, method, weights) for v in view_logits]
        if len(per_view) == 1:
            return per_view[0]
        return combine_views([answer["logits"] for answer in per_view], tta)

    if method == "weighted":
        if weights is not None:
            weights = check_method(method, weights, len(classifiers))
        else:
            validation = logits["validation"]
            probabilities = np.stack(
                [members_answer(validation[:, i])["probabilities"].numpy()
                 for i in range(len(classifiers))]
            )  # fmt: skip
            weights = fit_weights(probabilities, labels["validation"])
            print(
                "Weights fitted on the validation split: "
                + ", ".join(f"{n} {w:.3f}" for n, w in zip(names, weights, strict=True))
            )
    class_names = classifiers[0].class_names

    def report(split, answer):
        return classification_report(
            answer["logits"].numpy(), labels[split], class_names,
            probabilities=answer["probabilities"].numpy(),
        )  # fmt: skip

    rows = []
    for i, classifier in enumerate(classifiers):
        test = report("test", members_answer(logits["test"][:, i]))
        val = (
            report("validation", members_answer(logits["validation"][:, i]))
            if "validation" in logits
            else None
        )
        rows.append(_row(f"{classifier.name} ({classifier.path})", test, val))
    ensemble_test = report("test", ensemble_answer(logits["test"], weights))
    ensemble_val = (
        report("validation", ensemble_answer(logits["validation"], weights)) if val_split else None
    )
    suffix = "" if tta == "none" else f", TTA {tta}"
    rows.append(_row(f"ensemble {method}{suffix}", ensemble_test, ensemble_val))
    print(format_table(rows))
    result = EnsembleComparison(rows, None if weights is None else list(map(float, weights)))
    if export:
        base = Path(export_dir) / (name or "ensemble-" + "-".join(names))
        metrics = Metrics(
            test={k: ensemble_test[k] for k in ("loss", "accuracy", "top5_accuracy")},
            validation=None
            if ensemble_val is None
            else {k: ensemble_val[k] for k in ("loss", "accuracy")},
        )
        result.export_dir = export_ensemble(
            classifiers,
            base,
            method=method,
            weights=weights,
            dataset=dataset,
            splits=data.splits,
            data=DataSplits(train_split, val_split, test_split),
            metrics=metrics,
            command=shlex.join(command or ("classiczoo", "ensemble", *map(str, model_dirs))),
            tta=tta,
        )
        # The export must answer as the combination computed here: check on a few test images.
        images, _ = next(data.test.batch(64).as_numpy_iterator())
        exported = SavedClassifier(result.export_dir).predict(images)
        np.testing.assert_allclose(
            exported["probabilities"],
            ensemble_answer(logits["test"][:, :, : len(images)], weights)["probabilities"],
            atol=1e-5,
            err_msg=f"the exported ensemble {result.export_dir} disagrees with its members",
        )
        print(f"Exported ensemble SavedModel: {result.export_dir}")
        if export_format != "saved_model":
            converted = export_format_of(
                result.export_dir,
                export_format,
                export_dir,
                data_dir=data_dir,
                base_name=base.name,
            )
            print(f"Exported ensemble {export_format}: {converted}")
    return result


__all__ = ["EnsembleComparison", "compare_ensemble", "format_table", "member_setting"]
