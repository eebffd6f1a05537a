"""What only Keras's TensorFlow backend does, refused clearly elsewhere.

The SavedModel export, the project's `strategy.run` loop and tf.distribute's strategies are
TensorFlow's; under JAX they raise a `ValueError` that names the backend and what to use
instead, rather than failing deep inside Keras or TensorFlow.
"""

from __future__ import annotations

import keras


def require_tensorflow_backend(what: str, instead: str) -> None:
    """Raises a `ValueError` unless Keras runs the TensorFlow backend.

    Args:
        what: what needs it, e.g. "A SavedModel export".
        instead: what to do under another backend.

    Example:
    >>> require_tensorflow_backend("A SavedModel export", "save a .keras file")  # TensorFlow
    """
    backend = keras.backend.backend()
    if backend != "tensorflow":
        raise ValueError(
            f"{what} needs Keras's tensorflow backend; Keras runs {backend!r} "
            f"(KERAS_BACKEND). Under {backend}: {instead}."
        )


__all__ = ["require_tensorflow_backend"]
