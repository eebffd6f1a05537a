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
