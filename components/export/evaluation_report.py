"""The full evaluation report of exported SavedModels on a tfds split: `classiczoo evaluate`.

For each model (loaded with `tf.saved_model.load`, never through the project's model classes):
loss, top-1 and top-5 accuracy, per-class precision / recall / F1, the confusion matrix (text and
PNG), calibration (expected calibration error and a reliability diagram PNG), a grid PNG of the
most confident mistakes and the inference throughput. The JSON report goes beside the model
(`<model dir>/evaluation-<dataset>-<split>.json`, written atomically; nothing else is written
there); the PNGs and the text under the report directory (default `reports/<model>/<version>/`).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import numpy as np

from components.atomic_files import write_json_atomic, write_text_atomic
from components.data.arrays import (
    ArrayData,
    ArraySplits,
    check_arrays,
    image_folder_split,
    select_split,
)
from components.data.normalized import classification_data
from components.data.tfds_loading import ImageClassificationData, load_image_classification
from components.diagnostics.bias_variance import (
    describe_diagnosis_entry,
    diagnose_bias_variance,
    diagnosis_from_entry,
)
from components.export.evaluation import (
    ConfidentMistakes,
    classification_report,
    format_confusion_matrix,
    format_per_class,
)
from components.export.evaluation_plots import (
    plot_confident_mistakes,
    plot_confusion_matrix,
    plot_reliability_diagram,
)
from components.export.metadata import library_versions
from components.export.serving import ExportedClassifier, load_classifier
from components.export.tta import VIEWS, check_tta, untrained_view_warning


def split_tag(dataset: str, split: str) -> str:
    """A file-name-safe tag for a dataset and a split like `train[:10%]`.

    Example:
    >>> split_tag("fashion_mnist", "test[:1000]")
    'fashion_mnist-test_1000'
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{dataset}-{split}").strip("_")


def default_report_dir(model_dir: Path) -> Path:
    """`reports/<base name>/<version>` for `saved_models/<base name>/<version>`."""
    model_dir = Path(model_dir)
    if model_dir.name.isdigit():
        return Path("reports") / model_dir.parent.name / model_dir.name
    return Path("reports") / model_dir.name


REPORT_OWNER_FILE = "report-of.txt"


def claim_report_dir(where: str | Path, model_dir: str | Path) -> Path:
    """`where`, or `where-2`, `where-3`, ... : the first directory that holds no other
    model's report. A report directory names its model in `report-of.txt`, so that the report
    of `b/lenet5_bn/1` never overwrites that of `a/lenet5_bn/1`.

    Example:
    >>> claim_report_dir("reports/m/1", "a/m/1"), claim_report_dir("reports/m/1", "b/m/1")
    (PosixPath('reports/m/1'), PosixPath('reports/m/1-2'))
    """
    where, owner = Path(where), str(Path(model_dir).resolve())
    for n in range(1, 1000):
        candidate = where if n == 1 else where.with_name(f"{where.name}-{n}")
        marker = candidate / REPORT_OWNER_FILE
        if marker.is_file():
            if marker.read_text().strip() == owner:
                return candidate
            continue
        if candidate.is_dir() and any(candidate.iterdir()):
            continue  # someone's files, not a report of ours: leave them be
        write_text_atomic(marker, owner + "\n")
        return candidate
    raise ValueError(f"No free report directory next to {where}; give another --report-dir.")


