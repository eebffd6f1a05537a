"""GoogLeNet / Inception v1 (Szegedy et al. 2014, "Going deeper with convolutions").

The stem and the nine inception blocks of the paper's Table 1, global average pooling, dropout
0.4 and a linear classifier. Without LRN (later work found it adds nothing) and without the
auxiliary classifiers: 6,998,552 parameters at 224x224x3, 1000 classes, biases included
(`zoo.describe("googlenet")` counts them; the paper's Table 1 sums to about 6.8M
without biases).

With `aux_classifiers=True` the model outputs `[logits, aux1_logits, aux2_logits]`, the
auxiliary heads on inception (4a) and (4d) as in the paper; `components.training` weighs their
losses by 0.3, and `zoo.inference_model` (used by the export) drops them.
"""

from __future__ import annotations

import keras
from keras import layers

from components.initializers import layer_initializer
from components.layers import BN_MOMENTUM, InceptionBlock
from zoo.defaults import BUILDER_SEARCH_SPACE, ModelDefaults, fast_recipe
from zoo.registry import check_activation, register_model, resolve_scale

# Table 1: name, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj; "pool": 3x3/2 max pool.
TABLE_1 = (
    ("3a", 64, 96, 128, 16, 32, 32),
    ("3b", 128, 128, 192, 32, 96, 64),
    "pool",
    ("4a", 192, 96, 208, 16, 48, 64),
    ("4b", 160, 112, 224, 24, 64, 64),
    ("4c", 128, 128, 256, 24, 64, 64),
    ("4d", 112, 144, 288, 32, 64, 64),
    ("4e", 256, 160, 320, 32, 128, 128),
    "pool",
    ("5a", 256, 160, 320, 32, 128, 128),
    ("5b", 384, 192, 384, 48, 128, 128),
)
AUX_AFTER = ("4a", "4d")
SMALL_WIDTH = 0.5


def _scaled(n: int, width: float) -> int:
    return max(1, int(round(n * width)))


def _aux_head(x, num_classes: int, width: float, name: str, activation: str, initializer):
    """The paper's auxiliary classifier: 5x5/3 average pool, 1x1 conv 128, FC 1024, dropout 0.7."""
    x = layers.AveragePooling2D(5, 3, padding="same", name=f"{name}_pool")(x)
    x = layers.Conv2D(
        _scaled(128, width),
        1,
        activation=activation,
        kernel_initializer=layer_initializer(initializer),
        name=f"{name}_conv",
    )(x)
    x = layers.Flatten(name=f"{name}_flatten")(x)
    x = layers.Dense(
        _scaled(1024, width),
        activation=activation,
        kernel_initializer=layer_initializer(initializer),
        name=f"{name}_fc",
    )(x)
    x = layers.Dropout(0.7, name=f"{name}_dropout")(x)
    return layers.Dense(num_classes, name=f"{name}_classifier")(x)


@register_model(
    defaults=ModelDefaults(
        optimizer="adam",
        learning_rate=2e-3,
        lr_schedule="cosine",
        # the paper's random crops (and mirror images); the epochs to convergence were not
        # measured on this CPU (docs/RESULTS.md has the command).
        augment="standard",
        epochs=10,
        batch_size=128,
        paper="Szegedy et al. 2014, Going deeper with convolutions",
        paper_input_shape=(224, 224, 3),
        search_space=BUILDER_SEARCH_SPACE,
        # Its published 0.937 is the goal; 188.1 MFLOP per image: 6 epochs are 183 TFLOP.
        # BatchNorm (an option of the builder) for the high rate of Nesterov SGD. One run:
        # test 0.9364, 0.9382 with six-view TTA (docs/RESULTS.md).
        recipes={
            "fast": fast_recipe(
                6,
                goal="its published 0.937 test accuracy in 6 epochs",
                chosen_on="vgg11_bn's values (docs/RESULTS.md); not tuned on GoogLeNet",
                batch_norm=True,
            )
        },
    )
)
def googlenet(
    input_shape=(28, 28, 1),
    num_classes=10,
    scale: str = "auto",
    width: float | None = None,
    aux_classifiers: bool = False,
    batch_norm: bool = False,
    dropout: float = 0.4,
    activation: str = "relu",
    kernel_initializer="glorot_uniform",
) -> keras.Model:
    """GoogLeNet: stem, inception (3a)-(5b) with 3x3/2 max pooling between stages, global
    average pooling, dropout, logits.

    Args:
        scale: `"paper"` (224 px stem: 7x7/2 conv, pool, 1x1, 3x3, pool), `"small"` (28-32 px:
            3x3/1 convs and one pool, so (3a) runs at 14x14) or `"auto"` (by input size).
        width: multiplies every width (default 1 paper, 0.5 small).
        aux_classifiers: add the two auxiliary heads as extra outputs (training only).
        batch_norm: BatchNorm before each ReLU in the stem and inception blocks (not in the
            paper; BN-Inception's change).
        dropout: rate before the classifier (the paper: 0.4).
        activation: a Keras activation name, after every convolution and hidden dense layer
            (the paper: ReLU).
        kernel_initializer: of those layers, a name of `components.initializers` or a Keras
            initializer.
    """
    activation = check_activation(activation)
    scale = resolve_scale(scale, input_shape)
    paper = scale == "paper"
    width = width if width is not None else (1.0 if paper else SMALL_WIDTH)

    def conv(x, filters, kernel, stride, name):
        x = layers.Conv2D(
            _scaled(filters, width),
            kernel,
            stride,
            "same",
            use_bias=not batch_norm,
            kernel_initializer=layer_initializer(kernel_initializer),
            name=name,
        )(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
        return layers.Activation(activation, name=f"{name}_{activation}")(x)

    inputs = keras.Input(shape=input_shape, name="images")
    if paper:
        x = conv(inputs, 64, 7, 2, "stem_conv1")
        x = layers.MaxPooling2D(3, 2, padding="same", name="stem_pool1")(x)
    else:
        x = conv(inputs, 64, 3, 1, "stem_conv1")
    x = conv(x, 64, 1, 1, "stem_conv2_reduce")
    x = conv(x, 192, 3, 1, "stem_conv2")
    x = layers.MaxPooling2D(3, 2, padding="same", name="stem_pool2")(x)
    aux_outputs = []
    pools = 0
    for row in TABLE_1:
        if row == "pool":
            pools += 1
            x = layers.MaxPooling2D(3, 2, padding="same", name=f"pool{pools + 2}")(x)
            continue
        name, *filters = row
        x = InceptionBlock(
            *(_scaled(f, width) for f in filters),
            batch_norm=batch_norm,
            activation=activation,
            kernel_initializer=kernel_initializer,
            name=f"inception{name}",
        )(x)
        if aux_classifiers and name in AUX_AFTER:
            head = f"aux{len(aux_outputs) + 1}"
            aux_outputs.append(
                _aux_head(x, num_classes, width, head, activation, kernel_initializer)
            )
    x = layers.GlobalAveragePooling2D(name="avgpool")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    logits = layers.Dense(num_classes, name="classifier")(x)
    outputs = [logits, *aux_outputs] if aux_classifiers else logits
    return keras.Model(inputs, outputs, name="googlenet")
