"""VGG (Simonyan & Zisserman 2014, "Very deep convolutional networks for large-scale image
recognition"): configurations A, B, D, E as VGG-11/13/16/19, and their BatchNorm variants.

At 224x224x3 with 1000 classes the plain models have exactly the parameters of
`keras.applications.VGG16/VGG19(weights=None)`: vgg16 138,357,544 and vgg19 143,667,240.
Every variant takes `scale` ("auto", "paper", "small"), `width` (multiplies all widths),
`dropout` (after each hidden dense layer), `batch_norm` (default off for `vggN`, on for
`vggN_bn`), `activation` and `kernel_initializer`. The small-image configuration halves the widths
(`width=0.5`), pools with 'same' padding so 28 and 32 px inputs both reach 1x1 after five
blocks, and uses 512-wide dense layers (times width).
"""

from __future__ import annotations

import keras
from keras import layers

from components.initializers import layer_initializer
from components.layers import VGGBlock
from zoo.defaults import BUILDER_SEARCH_SPACE, ModelDefaults, fast_recipe
from zoo.registry import check_activation, register_model, resolve_scale

# Convolutions per block, the paper's Table 1 (A, B, D, E); every config has five blocks.
CONFIGS = {
    "vgg11": (1, 1, 2, 2, 2),
    "vgg13": (2, 2, 2, 2, 2),
    "vgg16": (2, 2, 3, 3, 3),
    "vgg19": (2, 2, 4, 4, 4),
}
BLOCK_WIDTHS = (64, 128, 256, 512, 512)
PAPER_DENSE, SMALL_DENSE, SMALL_WIDTH = 4096, 512, 0.5


def _vgg(
    config: str,
    input_shape=(28, 28, 1),
    num_classes=10,
    *,
    scale: str = "auto",
    width: float | None = None,
    dropout: float = 0.5,
    batch_norm: bool = False,
    activation: str = "relu",
    kernel_initializer=None,
) -> keras.Model:
    """Builds `config` of Table 1 ("vgg11", ...); its keyword options are every variant's.

    Args:
        config: a key of `CONFIGS`.
        scale: `"paper"` (224x224x3), `"small"` (28-32 px) or `"auto"` (by input size).
        width: multiplies every width (default 1 paper, 0.5 small).
        dropout: rate after each hidden dense layer (the paper: 0.5).
        batch_norm: BatchNorm after each convolution (default off for `vggN`, on for
            `vggN_bn`).
        activation: a Keras activation name, after every hidden layer (the paper: ReLU).
        kernel_initializer: of the hidden layers, a name of `components.initializers` or a
            Keras initializer; None: He normal in the convolutions, Glorot in the dense layers.
    """
    activation = check_activation(activation)
    scale = resolve_scale(scale, input_shape)
    paper = scale == "paper"
    width = width if width is not None else (1.0 if paper else SMALL_WIDTH)
    model_name = f"{config}_bn" if batch_norm else config
    # None: He in the convolutions (VGGBlock's default), Keras's Glorot in the dense layers.
    conv_init = kernel_initializer or "he_normal"
    dense_init = kernel_initializer or "glorot_uniform"
    inputs = keras.Input(shape=input_shape, name="images")
    x = inputs
    for i, (num_convs, filters) in enumerate(zip(CONFIGS[config], BLOCK_WIDTHS, strict=True)):
        x = VGGBlock(
            num_convs,
            max(1, int(filters * width)),
            batch_norm=batch_norm,
            pool_padding="valid" if paper else "same",
            kernel_initializer=conv_init,
            activation=activation,
            name=f"block{i + 1}",
        )(x)
    x = layers.Flatten(name="flatten")(x)
    dense = max(1, int((PAPER_DENSE if paper else SMALL_DENSE) * width))
    for i in (1, 2):
        x = layers.Dense(
            dense,
            activation=activation,
            kernel_initializer=layer_initializer(dense_init),
            name=f"fc{i}",
        )(x)
        x = layers.Dropout(dropout, name=f"dropout{i}")(x)
    outputs = layers.Dense(num_classes, name="classifier")(x)
    return keras.Model(inputs, outputs, name=model_name)