def evaluate_export(
    classifier: ExportedClassifier,
    data: ImageClassificationData,
    split: str,
    *,
    report_dir: Path,
    batch_size: int = 256,
    mistakes: int = 24,
    bins: int = 15,
    tta: str = "none",
    human_error: float | None = None,
    say=print,
) -> dict:
    """The report of one loaded classifier on `data.test`; writes the plots and the JSON.

    Args:
        classifier: the loaded export.
        data: the dataset, its `test` part being the split evaluated.
        split: the split's name, for the report and its file names.
        report_dir: where the PNGs and the text go.
        batch_size: images per call of the signature.
        mistakes: images in the grid of confident mistakes.
        bins: calibration bins.
        tta: test-time augmentation (`components.export.tta`): `"flip"` scores the mean
            probabilities of each image and its mirror, `"flip_shift"` their weighted mean
            over the mirror and one-pixel shifts; its files get a `-tta_<mode>` tag.
        human_error: human-level error for the bias vs variance section (None: the one the
            run was diagnosed with); the section appears for a run that had a validation split.
        say: prints a line.

    Returns:
        The report (the JSON's content) with `report_path` added.
    """
    run = None if classifier.metadata is None else classifier.metadata.run
    hyper = None if run is None else run.hyperparameters
    warning = untrained_view_warning(tta, None if hyper is None else hyper.augment)
    if warning:
        say(warning)
    kept = ConfidentMistakes(mistakes)
    predictions = classifier.predict_dataset(
        data.test,
        data.num_test,
        batch_size,
        on_batch=lambda images, labels, out: kept.add(images, labels, out["probabilities"]),
        tta=tta,
    )
    class_names = classifier.class_names or data.class_names
    report = classification_report(
        predictions["logits"],
        predictions["labels"],
        class_names,
        probabilities=predictions["probabilities"],
        num_bins=bins,
    )
    tag = split_tag(data.name, split) + ("" if tta == "none" else f"-tta_{tta}")
    report_dir = Path(report_dir)
    title = f"{classifier.name} on {data.name} {split}" + ("" if tta == "none" else f", TTA {tta}")
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
            kept.sorted(), class_names, report_dir / f"{tag}-mistakes.png"
        ),
    }
    text = (
        f"{title}\n\n{format_per_class(report)}\n\nConfusion matrix (rows: true class)\n"
        f"{format_confusion_matrix(report['confusion_matrix'], class_names)}\n"
    )
    diagnosis = _diagnosis(run, 1.0 - report["accuracy"], human_error)
    if diagnosis is not None:
        text += f"\n{describe_diagnosis_entry(diagnosis)}\n"
    write_text_atomic(report_dir / f"{tag}-report.txt", text)
    report = {
        "model_dir": str(classifier.path),
        "model": classifier.name,
        "dataset": data.name,
        "split": split,
        "tta": tta,
        **report,
        "throughput": {
            "images_per_second": round(predictions["images_per_second"], 1),
            "batch_size": batch_size,
            "signature": "serving_uint8",
            "note": "model time per image after the first batch (tracing), this machine"
            + (f"; each image runs {len(VIEWS[tta])} times (TTA)" if tta != "none" else ""),
        },
        "plots": {k: str(v) for k, v in plots.items()},
        "diagnosis": diagnosis,
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
        f"images of {data.name} {split}" + ("" if tta == "none" else f" (TTA {tta})")
    )
    say(f"Report: {report_path}; plots and text in {report_dir}")
    return {**report, "report_path": str(report_path)}


def _diagnosis(run, test_error: float, human_error: float | None) -> dict | None:
    """The run's bias vs variance diagnosis with this evaluation's error as the test error."""
    if run is None or run.diagnosis is None:
        return None
    stored = diagnosis_from_entry(run.diagnosis)
    diagnosis = diagnose_bias_variance(
        stored.train_error,
        stored.dev_error,
        stored.human_error if human_error is None else human_error,
        min(max(test_error, 0.0), 1.0),
        tolerance=stored.tolerance,
    )
    source = run.diagnosis.get("human_error_source") if human_error is None else "given"
    return {
        **diagnosis.to_json(),
        "train_error_images": run.diagnosis.get("train_error_images"),
        "human_error_source": source,
    }


def _image_folder_data(directory, split: str, class_names) -> ImageClassificationData:
    """The images of a class-folder tree to evaluate on: `split` slices it as `train`."""
    x, y, names = image_folder_split(directory, class_names or None)
    return _split_data(x, y, names, split, Path(directory).name or str(directory))


def _arrays_data(images, labels, split: str, class_names) -> ImageClassificationData:
    """The caller's `(images, labels)` to evaluate on, checked as `zoo.train` checks arrays:
    `split` slices them as `train`."""
    names = list(class_names) if class_names else None
    parts, num_classes = check_arrays(
        ArrayData(images, labels, images, labels, num_classes=len(names) if names else None)
    )
    x, y = parts["train"]
    return _split_data(x, y, names or [str(i) for i in range(num_classes)], split, "arrays")


def _split_data(x, y, names, split: str, name: str) -> ImageClassificationData:
    part = "train" if split == "test" else split
    x, y = select_split(part, {"train": (x, y)})
    arrays = ArraySplits(
        name=name,
        x_train=x[:0],
        y_train=y[:0],
        x_validation=x[:0],
        y_validation=y[:0],
        x_test=x,
        y_test=y,
        class_names=names,
        splits={"test": f"{name} {part}"},
    )
    return classification_data(arrays)


