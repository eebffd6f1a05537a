"""Ensembles of exported classifiers: fitted weights, and one SavedModel for all.

The members are SavedModels loaded with `tf.saved_model.load` (see
`components.export.serving`), each taking raw images and returning `logits`; the rules that
combine them (`mean-probs`, `mean-logits`, `weighted`, `vote`) are
`components.export.combination`'s, and `weighted`'s weights are given or fitted by
`fit_weights` on a validation split. `EnsembleModule` holds the members' graphs and is saved by
`export_ensemble` as one SavedModel with the single model's signatures (`serving_default`
float32, `serving_uint8`), optionally with test-time augmentation in the graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from components.export.combination import check_method, combine
from components.export.metadata import (
    INPUT_NAME,
    SIGNATURE_FLOAT,
    SIGNATURE_UINT8,
    DataSplits,
    ExportMetadata,
    Metrics,
    RunFacts,
    ServingFacts,
)
from components.export.saved_model import publish_saved_model
from components.export.tta import check_tta, combine_views, tta_views


def fit_weights(
    member_probabilities: np.ndarray, labels: np.ndarray, *, steps: int = 2000, step_size=1.0
) -> np.ndarray:
    """Weights on the simplex that minimize the cross-entropy of `sum_i w_i p_i` on `labels`.

    The loss is convex in `w`; exponentiated gradient descent (Kivinen & Warmuth 1997) keeps `w`
    on the simplex without a projection. Neither Keras nor TensorFlow has a simplex-constrained
    optimizer, hence this short loop. Fit on a validation split, never on the test split.

    Args:
        member_probabilities: `[members, N, classes]`.
        labels: `[N]` true class ids.
        steps: iterations.
        step_size: learning rate of the multiplicative update.

    Returns:
        `[members]` non-negative weights summing to 1.

    Example:
    >>> good, poor = np.array([[0.9, 0.1], [0.8, 0.2]]), np.array([[0.5, 0.5], [0.5, 0.5]])
    >>> weights = fit_weights(np.stack([good, poor]), np.array([0, 0]))
    >>> bool(weights[0] > 0.99)
    True
    """
    p = np.asarray(member_probabilities, np.float64)
    if p.ndim != 3 or p.shape[1] != len(labels):
        raise ValueError(
            f"member_probabilities must be [members, N, classes] with N = {len(labels)}, got "
            f"{list(p.shape)}."
        )
    true_probs = p[:, np.arange(len(labels)), labels]  # [members, N]
    w = np.full(p.shape[0], 1.0 / p.shape[0])
    for _ in range(steps):
        mixture = np.maximum(w @ true_probs, 1e-300)
        gradient = -(true_probs / mixture).mean(axis=1)  # d mean(-log mixture) / d w
        w = w * np.exp(-step_size * (gradient - gradient.min()))  # shift: same normalized w
        w /= w.sum()
    return w


class EnsembleModule(tf.Module):
    """Loaded member SavedModels and a combination rule, saveable as one SavedModel.

    Args:
        members: objects returned by `tf.saved_model.load`, each with a `serving_default`
            signature taking `images` and returning `logits`.
        method: one of `METHODS`.
        weights: normalized weights (stored as a variable in the SavedModel).
        image_shape: `(H, W, C)` of the members' input.
        tta: test-time augmentation (`components.export.tta`): the rule's probabilities are
            averaged over the views of each image.
    """

    def __init__(self, members, method: str, weights, image_shape, tta: str = "none"):
        super().__init__(name="ensemble")
        self.members = list(members)
        self.method = method
        self.tta = check_tta(tta)
        self.weights = tf.Variable(
            np.asarray(weights, np.float32), trainable=False, name="member_weights"
        )
        spec = tf.TensorSpec([None, *image_shape], tf.float32, INPUT_NAME)
        self.serve_float = tf.function(self._serve, input_signature=[spec])
        self.serve_uint8 = tf.function(
            lambda images: self._serve(tf.cast(images, tf.float32)),
            input_signature=[tf.TensorSpec([None, *image_shape], tf.uint8, INPUT_NAME)],
        )

    def _serve(self, images):
        # Each member checks the image shape in its own graph, with the expected shape in the
        # message; the members do their own preprocessing.
        answers = []
        for view in tta_views(images, self.tta):
            logits = [
                member.signatures[SIGNATURE_FLOAT](**{INPUT_NAME: view})["logits"]
                for member in self.members
            ]
            answers.append(combine(tf.stack(logits), self.method, self.weights))
        if len(answers) == 1:
            return answers[0]
        return combine_views([answer["logits"] for answer in answers], self.tta)


def check_members_agree(classifiers) -> None:
    """Raises a ValueError naming the first member whose input spec or class names differ, or
    a member given twice (the same version directory: an ensemble of one model).

    Args:
        classifiers: `components.export.SavedClassifier`s.
    """
    if not classifiers:
        raise ValueError("No members given: an ensemble needs at least two SavedModels.")
    seen = {}
    for classifier in classifiers:
        where = Path(classifier.path).resolve()
        if where in seen:
            raise ValueError(
                f"{classifier.path} is the same export as {seen[where]}: an ensemble of it "
                "with itself is that one model. Name different exports (other runs, seeds or "
                "models)."
            )
        seen[where] = classifier.path
    first = classifiers[0]
    if first.class_names is None:
        raise ValueError(
            f"{first.path} has no class names (metadata.json with 'class_names'): without them "
            "the members cannot be checked to predict the same classes."
        )
    for other in classifiers[1:]:
        if (other.input_name, other.input_shape, other.input_dtype) != (
            first.input_name,
            first.input_shape,
            first.input_dtype,
        ):
            raise ValueError(
                f"Member {other.path} takes {other.input_name!r} {list(other.input_shape)} "
                f"{other.input_dtype}, but {first.path} takes {first.input_name!r} "
                f"{list(first.input_shape)} {first.input_dtype}: members must share the input."
            )
        if other.class_names != first.class_names:
            raise ValueError(
                f"Member {other.path} predicts the classes {other.class_names}, but {first.path} "
                f"predicts {first.class_names}: members must share the class names, in order."
            )


def export_ensemble(
    classifiers,
    base_dir: str | Path,
    *,
    method: str,
    weights: Sequence[float] | None = None,
    metrics: Metrics | None = None,
    dataset: str | None = None,
    splits: dict[str, str] | None = None,
    data: DataSplits | None = None,
    command: str = "",
    tta: str = "none",
) -> Path:
    """Saves the members and the rule as one SavedModel, the next version under `base_dir`.

    It has a single model's signatures (`serving_default` float32, `serving_uint8`, input
    `images`, outputs `probabilities`, `class_ids`, `logits`) and a `metadata.json` of kind
    `"ensemble"` naming its method, weights and members, so `classiczoo evaluate`,
    `saved_model_cli` and TF Serving treat it like one model.

    Args:
        classifiers: the members, `components.export.SavedClassifier`s that agree on input and
            classes.
        base_dir: e.g. `saved_models/ensemble-vgg11_bn-googlenet`.
        method: one of `METHODS`.
        weights: one per member for `weighted` (normalized here); None: equal.
        metrics: what it scored (None: not measured; `test` is then empty).
        dataset, splits, data: the data it was measured on (None: the first member's).
        command: the command line that made it (empty when made from Python).
        tta: test-time augmentation inside the graph (`components.export.tta.TTA_MODES`).

    Example (needs two exports; `classiczoo ensemble ... --export` calls it):
    >>> members = [SavedClassifier(d) for d in ("saved_models/a", "saved_models/b")]
    ... # doctest: +SKIP
    """
    check_members_agree(classifiers)
    weights = check_method(method, weights, len(classifiers))
    first = classifiers[0]
    image_shape = tuple(first.input_shape[1:])
    module = EnsembleModule([c.module for c in classifiers], method, weights, image_shape, tta)
    signatures = {SIGNATURE_FLOAT: module.serve_float, SIGNATURE_UINT8: module.serve_uint8}
    members = []
    for c in classifiers:
        run = c.metadata.run if c.metadata is not None else None
        members.append(
            {
                "path": str(c.path),
                "model": c.name,
                "dataset": None if run is None else run.dataset,
                "test_accuracy": None if run is None else run.metrics.test.get("accuracy"),
            }
        )
    first_run = first.metadata.run if first.metadata is not None else None
    run = RunFacts(
        kind="ensemble",
        model=Path(base_dir).name,
        dataset=dataset or (first_run.dataset if first_run else ""),
        splits=splits if splits is not None else (first_run.splits if first_run else {}),
        data=data or (first_run.data if first_run else DataSplits("train", 0.0, "test")),
        metrics=metrics or Metrics(test={}),
        command=command,
        ensemble={"method": method, "weights": [float(w) for w in weights], "members": members},
    )
    metadata = ExportMetadata(
        run=run, serving=ServingFacts.for_images(image_shape, first.class_names, tta=tta)
    )
    return publish_saved_model(
        base_dir,
        lambda path: tf.saved_model.save(module, str(path), signatures=signatures),
        metadata,
    )
