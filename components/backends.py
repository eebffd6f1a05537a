"""Keras's backend: choosing it before Keras loads, and what only TensorFlow's does.

Keras picks its backend once per process, when first imported (`KERAS_BACKEND`):
`choose_keras_backend` sets it where Keras is not loaded yet (this module imports Keras only
inside its functions, for that reason). The SavedModel export, the project's `strategy.run`
loop and tf.distribute's strategies are TensorFlow's; under JAX they raise a `ValueError` that
names the backend and what to use instead, rather than failing deep inside Keras or TensorFlow.
"""

from __future__ import annotations

import os
import sys


def choose_keras_backend(backend: str | None) -> None:
    """Sets `KERAS_BACKEND` to `backend` if Keras is not imported yet; else leaves it (a run
    then refuses a backend other than the one Keras runs, saying how to choose it)."""
    if backend and "keras" not in sys.modules:
        os.environ["KERAS_BACKEND"] = backend


def require_tensorflow_backend(what: str, instead: str) -> None:
    """Raises a `ValueError` unless Keras runs the TensorFlow backend.

    Args:
        what: what needs it, e.g. "A SavedModel export".
        instead: what to do under another backend.

    Example:
    >>> require_tensorflow_backend("A SavedModel export", "save a .keras file")  # TensorFlow
    """
    import keras

    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise ValueError(
            f"{what} needs Keras's tensorflow backend; Keras runs {backend!r} "
            f"(KERAS_BACKEND). Under {backend}: {instead}."
        )


__all__ = ["choose_keras_backend", "require_tensorflow_backend"]
