"""Watching activations: per-layer mean, std, histograms, dead ReLUs and saturated units."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from components.recording import activation_kind, leaf_layers, recording_calls


def activation_statistics(model: keras.Model, batch) -> list[dict]:
    """One forward pass (inference mode) over `batch`; for each layer that applies ReLU, tanh
    or sigmoid: mean, std, the values, the fraction of dead ReLU units (zero for every example)
    and of saturated tanh/sigmoid outputs (|a| > 0.99, or a < 0.01 or > 0.99)."""
    layers = [layer for layer in leaf_layers(model) if activation_kind(layer)]
    with recording_calls(layers) as calls:
        model(np.asarray(batch), training=False)
    stats = []
    for layer in layers:
        values = keras.ops.convert_to_numpy(calls[layer.path][1]).astype(np.float64)
        kind = activation_kind(layer)
        units = values.reshape(-1, values.shape[-1])  # examples (and positions) x units
        row = {
            "layer": layer.path,
            "activation": kind,
            "mean": float(values.mean()),
            "std": float(values.std()),
            "values": values.reshape(-1),
            "dead_fraction": float(np.mean(np.all(units <= 0, axis=0))) if kind == "relu" else 0.0,
            "saturated_fraction": 0.0,
        }
        if kind == "tanh":
            row["saturated_fraction"] = float(np.mean(np.abs(values) > 0.99))
        elif kind == "sigmoid":
            row["saturated_fraction"] = float(np.mean((values < 0.01) | (values > 0.99)))
        stats.append(row)
    return stats


@keras.saving.register_keras_serializable(package="classiczoo")
class ActivationMonitor(keras.callbacks.Callback):
    """Every `every` steps (or at each epoch end), logs `activation_statistics` on a fixed batch
    to TensorBoard (histograms and scalars) and warns about many dead or saturated units.

    Args:
        batch: inputs to look at.
        every: steps between looks (None: at epoch ends).
        log_dir: TensorBoard directory (None: none).
        dead_alarm, saturated_alarm: fractions above which it warns.
        chief: only the chief writes.
    """

    def __init__(
        self,
        batch,
        every: int | None = None,
        log_dir: str | None = None,
        dead_alarm: float = 0.5,
        saturated_alarm: float = 0.5,
        chief: bool = True,
    ):
        super().__init__()
        if every is not None and every < 1:
            raise ValueError(f"every must be a positive integer or None, got {every}.")
        self.batch = np.asarray(batch)
        self.every = every
        self.log_dir = log_dir
        self.dead_alarm, self.saturated_alarm = dead_alarm, saturated_alarm
        self.chief = chief
        self.history: list[tuple[int, list[dict]]] = []
        self.warnings: list[str] = []

    def get_config(self):
        return {"every": self.every, "log_dir": self.log_dir}

    def on_train_begin(self, logs=None):
        self._step = int(self.model.optimizer.iterations.numpy())
        self._writer = (
            tf.summary.create_file_writer(self.log_dir) if (self.log_dir and self.chief) else None
        )

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self.every and self._step % self.every == 0:
            self.look()

    def on_epoch_end(self, epoch, logs=None):
        if not self.every:
            self.look()

    def look(self) -> list[dict]:
        stats = activation_statistics(self.model, self.batch)
        self.history.append(
            (self._step, [{k: v for k, v in s.items() if k != "values"} for s in stats])
        )
        for s in stats:
            if s["dead_fraction"] > self.dead_alarm:
                self._warn(f"{s['layer']}: {s['dead_fraction']:.0%} of its ReLU units are dead")
            if s["saturated_fraction"] > self.saturated_alarm:
                self._warn(
                    f"{s['layer']}: {s['saturated_fraction']:.0%} of its {s['activation']} "
                    "outputs are saturated (gradients near 0)"
                )
        if self._writer is not None:
            with self._writer.as_default(step=self._step):
                for s in stats:
                    tf.summary.histogram(f"activations/{s['layer']}", s["values"])
                    for key in ("mean", "std", "dead_fraction", "saturated_fraction"):
                        tf.summary.scalar(f"activation_{key}/{s['layer']}", s[key])
            self._writer.flush()
        return stats

    def _warn(self, message):
        message = f"ActivationMonitor, step {self._step}: {message}."
        self.warnings.append(message)
        if self.chief:
            print(message, flush=True)
