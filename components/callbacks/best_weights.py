"""The weights of the best epoch so far, kept through a resume (`--restore-best`)."""

from __future__ import annotations

import math

import keras
import numpy as np

from components.callbacks.weight_average import averaged_weights


@keras.saving.register_keras_serializable(package="classiczoo")
class BestWeights(keras.callbacks.Callback):
    """Keeps the weights of the epoch with the best `monitor` value (the first, on a tie).

    Keras's `EarlyStopping(restore_best_weights=True)` keeps them in memory only, so a run that
    is stopped and resumed ends with the weights of its last epoch while its History still
    names the best one. This callback's state (the best value, its epoch, its weights) is given
    by `get_state` and taken back by `set_state`; the run's checkpoint saves it at every epoch
    end (`components.checkpoints.files.save_history`), so a resumed run ends where the
    uninterrupted one ends. It never stops training. Where the optimizer keeps a moving average
    of the weights (`use_ema`), the average is what is validated and kept
    (`components.callbacks.weight_average`).

    Args:
        monitor: the logged value to watch, e.g. `"val_accuracy"`.
        mode: `"max"` (higher is better) or `"min"`.
        restore_on_train_end: put the best weights back when `fit` ends. A run made of several
            `fit` calls (a resume in the middle of an epoch fits its rest first) says False
            and calls `restore()` once at its end.

    Example:
    >>> best = BestWeights("val_accuracy")
    >>> model.fit(x, y, validation_split=0.1, epochs=5, callbacks=[best])  # doctest: +SKIP
    >>> best.best_epoch  # 0-based, as Keras counts epochs  # doctest: +SKIP
    """

    def __init__(
        self, monitor: str = "val_accuracy", mode: str = "max", restore_on_train_end: bool = True
    ):
        super().__init__()
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}.")
        self.monitor = monitor
        self.mode = mode
        self.restore_on_train_end = restore_on_train_end
        self._reset()

    def get_config(self) -> dict:
        return {
            "monitor": self.monitor,
            "mode": self.mode,
            "restore_on_train_end": self.restore_on_train_end,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def _reset(self) -> None:
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_weights: list[np.ndarray] | None = None

    def _is_improvement(self, value: float) -> bool:
        if self.best is None or math.isnan(self.best):
            return not math.isnan(value) or self.best_weights is None
        return value > self.best if self.mode == "max" else value < self.best

    def on_train_begin(self, logs=None):
        self._reset()  # a new fit starts afresh; a resumed run's checkpoint sets the state after

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            raise ValueError(
                f"BestWeights watches {self.monitor!r}, which the logs lack; logged: "
                f"{', '.join(sorted(logs or {}))}."
            )
        if self._is_improvement(float(value)):
            self.best, self.best_epoch = float(value), epoch
            with averaged_weights(self.model):  # the weights validated, where they are averaged
                self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        if self.restore_on_train_end:
            self.restore()

    def restore(self) -> None:
        """Puts the best epoch's weights into the model (nothing if no epoch has ended)."""
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)

    # -- the state a checkpoint keeps -------------------------------------------------------
    def get_state(self) -> dict:
        """The best value, its epoch and its weights (a list of arrays), for a checkpoint."""
        return {"best": self.best, "best_epoch": self.best_epoch, "weights": self.best_weights}

    def set_state(self, state: dict) -> None:
        """Takes back what `get_state` gave."""
        self.best, self.best_epoch = state["best"], state["best_epoch"]
        weights = state["weights"]
        self.best_weights = None if weights is None else [np.asarray(w) for w in weights]


__all__ = ["BestWeights"]
