"""TensorBoard summaries from any Keras backend, written with `tf.summary` where TensorFlow is.

TensorBoard's event files are TensorFlow's format (`tf.summary`); under the JAX backend the
monitors still write them when TensorFlow is installed, from NumPy values. Where TensorFlow is
absent there is no writer: the monitors keep their figures (CSV, `records`, `history`) and
say once that the TensorBoard logs were not written.
"""

from __future__ import annotations

import numpy as np

from components.installed import is_installed


def open_summary_writer(log_dir: str | None, *, chief: bool = True, owner: str = "monitor"):
    """A `tf.summary` file writer for `log_dir`, or None (no `log_dir`, not the chief, or no
    TensorFlow, which is then said once on stdout, naming `owner`)."""
    if not log_dir or not chief:
        return None
    if not is_installed("tensorflow"):
        print(
            f"{owner}: TensorBoard logs need TensorFlow, which is not installed; {log_dir} is "
            "not written (the figures stay in the callback's records).",
            flush=True,
        )
        return None
    import tensorflow as tf

    return tf.summary.create_file_writer(str(log_dir))


def write_summaries(writer, step: int, histograms: dict, scalars: dict) -> None:
    """Writes NumPy histograms and scalars at `step` (eagerly, whatever Keras's backend)."""
    import tensorflow as tf

    with writer.as_default(step=int(step)):
        for tag, values in histograms.items():
            tf.summary.histogram(tag, np.asarray(values))
        for tag, value in scalars.items():
            tf.summary.scalar(tag, float(value))
    writer.flush()


__all__ = ["open_summary_writer", "write_summaries"]
