"""Registered, serializable Keras layers: the classic CNNs' blocks and the lessons' parts."""

from components.layers.batch_norm import (
    BN_MOMENTUM,
    DEFAULT_BN,
    FAST_BN,
    FAST_BN_MOMENTUM,
    BatchNormSettings,
)
from components.layers.image_normalization import (
    ImageNormalization,
    split_normalization,
    with_normalization,
)
from components.layers.inception import InceptionBlock
from components.layers.lrn import LocalResponseNormalization
from components.layers.maxout import Maxout
from components.layers.nin import NiNBlock
from components.layers.patch_whitening import (
    PatchWhitening,
    patch_whitening_kernel,
    whiten_convolution,
)
from components.layers.vgg import VGGBlock
from components.layers.whitening import PCAWhitening, Standardization, ZCAWhitening

__all__ = [
    "BN_MOMENTUM",
    "DEFAULT_BN",
    "FAST_BN",
    "FAST_BN_MOMENTUM",
    "BatchNormSettings",
    "ImageNormalization",
    "InceptionBlock",
    "LocalResponseNormalization",
    "Maxout",
    "NiNBlock",
    "PCAWhitening",
    "PatchWhitening",
    "Standardization",
    "VGGBlock",
    "ZCAWhitening",
    "patch_whitening_kernel",
    "split_normalization",
    "whiten_convolution",
    "with_normalization",
]
