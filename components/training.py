"""Small, shared pieces of a training run: seeding, compiling a classifier, run facts."""

from __future__ import annotations

import platform
import sys

import keras
import numpy as np
import tensorflow as tf

# GoogLeNet's auxiliary classifiers count with this weight in the training loss (the paper).
AUX_LOSS_WEIGHT = 0.3


def compile_classifier(
    model: keras.Model,
    optimizer: keras.optimizers.Optimizer | None = None,
    *,
    aux_loss_weight: float = AUX_LOSS_WEIGHT,
    jit_compile: bool | str = "auto",
) -> keras.Model:
    """Compiles a logits-output classifier with softmax cross-entropy and accuracy.

    Keras's `SparseCategoricalCrossentropy(from_logits=True)` computes the numerically stable
    log-sum-exp form, so the model ends in a plain Dense layer, not a softmax. A model with
    several outputs `[logits, aux1, ...]` (auxiliary classifiers) is trained on
    `loss(logits) + aux_loss_weight * sum(loss(aux_i))`, with accuracy on the main head only;
    feed it targets from `with_aux_targets`.

    Args:
        model: a model whose first output is the main logits.
        optimizer: the optimizer; None for a model that is only evaluated.
        aux_loss_weight: weight of each auxiliary loss.
        jit_compile: Keras's `compile(jit_compile=...)`: XLA on, off or Keras's choice.
    """
    num_outputs = len(model.outputs)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    if num_outputs == 1:
        model.compile(
            optimizer=optimizer or "sgd", loss=loss, metrics=[accuracy], jit_compile=jit_compile
        )
    else:
        model.compile(
            optimizer=optimizer or "sgd",
            loss=[loss] * num_outputs,
            loss_weights=[1.0] + [aux_loss_weight] * (num_outputs - 1),
            metrics=[[accuracy]] + [[] for _ in range(num_outputs - 1)],
            jit_compile=jit_compile,
        )
    return model


def with_aux_targets(dataset: tf.data.Dataset, model: keras.Model) -> tf.data.Dataset:
    """Repeats each label once per model output, for models with auxiliary classifiers."""
    num_outputs = len(model.outputs)
    if num_outputs == 1:
        return dataset
    return dataset.map(lambda x, y: (x, (y,) * num_outputs))


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries a run depends on, for its metadata."""
    import tensorflow_datasets as tfds

    import components

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "classiczoo": components.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "tensorflow_datasets": tfds.__version__,
        "numpy": np.__version__,
    }


def run_metadata(
    *,
    model: str,
    dataset: str,
    splits: dict,
    train_split: str,
    val_split: float,
    test_split: str,
    metrics: dict,
    command: list[str],
    extra_versions: dict[str, str] | None = None,
    **facts,
) -> dict:
    """The metadata.json facts every recipe records beside an export, in one layout.

    Args:
        model: the model's name.
        dataset: the tfds dataset.
        splits: `ImageClassificationData.splits` (what each split holds, in words).
        train_split, val_split, test_split: the flags that made the splits, so that another
            recipe (`recipes/ensemble.py`) can rebuild the same validation set.
        metrics: train / validation / test metrics.
        command: the command line, as words (`["python", "recipes/train.py", ...]`).
        extra_versions: versions of more libraries the run used (`{"keras_tuner": ...}`).
        **facts: more entries (`hyperparameters`, `seed`, `search`, ...).

    Returns:
        A JSON-ready dict with `versions` and the creation time added.
    """
    import datetime
    import shlex

    return {
        "model": model,
        "dataset": dataset,
        "splits": splits,
        "data": {"train_split": train_split, "val_split": val_split, "test_split": test_split},
        "metrics": metrics,
        **facts,
        "command": shlex.join(command),
        "versions": {**library_versions(), **(extra_versions or {})},
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
    }
