"""LeNet-5 (LeCun et al. 1998, "Gradient-based learning applied to document recognition").

`lenet5` follows the paper as d2l (ch. 7.6) writes it: sigmoid activations, average pooling, and
padding 2 on the first convolution so a 28x28 input gives the paper's 28x28 C1 maps (the paper
fed 32x32). `lenet5_bn` is the modern variant: BatchNorm + ReLU + max pooling.
"""

from __future__ import annotations

import dataclasses

import keras
from keras import layers

from components.initializers import layer_initializer
from components.layers import BN_MOMENTUM
from components.tuning.search_space import FloatRange
from zoo.defaults import BUILDER_SEARCH_SPACE, ModelDefaults
from zoo.registry import check_activation, register_model

# (filters, kernel) of the two convolutions and widths of the two hidden dense layers.
CONV_WIDTHS = ((6, 5), (16, 5))
DENSE_WIDTHS = (120, 84)
# What `classiczoo tune` may choose for both variants: every option their builder takes.
SEARCH_SPACE = dataclasses.replace(BUILDER_SEARCH_SPACE, dropout=FloatRange(0.0, 0.5, step=0.1))


def _lenet(
    input_shape,
    num_classes,
    *,
    name: str,
    pool: type[layers.Layer],
    batch_norm: bool,
    activation: str,
    kernel_initializer,
    dropout: float,
    sync_batch_norm: bool = False,
) -> keras.Model:
    activation = check_activation(activation)
    inputs = keras.Input(shape=input_shape, name="images")
    x = inputs
    for i, (filters, kernel) in enumerate(CONV_WIDTHS, start=1):
        padding = "same" if i == 1 else "valid"
        x = layers.Conv2D(
            filters,
            kernel,
            padding=padding,
            use_bias=not batch_norm,
            kernel_initializer=layer_initializer(kernel_initializer),
            name=f"{name}_conv{i}",
        )(x)
        if batch_norm:
            x = layers.BatchNormalization(
                momentum=BN_MOMENTUM, synchronized=sync_batch_norm, name=f"{name}_conv{i}_bn"
            )(x)
        x = layers.Activation(activation, name=f"{name}_conv{i}_{activation}")(x)
        x = pool(pool_size=2, strides=2, name=f"{name}_pool{i}")(x)
    x = layers.Flatten(name=f"{name}_flatten")(x)
    for i, width in enumerate(DENSE_WIDTHS, start=1):
        x = layers.Dense(
            width,
            use_bias=not batch_norm,
            kernel_initializer=layer_initializer(kernel_initializer),
            name=f"{name}_fc{i}",
        )(x)
        if batch_norm:
            x = layers.BatchNormalization(
                momentum=BN_MOMENTUM, synchronized=sync_batch_norm, name=f"{name}_fc{i}_bn"
            )(x)
        x = layers.Activation(activation, name=f"{name}_fc{i}_{activation}")(x)
        if dropout:  # no layer at 0, so the default model is the paper's, layer for layer
            x = layers.Dropout(dropout, name=f"{name}_fc{i}_dropout")(x)
    outputs = layers.Dense(num_classes, name="classifier")(x)
    return keras.Model(inputs, outputs, name=name)


@register_model(
    defaults=ModelDefaults(
        optimizer="adam",
        learning_rate=3e-3,
        lr_schedule="cosine",
        epochs=10,
        batch_size=128,
        paper="LeCun et al. 1998, Gradient-based learning applied to document recognition",
        search_space=SEARCH_SPACE,
    )
)
def lenet5(
    input_shape=(28, 28, 1),
    num_classes=10,
    activation: str = "sigmoid",
    kernel_initializer="glorot_uniform",
    dropout: float = 0.0,
    batch_norm: bool = False,
) -> keras.Model:
    """LeNet-5 as in the paper (sigmoid, average pooling): 61,706 parameters at 28x28x1.

    Sigmoid units saturate: with d2l's plain SGD (lr 0.9) the loss sits near ln(10) for
    hundreds of steps before it falls. The recipe defaults (Adam 3e-3, cosine decay, batch
    128, 10 epochs) get past that plateau quickly; `--optimizer sgd --lr 0.9` gives d2l's run.

    Args:
        activation: a Keras activation name, after every hidden layer (the paper: sigmoid).
        kernel_initializer: of the hidden layers: a name of `components.initializers`
            (`"xavier_uniform"`, `"he_normal"`, ...) or a Keras initializer.
        dropout: rate after each hidden dense layer (none in the paper).
        batch_norm: BatchNorm before each activation (then without biases).
    """
    return _lenet(
        input_shape,
        num_classes,
        name="lenet5",
        pool=layers.AveragePooling2D,
        batch_norm=batch_norm,
        activation=activation,
        kernel_initializer=kernel_initializer,
        dropout=dropout,
    )


@register_model(
    defaults=ModelDefaults(
        # Chosen on the 10 % validation split among nine settings of the same 3 epochs, two
        # seeds each (docs/RESULTS.md, "LeNet-BN in three epochs"): the fast recipe's Nesterov
        # SGD, warm-up and linear decay, decoupled weight decay and label smoothing, in
        # batches of 64, against Adam 3e-3 with cosine decay in batches of 128 before
        # (validation 0.9183 against 0.9121, the mean of two seeds).
        optimizer="nesterov",
        learning_rate=0.1,
        lr_schedule="warmup_linear",
        weight_decay=5e-3,
        label_smoothing=0.1,
        epochs=3,
        batch_size=64,
        # Measured (docs/RESULTS.md): `standard` augmentation over 30 epochs gave 0.8811 test
        # accuracy against 0.9073 without it in 3: 61k parameters underfit, more varied data
        # does not help them.
        augment="none",
        paper="LeCun et al. 1998; BatchNorm: Ioffe & Szegedy 2015",
        search_space=SEARCH_SPACE,
    )
)
def lenet5_bn(
    input_shape=(28, 28, 1),
    num_classes=10,
    sync_batch_norm=False,
    activation: str = "relu",
    kernel_initializer="glorot_uniform",
    dropout: float = 0.0,
    batch_norm: bool = True,
) -> keras.Model:
    """LeNet-5 with BatchNorm before each ReLU and max pooling (d2l ch. 8.5's BN LeNet).

    Recipe defaults (Adam 3e-3, cosine decay to 0 over 3 epochs, batch 128) reach about 0.90
    Fashion-MNIST test accuracy in 3 epochs (the project's docs/BENCHMARKS.md).

    Args:
        sync_batch_norm: under a multi-replica strategy, compute the batch statistics over the
            global batch (all replicas) rather than per replica, so training matches one device.
        activation, kernel_initializer, dropout: as for `lenet5`.
        batch_norm: False gives the ReLU, max-pooling LeNet without BatchNorm.
    """
    return _lenet(
        input_shape,
        num_classes,
        name="lenet5_bn",
        pool=layers.MaxPooling2D,
        batch_norm=batch_norm,
        activation=activation,
        kernel_initializer=kernel_initializer,
        dropout=dropout,
        sync_batch_norm=sync_batch_norm,
    )
