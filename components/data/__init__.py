"""Data: tfds loading (with the offline Fashion-MNIST preparation) and the input pipeline."""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
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
    from components.data.pipeline import make_pipeline, preprocess_images
    from components.data.preprocessing import Preprocessing
    from components.data.tfds_loading import (
        DataUnavailableError,
        ImageClassificationData,
        load_image_classification,
    )

_EXPORTS = {
    "Augmenter": "components.data.augmentation",
    "DataUnavailableError": "components.data.tfds_loading",
    "FASHION_MNIST_FILES": "components.data.fashion_mnist_offline",
    "FashionMNISTFileError": "components.data.fashion_mnist_offline",
    "ImageClassificationData": "components.data.tfds_loading",
    "NormalizedData": "components.data.normalized",
    "POLICIES": "components.data.augmentation",
    "Preprocessing": "components.data.preprocessing",
    "find_fashion_mnist_files": "components.data.fashion_mnist_offline",
    "load_image_classification": "components.data.tfds_loading",
    "load_normalized": "components.data.normalized",
    "make_pipeline": "components.data.pipeline",
    "needs_soft_labels": "components.data.augmentation",
    "parse_augment": "components.data.augmentation",
    "prepare_fashion_mnist_offline": "components.data.fashion_mnist_offline",
    "preprocess_images": "components.data.pipeline",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

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
