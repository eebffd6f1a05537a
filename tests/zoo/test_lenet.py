"""LeNet-5: the paper's parameter count, and both variants learn."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import zoo
from components.optimizers import make_optimizer
from components.training import compile_classifier

pytestmark = pytest.mark.backends  # runs in the JAX pass too


def test_lenet5_parameter_count_by_hand():
    # C1 6@5x5 on 1 channel, C3 16@5x5 on 6, F5 400->120, F6 120->84, output 84->10, with biases.
    convs = (6 * 25 + 6) + (16 * 6 * 25 + 16)
    dense = (400 * 120 + 120) + (120 * 84 + 84) + (84 * 10 + 10)
    expected = convs + dense
    assert zoo.create("lenet5").count_params() == expected == 61_706


def test_lenet5_is_sigmoid_avgpool_and_bn_variant_is_relu_maxpool():
    plain = zoo.create("lenet5")
    kinds = {type(layer).__name__ for layer in plain.layers}
    assert "AveragePooling2D" in kinds and "BatchNormalization" not in kinds
    assert plain.get_layer("lenet5_conv1_sigmoid").activation.__name__ == "sigmoid"
    bn = zoo.create("lenet5_bn")
    kinds = {type(layer).__name__ for layer in bn.layers}
    assert {"MaxPooling2D", "BatchNormalization"} <= kinds
    assert bn.get_layer("lenet5_bn_conv1_relu").activation.__name__ == "relu"


@pytest.mark.parametrize(
    "name,optimizer,lr", [("lenet5", "adam", 3e-3), ("lenet5_bn", "adam", 3e-3)]
)
def test_training_steps_lower_the_loss_on_a_fixed_batch(name, optimizer, lr):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    y = np.arange(64) % 10
    x = rng.normal(scale=0.3, size=(64, 28, 28, 1)).astype("float32")
    for i, label in enumerate(y):  # a learnable signal: a bright row band per class
        x[i, 2 * label + 4 : 2 * label + 7, :, 0] += 2.0
    model = compile_classifier(zoo.create(name), make_optimizer(optimizer, lr))
    before = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    model.fit(x, y, batch_size=32, epochs=40, verbose=0)
    after = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    assert after < 0.5 * before
