"""Puts the learning rate into each epoch's logs, so History, CSV and progress bars show it."""

from __future__ import annotations

import keras

from components.optimizers.learning_rate import current_learning_rate


@keras.saving.register_keras_serializable(package="classiczoo")
class LearningRateLogger(keras.callbacks.Callback):
    """Adds `learning_rate` (the rate of the epoch's last step) to the epoch logs.

    Keras's TensorBoard callback already writes it to TensorBoard; this makes it part of
    `History` (Keras's `History` records the logs after the callbacks given to `fit`).

    Example:
    >>> history = model.fit(data, epochs=3, callbacks=[LearningRateLogger()])  # doctest: +SKIP
    >>> history.history["learning_rate"]  # doctest: +SKIP
    """

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = current_learning_rate(self.model.optimizer)
