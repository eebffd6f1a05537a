"""Watching activations: per-layer mean, std, histograms, dead ReLUs and saturated units.

Not registered as serializable: it holds a batch of data, which a config cannot carry.
"""

from __future__ import annotations

import numpy as np

from components.callbacks.step_counting import StepCountingCallback
from components.callbacks.tensorboard_summaries import open_summary_writer, write_summaries
from components.diagnostics.activation_statistics import activation_statistics


class ActivationMonitor(StepCountingCallback):
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

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self._writer = open_summary_writer(
            self.log_dir, chief=self.chief, owner="ActivationMonitor"
        )

    def on_step_end(self, step, logs):
        if self.every and step % self.every == 0:
            self.look()

    def on_epoch_end(self, epoch, logs=None):
        if not self.every:
            self.look()

    def look(self) -> list[dict]:
        stats = activation_statistics(self.model, self.batch)
        self.history.append(
            (self.step, [{k: v for k, v in s.items() if k != "values"} for s in stats])
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
            histograms = {f"activations/{s['layer']}": s["values"] for s in stats}
            scalars = {
                f"activation_{key}/{s['layer']}": s[key]
                for s in stats
                for key in ("mean", "std", "dead_fraction", "saturated_fraction")
            }
            write_summaries(self._writer, self.step, histograms, scalars)
        return stats

    def _warn(self, message):
        message = f"ActivationMonitor, step {self.step}: {message}."
        self.warnings.append(message)
        if self.chief:
            print(message, flush=True)
