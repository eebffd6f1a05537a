"""Gradient checks of every custom layer and loss of the project (float64, relative error)."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from components.diagnostics.gradcheck import check_gradients
from components.layers import (
    InceptionBlock,
    LocalResponseNormalization,
    Maxout,
    NiNBlock,
    PCAWhitening,
    VGGBlock,
    ZCAWhitening,
)
from components.losses import MulticlassSVM

RNG = np.random.default_rng(0)


def _randomized(layer, shape):
    """Builds the layer and gives every weight random values: zero biases put ReLU inputs
    exactly on the kink, where finite differences and the analytic gradient disagree."""
    layer(np.zeros(shape, np.float32))
    for weight in layer.trainable_weights:  # BatchNorm's moving variance stays positive
        weight.assign(RNG.normal(scale=0.5, size=weight.shape))
    return layer


@pytest.mark.parametrize(
    "factory,shape",
    [
        (lambda: Maxout(4), (3, 12)),
        (lambda: LocalResponseNormalization(2, 2.0, 1e-2, 0.75), (2, 4, 4, 7)),
        (lambda: VGGBlock(2, 3), (2, 6, 6, 2)),
        (lambda: VGGBlock(1, 3, batch_norm=True), (2, 6, 6, 2)),
        (lambda: NiNBlock(3, 3, strides=2, padding="valid"), (2, 7, 7, 2)),
        (lambda: InceptionBlock(2, 2, 3, 2, 2, 2), (2, 5, 5, 3)),
    ],
)
def test_custom_layers(factory, shape):
    layer = _randomized(factory(), shape)
    result = check_gradients(layer, RNG.normal(size=shape))
    assert result.max_error < 1e-6, str(result)


@pytest.mark.parametrize("cls", [PCAWhitening, ZCAWhitening])
def test_whitening_layers(cls):
    layer = cls(epsilon=0.1)
    layer.adapt(RNG.normal(size=(50, 3, 3, 2)))
    assert check_gradients(layer, RNG.normal(size=(4, 3, 3, 2))).max_error < 1e-6


def test_multiclass_svm_loss():
    scores = RNG.normal(size=(6, 5))
    result = check_gradients(MulticlassSVM(), scores, y_true=np.array([0, 1, 2, 3, 4, 0]))
    assert result.max_error < 1e-6, str(result)


def test_a_wrong_gradient_is_caught():
    @tf.custom_gradient
    def bad_square(x):
        return x * x, lambda upstream: upstream * 3.0 * x  # should be 2x

    class BadSquare(keras.layers.Layer):
        def call(self, inputs):
            return bad_square(inputs)

    result = check_gradients(BadSquare(), RNG.normal(size=(3, 4)))
    assert result.errors["input:0"] == pytest.approx(0.2, rel=1e-3)  # |3x-2x| / (3x+2x)
