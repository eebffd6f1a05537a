"""Data: tfds loading (with the offline Fashion-MNIST preparation) and the input pipeline."""

from components.data.augmentation import (
    POLICIES,
    Augmenter,
    needs_soft_labels,
    parse_augment,
)
from components.data.fashion_mnist_offline import (
    FASHION_MNIST_FILES,
    FashionMNISTFileError,
    find_fashion_mnist_files,
    prepare_fashion_mnist_offline,
)
from components.data.normalized import NormalizedData, load_normalized
from components.data.pipeline import Preprocessing, make_pipeline, preprocess_images
from components.data.tfds_loading import (
    DataUnavailableError,
    ImageClassificationData,
    load_image_classification,
)

__all__ = [
    "POLICIES",
    "Augmenter",
    "FASHION_MNIST_FILES",
    "DataUnavailableError",
    "FashionMNISTFileError",
    "ImageClassificationData",
    "NormalizedData",
    "Preprocessing",
    "find_fashion_mnist_files",
    "load_image_classification",
    "load_normalized",
    "make_pipeline",
    "needs_soft_labels",
    "parse_augment",
    "prepare_fashion_mnist_offline",
    "preprocess_images",
]
