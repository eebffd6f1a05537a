"""Watching gradients during training: norms, histograms, update ratios, and alarms.

The notes judge training by the distribution of gradients per layer: tiny gradients in the
early layers against the last ones (vanishing), huge ones (exploding), the update-to-weight
ratio (about 1e-3 is healthy), and NaN. Keras's TensorBoard callback histograms weights, not
gradients; this callback adds the rest.

Not registered as serializable: it holds a batch of data, which a config cannot carry.
"""

from __future__ import annotations

import csv
from pathlib import Path

import keras
import numpy as np

from components.callbacks.step_counting import StepCountingCallback
from components.callbacks.tensorboard_summaries import open_summary_writer, write_summaries
from components.diagnostics.backend_gradients import loss_and_gradients_function
from components.diagnostics.recording import leaf_layers, recording_calls


def _kernels(model):
    return [v for v in model.trainable_variables if v.path.endswith("kernel")]


class GradientMonitor(StepCountingCallback):
    """Every `every` steps, on one fixed batch and outside the training step, measures each
    layer's gradient norm and histogram, weight norm and update-to-weight ratio.

    Writes TensorBoard scalars and histograms (`log_dir`) and a CSV (`csv_path`), and warns in
    plain words about vanishing gradients (the first layer's gradient norm below
    `vanishing_ratio` times the last layer's), exploding ones (a norm above `exploding_norm`),
    update ratios outside `ratio_range`, and NaN or Inf, naming the first layer whose output is
    not finite; then it stops training with the last good weights put back (and saved through
    `checkpoint`). The gradients are taken in inference mode (dropout off, BatchNorm's
    moving statistics), so the check changes nothing in the model. The update ratio is
    `||w_t - w_{t-1}|| / ||w_{t-1}||` over the last optimizer step, whatever the optimizer.

    Args:
        batch: `(x, y)`, a batch of training inputs and labels.
        every: steps between checks.
        loss: `f(y_true, y_pred)`; default the compiled loss, else sparse softmax cross-entropy.
        log_dir: TensorBoard directory (None: none).
        csv_path: CSV file (None: none).
        checkpoint: the run's checkpoints (an object with `save_checkpoint()`, e.g.
            `components.checkpoints.WeightsCheckpoint`): on NaN the last good weights are
            saved through it (None: kept in memory only).
        vanishing_ratio, exploding_norm, ratio_range: the alarm thresholds.
        chief: only the chief writes.

    Example:
    >>> x, y = np.zeros((128, 28, 28, 1), "float32"), np.zeros(128, "int64")
    >>> monitor = GradientMonitor((x, y), every=100, csv_path="gradients.csv")
    >>> model.fit(data, epochs=5, callbacks=[monitor])  # doctest: +SKIP
    """

    def __init__(
        self,
        batch,
        every: int = 100,
        loss=None,
        log_dir: str | None = None,
        csv_path: str | None = None,
        checkpoint=None,
        vanishing_ratio: float = 1e-3,
        exploding_norm: float = 1e3,
        ratio_range: tuple[float, float] = (1e-5, 1e-1),
        chief: bool = True,
    ):
        super().__init__()
        if every < 1:
            raise ValueError(f"every must be a positive integer, got {every}.")
        self.x, self.y = (np.asarray(b) for b in batch)
        self.every = int(every)
        self.loss = loss
        self.log_dir, self.csv_path = log_dir, csv_path
        self.checkpoint = checkpoint
        self.vanishing_ratio, self.exploding_norm = vanishing_ratio, exploding_norm
        self.ratio_range = ratio_range
        self.chief = chief
        self.records: list[dict] = []
        self.warnings: list[str] = []
        self.nan_layer: str | None = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._previous = None
        self._last_good = [w.numpy() for w in self.model.weights]
        if not hasattr(self, "_writer"):  # one writer for the callback's life, like the traces
            self._writer = open_summary_writer(
                self.log_dir, chief=self.chief, owner="GradientMonitor"
            )
        if self.loss is None:
            self.loss = getattr(self.model, "loss", None)
            if not callable(self.loss):
                self.loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        # Traced once per model (not per fit call): an eager forward and backward pass would
        # cost several times more.
        if getattr(self, "_traced_for", None) is not self.model:
            self._loss_and_gradients = loss_and_gradients_function(
                self.model, self.loss, _kernels(self.model)
            )
            self._traced_for = self.model

    def on_train_batch_begin(self, batch, logs=None):
        if (self.step + 1) % self.every == 0:  # the step about to run is a checked one
            self._previous = {v.path: v.numpy() for v in _kernels(self.model)}

    def on_step_end(self, step, logs):
        if step % self.every == 0:
            self.check()

    # -- the check ------------------------------------------------------------------------
    def check(self) -> list[dict]:
        model = self.model
        kernels = _kernels(model)
        loss, gradients = self._loss_and_gradients(self.x, self.y)
        rows = []
        for variable, gradient in zip(kernels, gradients, strict=True):
            g = np.asarray(gradient)
            w = variable.numpy()
            previous = (self._previous or {}).get(variable.path)
            ratio = (
                float(np.linalg.norm(w - previous) / (np.linalg.norm(previous) + 1e-12))
                if previous is not None
                else float("nan")
            )
            rows.append(
                {
                    "step": self.step,
                    "layer": variable.path.rsplit("/", 1)[0],
                    "grad_norm": float(np.linalg.norm(g)),
                    "grad_mean": float(np.mean(g)),
                    "grad_std": float(np.std(g)),
                    "weight_norm": float(np.linalg.norm(w)),
                    "update_ratio": ratio,
                    "_grad": g,
                }
            )
        finite = np.isfinite(float(loss)) and all(
            np.isfinite(r["grad_norm"]) and np.isfinite(r["weight_norm"]) for r in rows
        )
        if not finite:
            self._on_nan()
            return rows
        self._last_good = [w.numpy() for w in model.weights]
        self._warn(rows)
        self._write(rows)
        self.records.extend({k: v for k, v in r.items() if k != "_grad"} for r in rows)
        return rows

    def _warn(self, rows):
        norms = [r["grad_norm"] for r in rows]
        found = []
        if len(rows) > 1 and norms[0] < self.vanishing_ratio * norms[-1]:
            found.append(
                f"vanishing gradients: the first layer {rows[0]['layer']} gets a gradient norm "
                f"of {norms[0]:.2e}, {norms[-1] / max(norms[0], 1e-30):.0e} times smaller than "
                f"the last layer's ({norms[-1]:.2e}); the early layers hardly learn (try He/"
                "Xavier initialization, ReLU, BatchNorm)"
            )
        for r in rows:
            if r["grad_norm"] > self.exploding_norm:
                found.append(
                    f"exploding gradients: {r['layer']} has gradient norm {r['grad_norm']:.2e} "
                    f"(> {self.exploding_norm:g}); lower the learning rate or clip gradients"
                )
            low, high = self.ratio_range
            if np.isfinite(r["update_ratio"]) and not low <= r["update_ratio"] <= high:
                side = "small: raise" if r["update_ratio"] < low else "large: lower"
                found.append(
                    f"update ratio of {r['layer']} is {r['update_ratio']:.1e} (healthy about "
                    f"1e-3; too {side} the learning rate)"
                )
        for message in found:
            message = f"GradientMonitor, step {self.step}: {message}."
            self.warnings.append(message)
            if self.chief:
                print(message, flush=True)

    def _first_nonfinite_layer(self) -> str | None:
        layers = leaf_layers(self.model)
        with recording_calls(layers) as calls:
            self.model(self.x, training=False)
        for layer in layers:
            if layer.path in calls:
                value = keras.ops.convert_to_numpy(calls[layer.path][1])
                if not np.all(np.isfinite(value)):
                    return layer.path
        return None

    def _on_nan(self):
        # The failing step may already have spread NaN into every weight: put the last good
        # weights back first, so the forward pass shows where non-finite values arise.
        broken_weights = [
            w.path.rsplit("/", 1)[0] for w in self.model.weights if not np.all(np.isfinite(w))
        ]
        for weight, value in zip(self.model.weights, self._last_good, strict=True):
            weight.assign(value)
        self.nan_layer = self._first_nonfinite_layer() or (
            broken_weights[0] if broken_weights else None
        )
        where = f"first in layer {self.nan_layer}" if self.nan_layer else "in the loss"
        message = (
            f"GradientMonitor, step {self.step}: NaN or Inf appeared ({where}). Training stops; "
            "the weights of the last good check are restored"
            + (" and saved with the run's checkpoints" if self.checkpoint is not None else "")
            + "."
        )
        self.warnings.append(message)
        print(message, flush=True)
        if self.checkpoint is not None:  # every worker: saving may need them all
            self.checkpoint.save_checkpoint()
        self.model.stop_training = True

    def _write(self, rows):
        if not self.chief:
            return
        if self._writer is not None:
            scalars = {
                f"{key}/{r['layer']}": np.float32(r[key] if np.isfinite(r[key]) else 0.0)
                for r in rows
                for key in ("grad_norm", "weight_norm", "update_ratio")
            }
            histograms = {f"gradients/{r['layer']}": r["_grad"] for r in rows}
            write_summaries(self._writer, self.step, histograms, scalars)
        if self.csv_path:
            path = Path(self.csv_path)
            new = not path.exists()
            with path.open("a", newline="") as f:
                writer = csv.DictWriter(
                    f, ["step", "layer", "grad_norm", "grad_mean", "grad_std", "weight_norm",
                        "update_ratio"], extrasaction="ignore"
                )  # fmt: skip
                if new:
                    writer.writeheader()
                writer.writerows(rows)
