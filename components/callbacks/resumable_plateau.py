"""Keras's `ReduceLROnPlateau` with its state kept through a resume."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="classiczoo")
class ResumableReduceLROnPlateau(keras.callbacks.ReduceLROnPlateau):
    """Keras's `ReduceLROnPlateau`, whose counters a checkpoint can save and restore.

    The rate it lowers lives in the optimizer (saved with it); its epochs without improvement,
    its best value and its cooldown live only in the callback, so a resumed run would start
    counting afresh and lower the rate at another epoch than the uninterrupted run. The run's
    checkpoint saves `get_state()` at every epoch end and gives it back with `set_state`.

    Args:
        **kwargs: those of `keras.callbacks.ReduceLROnPlateau` (`monitor`, `factor`,
            `patience`, `min_delta`, `cooldown`, `min_lr`, `mode`, `verbose`).

    Example:
    >>> plateau = ResumableReduceLROnPlateau("val_loss", factor=0.5, patience=2)
    >>> plateau.set_state({"best": 0.41, "wait": 1, "cooldown_counter": 0})
    >>> plateau.get_state()
    {'best': 0.41, 'wait': 1, 'cooldown_counter': 0}
    """

    def get_config(self) -> dict:
        return {
            "monitor": self.monitor,
            "factor": self.factor,
            "patience": self.patience,
            "verbose": self.verbose,
            "mode": self.mode,
            "min_delta": self.min_delta,
            "cooldown": self.cooldown,
            "min_lr": self.min_lr,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_state(self) -> dict:
        """The best value so far, the epochs waited and the cooldown left."""
        best = None if self.best is None else float(self.best)
        return {"best": best, "wait": int(self.wait), "cooldown_counter": self.cooldown_counter}

    def set_state(self, state: dict) -> None:
        """Takes back what `get_state` gave."""
        self.best = state["best"]
        self.wait = int(state["wait"])
        self.cooldown_counter = int(state["cooldown_counter"])


__all__ = ["ResumableReduceLROnPlateau"]
