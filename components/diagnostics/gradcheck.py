"""Numerical gradient checking (CS231n's "gradient check"), in float64.

`check_gradients` compares the gradients `tf.GradientTape` computes for a layer, model or loss
with centered finite differences, `(f(x + h) - f(x - h)) / 2h`, and reports the maximum
relative error `|a - n| / max(|a| + |n|, tiny)` per input and per variable. In float64 a correct
gradient gives about 1e-7 or less; around 1e-2 something is wrong. The scalar checked is
`sum(output * R)` with a fixed random `R`, so every output element counts. Keras has no
gradient checker (`tf.test.compute_gradient` checks ops, not layers with weights).
"""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

TINY = 1e-12


@dataclasses.dataclass
class GradientCheck:
    """Maximum relative errors, keyed `input:<i>` and by variable path."""

    errors: dict[str, float]
    checked: dict[str, int]

    @property
    def max_error(self) -> float:
        return max(self.errors.values()) if self.errors else 0.0

    def __str__(self) -> str:
        return "\n".join(
            f"{name}: max relative error {err:.2e} over {self.checked[name]} entries"
            for name, err in self.errors.items()
        )


def float64_copy(target):
    """A float64 twin of a layer or functional model, with the same weights."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float64")  # sublayers made in __init__ follow it too
    try:
        if isinstance(target, keras.Model):
            copy = keras.models.clone_model(
                target,
                clone_function=lambda layer: type(layer).from_config(
                    {**layer.get_config(), "dtype": "float64"}
                ),
            )
        else:
            copy = type(target).from_config({**target.get_config(), "dtype": "float64"})
    finally:
        keras.config.set_dtype_policy(previous)
    return copy


def _relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    scale = np.maximum(np.abs(analytic) + np.abs(numeric), TINY)
    return float(np.max(np.abs(analytic - numeric) / scale))


def check_gradients(
    target,
    inputs,
    *,
    y_true=None,
    epsilon: float = 1e-6,
    max_entries: int = 60,
    training: bool = False,
    seed: int = 0,
) -> GradientCheck:
    """Checks the gradients of `target` at `inputs` against centered finite differences.

    Args:
        target: a Keras layer or functional model (a float64 copy with the same weights is
            checked), or a loss `f(y_true, y_pred)` (gradients with respect to `y_pred`).
        inputs: the input (or `y_pred` for a loss), a NumPy array.
        y_true: the labels, for a loss.
        epsilon: the finite-difference step.
        max_entries: entries checked per tensor (a random sample where there are more).
        training: call the layer in training mode.
        seed: seeds the projection `R` and the sample of entries.

    Example:
    >>> from components.layers import Maxout
    >>> result = check_gradients(Maxout(4), np.random.randn(3, 12))
    >>> result.max_error < 1e-6
    True
    """
    rng = np.random.default_rng(seed)
    x = tf.Variable(np.asarray(inputs, np.float64))
    is_loss = y_true is not None
    if is_loss:
        variables = []
        if isinstance(target, keras.losses.Loss):  # Keras losses compute in their own dtype
            target = type(target).from_config({**target.get_config(), "dtype": "float64"})

        def forward():
            return target(tf.constant(y_true), x)

    else:
        if not getattr(target, "built", False):
            target(np.asarray(inputs, np.float32))
        model = float64_copy(target)
        model(x)  # build
        model.set_weights([w.astype(np.float64) for w in target.get_weights()])
        variables = list(model.trainable_variables)

        def forward():
            return model(x, training=training)

    projection = tf.constant(rng.normal(size=forward().shape), tf.float64)

    def scalar():
        return tf.reduce_sum(tf.cast(forward(), tf.float64) * projection)

    with tf.GradientTape() as tape:
        value = scalar()
    gradients = tape.gradient(value, [x, *variables])

    errors, checked = {}, {}
    for name, variable, gradient in zip(
        ["input:0", *[v.path for v in variables]], [x, *variables], gradients, strict=True
    ):
        analytic = np.zeros(variable.shape) if gradient is None else np.asarray(gradient)
        flat_size = int(np.prod(variable.shape))
        picks = rng.choice(flat_size, size=min(max_entries, flat_size), replace=False)
        numeric = np.empty(len(picks))
        original = variable.numpy().copy()
        for k, index in enumerate(picks):
            position = np.unravel_index(index, variable.shape)
            values = []
            for sign in (1.0, -1.0):
                shifted = original.copy()
                shifted[position] += sign * epsilon
                variable.assign(shifted)
                values.append(float(scalar()))
            numeric[k] = (values[0] - values[1]) / (2 * epsilon)
        variable.assign(original)
        errors[name] = _relative_error(analytic.reshape(-1)[picks], numeric)
        checked[name] = len(picks)
    return GradientCheck(errors, checked)
