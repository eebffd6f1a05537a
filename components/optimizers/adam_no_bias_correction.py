"""Adam without its bias correction, for the lesson that shows what the correction is for."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="classiczoo")
class AdamNoBiasCorrection(keras.optimizers.Adam):
    """Adam (Kingma & Ba 2014) with the bias correction of its moment estimates left out.

    Keras's Adam always corrects the bias; this class, otherwise Keras's Adam, does not:

        m_t = beta_1 m_{t-1} + (1 - beta_1) g_t
        v_t = beta_2 v_{t-1} + (1 - beta_2) g_t^2
        theta_t = theta_{t-1} - lr m_t / (sqrt(v_t) + epsilon)

    where Adam would use `lr sqrt(1 - beta_2^t) / (1 - beta_1^t)` in place of `lr`. Both moments
    start at 0 and are biased towards it; `v` more so (beta_2 = 0.999), so the uncorrected
    steps are too large early on: about `(1 - beta_1^t) / sqrt(1 - beta_2^t)` times Adam's,
    6.5x at step 10, 3.2x at step 100, 1.3x at step 1000 (CS231n, "Adam").

    Args:
        learning_rate, beta_1, beta_2, epsilon, amsgrad, and the rest: as for
            `keras.optimizers.Adam` (`epsilon` is added to `sqrt(v_t)`, as there).

    Example:
    >>> optimizer = AdamNoBiasCorrection(learning_rate=1e-3)
    >>> type(keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))).__name__
    'AdamNoBiasCorrection'
    """

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            self.assign(v_hat, ops.maximum(v_hat, v))
            v = v_hat
        self.assign_sub(
            variable, ops.divide(ops.multiply(m, lr), ops.add(ops.sqrt(v), self.epsilon))
        )
