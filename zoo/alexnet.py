"""AlexNet (Krizhevsky, Sutskever & Hinton 2012, "ImageNet classification with deep CNNs").

Single tower by default; `two_gpu_grouping=True` splits conv2, conv4 and conv5 into two groups as
the paper's two GPUs did (`groups=2`). Parameter counts at 224x224x3, 1000 classes, biases, no
BatchNorm: 62,378,344 single tower, 60,965,224 grouped (the paper's "60 million", section 1;
`zoo.describe("alexnet")` counts them). conv1 is padded by 2 so 224 (or 227)
gives 55x55 maps and fc6 sees 6x6x256.
"""

from __future__ import annotations

import keras
from keras import layers

from components.initializers import layer_initializer
from components.layers import BN_MOMENTUM, LocalResponseNormalization
from zoo.defaults import BUILDER_SEARCH_SPACE, ModelDefaults, quarter_width_fast_recipe
from zoo.registry import check_activation, register_model, resolve_scale

# (filters, kernel, stride, max-pool after it, LRN after it, grouped in the two-GPU layout)
PAPER_CONVS = (
    (96, 11, 4, True, True, False),
    (256, 5, 1, True, True, True),
    (384, 3, 1, False, False, False),
    (384, 3, 1, False, False, True),
    (256, 3, 1, True, False, True),
)
PAPER_DENSE = 4096
# Small images: stride 1 and 5x5 first kernel, 'same' pooling (28 -> 14 -> 7 -> 4).
SMALL_CONVS = (
    (64, 5, 1, True, True, False),
    (128, 5, 1, True, True, True),
    (256, 3, 1, False, False, False),
    (256, 3, 1, False, False, True),
    (128, 3, 1, True, False, True),
)
SMALL_DENSE = 512


@register_model(
    defaults=ModelDefaults(
        optimizer="adam",
        learning_rate=1e-3,
        lr_schedule="cosine",
        # the paper's random crops and mirror images; the epochs to convergence were not
        # measured on this CPU (docs/RESULTS.md has the command).
        augment="standard",
        epochs=10,
        batch_size=128,
        paper="Krizhevsky, Sutskever & Hinton 2012, ImageNet classification with deep CNNs",
        paper_input_shape=(224, 224, 3),
        search_space=BUILDER_SEARCH_SPACE,
        # 13.0 MFLOP per 28x28 image at a quarter width: 51 epochs within the budget
        # (107.7 TFLOP).
        recipes={"fast": quarter_width_fast_recipe(51, "AlexNet")},
    )
)
def alexnet(
    input_shape=(28, 28, 1),
    num_classes=10,
    scale: str = "auto",
    width: float = 1.0,
    two_gpu_grouping: bool = False,
    dropout: float = 0.5,
    batch_norm: bool = False,
    activation: str = "relu",
    kernel_initializer="glorot_uniform",
) -> keras.Model:
    """AlexNet: 5 convolutions (LRN after the first two, overlapping 3x3/2 max pooling), two
    dropout-regularized dense layers, logits.

    Args:
        scale: `"paper"` (224x224x3), `"small"` (28-32 px) or `"auto"` (by input size).
        width: multiplies every convolution and dense width.
        two_gpu_grouping: `groups=2` in conv2, conv4 and conv5, as the paper's two GPUs.
        dropout: rate after each hidden dense layer (the paper: 0.5).
        batch_norm: BatchNorm between each convolution and its activation (not in the paper,
            which predates it; the convolutions then have no biases).
        activation: a Keras activation name, after every hidden layer (the paper: ReLU).
        kernel_initializer: of the hidden layers, a name of `components.initializers` or a
            Keras initializer (the paper: N(0, 0.01), `"small_normal"`; default Keras's Glorot).
    """
    activation = check_activation(activation)
    scale = resolve_scale(scale, input_shape)
    convs, dense = (PAPER_CONVS, PAPER_DENSE) if scale == "paper" else (SMALL_CONVS, SMALL_DENSE)
    pool_padding = "valid" if scale == "paper" else "same"
    inputs = keras.Input(shape=input_shape, name="images")
    x = layers.ZeroPadding2D(2, name="alexnet_pad")(inputs) if scale == "paper" else inputs
    for i, (filters, kernel, stride, pool, lrn, grouped) in enumerate(convs, start=1):
        groups = 2 if (two_gpu_grouping and grouped) else 1
        filters = max(groups, int(round(filters * width / groups)) * groups)
        padding = "valid" if (scale == "paper" and i == 1) else "same"
        x = layers.Conv2D(
            filters,
            kernel,
            stride,
            padding,
            groups=groups,
            activation=None if batch_norm else activation,
            use_bias=not batch_norm,
            kernel_initializer=layer_initializer(kernel_initializer),
            name=f"conv{i}",
        )(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"conv{i}_bn")(x)
            x = layers.Activation(activation, name=f"conv{i}_{activation}")(x)
        if lrn:
            x = LocalResponseNormalization(2, 2.0, 1e-4, 0.75, name=f"lrn{i}")(x)
        if pool:
            x = layers.MaxPooling2D(3, 2, padding=pool_padding, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    for i in (6, 7):
        x = layers.Dense(
            int(dense * width),
            activation=activation,
            kernel_initializer=layer_initializer(kernel_initializer),
            name=f"fc{i}",
        )(x)
        x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = layers.Dense(num_classes, name="classifier")(x)
    return keras.Model(inputs, outputs, name="alexnet")