def evaluate_exports(
    model_dirs,
    *,
    dataset: str | None = None,
    split: str = "test",
    data_dir: str | Path | None = None,
    batch_size: int = 256,
    report_dir: str | Path | None = None,
    mistakes: int = 24,
    bins: int = 15,
    tta: str = "none",
    human_error: float | None = None,
    image_dir: str | Path | None = None,
    arrays: tuple | None = None,
) -> list[dict]:
    """Evaluates each export on `split` of its dataset (or of a folder of class folders of
    images); returns one report per model.

    Every directory is checked (a SavedModel of this project's signatures, a dataset named,
    images of the right shape, as many classes) before the long work starts.

    Args:
        model_dirs: SavedModel directories, or base directories (their newest version).
        dataset: the tfds dataset (None: the one in each export's metadata).
        split: the tfds split, slicing allowed.
        data_dir: the tfds data dir.
        batch_size, mistakes, bins: as for `evaluate_export`.
        report_dir: where PNGs and text go (None: `reports/<model>/<version>`; given with
            several models, a subdirectory per model).
        tta: test-time augmentation (`components.export.tta.TTA_MODES`).
        human_error: human-level error for the bias vs variance section (None: the run's).
        image_dir: a folder of class folders of images to evaluate on instead of a tfds
            dataset (`components.data.image_folders`; the export's classes, in its order):
            `split` slices it as `train` (`"train[90%:]"`: the part a run trained with
            `--image-dir` and the default `--test-split` held out; `"test"`: all of it).
        arrays: `(images, labels)` NumPy arrays to evaluate on instead (raw pixels `[N, H, W,
            C]` in 0..255, class ids in the export's order); `split` slices them as `train`.

    Raises:
        ValueError: a directory that is no SavedModel, no dataset known, or a dataset whose
            images or classes do not fit the model, named with what was wrong.

    Example:
    >>> evaluate_exports(["saved_models/lenet5_bn"])  # doctest: +SKIP
    """
    if not model_dirs:
        raise ValueError("No model directory given: name one or more SavedModels.")
    check_tta(tta)
    classifiers = [load_classifier(model_dir) for model_dir in model_dirs]
    results = []
    for classifier in classifiers:
        run = classifier.metadata.run if classifier.metadata is not None else None
        name = dataset or (run.dataset if run is not None else None)
        if arrays is not None:
            data = _arrays_data(*arrays, split, classifier.class_names)
            name = data.name
        elif image_dir is not None:
            data = _image_folder_data(image_dir, split, classifier.class_names)
            name = data.name
        elif not name:
            raise ValueError(
                f"{classifier.path} has no metadata.json naming its dataset: pass a dataset."
            )
        else:
            data = load_image_classification(  # never downloads: a report reads what is here
                name, data_dir=data_dir, train_split=split, test_split=split, download=False
            )
        try:
            classifier.check_images(np.zeros((1, *data.image_shape), np.uint8))
        except ValueError as err:
            raise ValueError(f"{name} images are {list(data.image_shape)}. {err}") from None
        if classifier.class_names and len(classifier.class_names) != len(data.class_names):
            raise ValueError(
                f"{classifier.path} predicts {len(classifier.class_names)} classes, "
                f"{name} has {len(data.class_names)}."
            )
        where = default_report_dir(classifier.path)
        if report_dir is not None:
            where = Path(report_dir)
            if len(classifiers) > 1:
                where = where / default_report_dir(classifier.path).relative_to("reports")
        claimed = claim_report_dir(where, classifier.path)
        if claimed != where:
            print(f"{where} holds another model's report: this one goes to {claimed}")
        where = claimed
        print(f"Evaluating {classifier.path} on {name} {split} ({data.num_test} images)")
        results.append(
            evaluate_export(
                classifier,
                data,
                split,
                report_dir=where,
                batch_size=batch_size,
                mistakes=mistakes,
                bins=bins,
                tta=tta,
                human_error=human_error,
            )
        )
    return results


__all__ = [
    "REPORT_OWNER_FILE",
    "claim_report_dir",
    "default_report_dir",
    "evaluate_export",
    "evaluate_exports",
    "split_tag",
]
