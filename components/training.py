"""Small, shared pieces of a training run: seeding, compiling a classifier, run facts."""

from __future__ import annotations

import platform
import sys

import keras
import numpy as np
import tensorflow as tf


def compile_classifier(model: keras.Model, optimizer: keras.optimizers.Optimizer) -> keras.Model:
    """Compiles a logits-output classifier with softmax cross-entropy and accuracy.

    Keras's `SparseCategoricalCrossentropy(from_logits=True)` computes the numerically stable
    log-sum-exp form, so the model ends in a plain Dense layer, not a softmax.
    """
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    return model


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