# The fast recipe's epochs and width, within a sixth of the training compute of vgg16_bn's
# default run on Fashion-MNIST (30 epochs x 54,000 images x 3 x 134.3 MFLOP = 653 TFLOP, so
# 109 TFLOP), at each variant's forward FLOPs per 28x28 image (`classiczoo models describe`).
# vgg11_bn: chosen on the 10 % validation split among five width/epoch trades of the same
# compute (docs/RESULTS.md): a quarter of the paper's widths (16.96 MFLOP) for 36 epochs beat
# half (the small scale's, 67.4 MFLOP) for 9, 3/8 for 16 and 3/16 for 64. The deeper variants
# take that finding over at the same quarter width, with as many epochs as fit: vgg13_bn
# 24.2 MFLOP -> 27 epochs, vgg16_bn 33.7 -> 19, vgg19_bn 43.2 -> 15.
FAST = {
    "vgg11": (36, {"width": 0.25}),
    "vgg13": (27, {"width": 0.25}),
    "vgg16": (19, {"width": 0.25}),
    "vgg19": (15, {"width": 0.25}),
}


def _defaults(batch_norm: bool, config: str = "vgg11") -> ModelDefaults:
    return ModelDefaults(
        # Plain deep VGGs diverge or stall at larger steps (the paper warm-started D and E
        # from shallower nets); BatchNorm removes that.
        optimizer="adam",
        learning_rate=2e-3 if batch_norm else 3e-4,
        lr_schedule="cosine",
        # The paper's flips and crops. Measured on vgg11_bn (docs/RESULTS.md): validation
        # accuracy rises until about epoch 27 of 30 and is flat after, at 0.940.
        augment="standard",
        epochs=30,
        batch_size=128,
        paper="Simonyan & Zisserman 2014, Very deep convolutional networks"
        + ("; BatchNorm: Ioffe & Szegedy 2015" if batch_norm else ""),
        paper_input_shape=(224, 224, 3),
        search_space=BUILDER_SEARCH_SPACE,
        recipes={"fast": fast_recipe(FAST[config][0], **FAST[config][1])} if batch_norm else {},
    )


# One small function per variant, as timm's vgg.py: each is findable by its name, the CONFIGS
# table decides the architecture, and `_vgg`'s keyword options are theirs.


@register_model(defaults=_defaults(batch_norm=False), options_from=_vgg)
def vgg11(input_shape=(28, 28, 1), num_classes=10, **options) -> keras.Model:
    """VGG-11, configuration A."""
    return _vgg("vgg11", input_shape, num_classes, **options)


@register_model(defaults=_defaults(batch_norm=False), options_from=_vgg)
def vgg13(input_shape=(28, 28, 1), num_classes=10, **options) -> keras.Model:
    """VGG-13, configuration B."""
    return _vgg("vgg13", input_shape, num_classes, **options)


@register_model(defaults=_defaults(batch_norm=False), options_from=_vgg)
def vgg16(input_shape=(28, 28, 1), num_classes=10, **options) -> keras.Model:
    """VGG-16, configuration D."""
    return _vgg("vgg16", input_shape, num_classes, **options)


@register_model(defaults=_defaults(batch_norm=False), options_from=_vgg)
def vgg19(input_shape=(28, 28, 1), num_classes=10, **options) -> keras.Model:
    """VGG-19, configuration E."""
    return _vgg("vgg19", input_shape, num_classes, **options)


@register_model(defaults=_defaults(batch_norm=True, config="vgg11"), options_from=_vgg)
def vgg11_bn(input_shape=(28, 28, 1), num_classes=10, **options) -> keras.Model:
    """VGG-11, configuration A, BatchNorm after each convolution."""
    return _vgg("vgg11", input_shape, num_classes, **{"batch_norm": True, **options})


@register_model(defaults=_defaults(batch_norm=True, config="vgg13"), options_from=_vgg)
def vgg13_bn(input_shape=(28, 28, 1), num_classes=10, **options) -> keras.Model:
    """VGG-13, configuration B, BatchNorm after each convolution."""
    return _vgg("vgg13", input_shape, num_classes, **{"batch_norm": True, **options})


@register_model(defaults=_defaults(batch_norm=True, config="vgg16"), options_from=_vgg)
def vgg16_bn(input_shape=(28, 28, 1), num_classes=10, **options) -> keras.Model:
    """VGG-16, configuration D, BatchNorm after each convolution."""
    return _vgg("vgg16", input_shape, num_classes, **{"batch_norm": True, **options})


@register_model(defaults=_defaults(batch_norm=True, config="vgg19"), options_from=_vgg)
def vgg19_bn(input_shape=(28, 28, 1), num_classes=10, **options) -> keras.Model:
    """VGG-19, configuration E, BatchNorm after each convolution."""
    return _vgg("vgg19", input_shape, num_classes, **{"batch_norm": True, **options})
