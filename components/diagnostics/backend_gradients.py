"""The loss and its gradients of a model on one batch, in inference mode, on any backend.

TensorFlow takes them with a `GradientTape`; JAX with `jax.value_and_grad` over Keras's
stateless call (`model.stateless_call`), both compiled once per model. Nothing in the model
changes: dropout is off and BatchNorm uses its moving statistics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras


def loss_and_gradients_function(
    model: keras.Model, loss: Callable, variables: Sequence
) -> Callable:
    """`f(x, y) -> (loss, [gradient of each of variables])`, compiled for Keras's backend.

    Args:
        model: the model; its first output is compared with `y` when it has several.
        loss: `loss(y_true, y_pred)`.
        variables: trainable variables of `model` to differentiate by (e.g. its kernels); a
            variable the loss does not reach gets a zero gradient.

    Raises:
        NotImplementedError: a backend other than TensorFlow and JAX.

    Example:
    >>> gradients_of = loss_and_gradients_function(model, loss, model.trainable_variables)
    ... # doctest: +SKIP
    >>> loss, gradients = gradients_of(x, y)  # doctest: +SKIP
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        return _tensorflow_function(model, loss, list(variables))
    if backend == "jax":
        return _jax_function(model, loss, list(variables))
    raise NotImplementedError(
        f"Gradients of a model are taken under the tensorflow and jax backends, not {backend!r}; "
        "set KERAS_BACKEND=tensorflow or jax."
    )


def _main_output(outputs):
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def _tensorflow_function(model, loss, variables):
    import tensorflow as tf

    @tf.function
    def loss_and_gradients(x, y):
        with tf.GradientTape() as tape:
            value = loss(y, _main_output(model(x, training=False)))
        gradients = tape.gradient(value, variables)
        pairs = zip(variables, gradients, strict=True)
        return value, [tf.zeros_like(v) if g is None else g for v, g in pairs]

    return loss_and_gradients


def _jax_function(model, loss, variables):
    import jax

    wanted = {id(v) for v in variables}
    positions = [i for i, v in enumerate(model.trainable_variables) if id(v) in wanted]
    if len(positions) != len(variables):
        raise ValueError("Every variable must be one of the model's trainable variables.")

    def loss_of(trainable_values, non_trainable_values, x, y):
        outputs, _ = model.stateless_call(
            trainable_values, non_trainable_values, x, training=False
        )
        return loss(y, _main_output(outputs))

    value_and_grad = jax.jit(jax.value_and_grad(loss_of))

    def loss_and_gradients(x, y):
        # The variables' current values, read at each call (the model keeps training).
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        value, gradients = value_and_grad(trainable, non_trainable, x, y)
        return value, [gradients[i] for i in positions]

    return loss_and_gradients


__all__ = ["loss_and_gradients_function"]
