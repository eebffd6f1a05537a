"""Network in Network (Lin, Chen & Yan 2013): mlpconv blocks, dropout, global average pooling,
no dense layers.

The paper-scale model is d2l's ImageNet NiN (blocks of 96 11x11/4, 256 5x5, 384 3x3, then one
map per class); the small one follows the paper's CIFAR-10 network (192-wide 5x5 blocks, 3x3/2
pooling, dropout 0.5 after the first two) at half width by default.
"""

from __future__ import annotations

import keras
from keras import layers

from components.layers import NiNBlock
from zoo.defaults import BUILDER_SEARCH_SPACE, ModelDefaults, quarter_width_fast_recipe
from zoo.registry import check_activation, register_model, resolve_scale

# (filters, kernel, stride, padding) of the feature blocks; each is followed by 3x3/2 pooling.
PAPER_BLOCKS = ((96, 11, 4, "valid"), (256, 5, 1, "same"), (384, 3, 1, "same"))
SMALL_BLOCKS = ((192, 5, 1, "same"), (192, 5, 1, "same"))
SMALL_WIDTH = 0.5


@register_model(
    defaults=ModelDefaults(
        optimizer="adam",
        learning_rate=1e-3,
        lr_schedule="cosine",
        # the paper's CIFAR translations and flips; the epochs to convergence were not
        # measured on this CPU (docs/RESULTS.md has the command).
        augment="standard",
        epochs=10,
        batch_size=128,
        paper="Lin, Chen & Yan 2013, Network In Network",
        paper_input_shape=(224, 224, 3),
        search_space=BUILDER_SEARCH_SPACE,
        # 33.9 MFLOP per 28x28 image at a quarter of the CIFAR net's width: 19 epochs within
        # the budget (104.4 TFLOP).
        recipes={"fast": quarter_width_fast_recipe(19, "NiN")},
    )
)
def nin(
    input_shape=(28, 28, 1),
    num_classes=10,
    scale: str = "auto",
    width: float | None = None,
    dropout: float = 0.5,
    activation: str = "relu",
    kernel_initializer="glorot_uniform",
    batch_norm: bool = False,
) -> keras.Model:
    """NiN: mlpconv blocks with 3x3/2 max pooling, dropout, a final block with one map per
    class, and global average pooling to logits.

    Args:
        scale: `"paper"`, `"small"` or `"auto"` (by input size).
        width: multiplies the feature blocks' widths (default 1 paper, 0.5 small).
        dropout: rate before the class block (and between blocks at small scale).
        activation: a Keras activation name, after every convolution but the class block's
            last (the paper: ReLU).
        kernel_initializer: of every convolution, a name of `components.initializers` or a
            Keras initializer.
        batch_norm: BatchNorm between each convolution and its activation (not in the paper,
            which predates it; `NiNBlock`'s option).
    """
    activation = check_activation(activation)
    scale = resolve_scale(scale, input_shape)
    paper = scale == "paper"
    width = width if width is not None else (1.0 if paper else SMALL_WIDTH)
    inputs = keras.Input(shape=input_shape, name="images")
    x = inputs
    blocks = PAPER_BLOCKS if paper else SMALL_BLOCKS
    for i, (filters, kernel, stride, padding) in enumerate(blocks, start=1):
        x = NiNBlock(
            max(1, int(filters * width)),
            kernel,
            stride,
            padding,
            kernel_initializer=kernel_initializer,
            activation=activation,
            batch_norm=batch_norm,
            name=f"mlpconv{i}",
        )(x)
        x = layers.MaxPooling2D(3, 2, padding="valid" if paper else "same", name=f"pool{i}")(x)
        if not paper or i == len(blocks):
            x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    x = NiNBlock(
        num_classes,
        3,
        1,
        "same",
        activate_output=False,
        kernel_initializer=kernel_initializer,
        activation=activation,
        batch_norm=batch_norm,
        name="mlpconv_classes",
    )(x)
    outputs = layers.GlobalAveragePooling2D(name="classifier")(x)
    return keras.Model(inputs, outputs, name="nin")
