"""Run an exported classifier with TensorFlow alone (`tf.saved_model.load`), batch by batch.

Nothing here imports the project's model classes: an export must stand on its own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from components.export import SIGNATURE_FLOAT, SIGNATURE_UINT8, load_metadata, resolve_model_dir


class SavedClassifier:
    """A loaded SavedModel classifier and its metadata.

    Args:
        path: a SavedModel dir or a TF Serving base dir (its highest version is taken).

    Example:
    >>> clf = SavedClassifier("saved_models/lenet5_bn")  # doctest: +SKIP
    >>> clf.predict(images_uint8)["class_ids"]  # doctest: +SKIP
    """

    def __init__(self, path: str | Path):
        self.path = resolve_model_dir(path)
        self.metadata = load_metadata(self.path)
        self.module = tf.saved_model.load(str(self.path))
        if SIGNATURE_FLOAT not in self.module.signatures:
            raise ValueError(
                f"{self.path} has no {SIGNATURE_FLOAT!r} signature; its signatures are "
                f"{list(self.module.signatures)}."
            )
        spec = self.module.signatures[SIGNATURE_FLOAT].structured_input_signature[1]
        self.input_name, tensor_spec = next(iter(spec.items()))
        self.input_shape = tuple(tensor_spec.shape.as_list())

    def check_images(self, images) -> None:
        """Raises a ValueError naming the expected shape if `images` do not fit the signature."""
        shape = tuple(images.shape)
        expected = self.input_shape
        if len(shape) != len(expected) or any(
            e is not None and s != e for s, e in zip(shape, expected, strict=True)
        ):
            want = "[N, " + ", ".join(str(d) for d in expected[1:]) + "]"
            raise ValueError(
                f"Images of shape {list(shape)} do not fit {self.path}: it expects {want} "
                "(batch, height, width, channels), uint8 or float in 0..255."
            )

    def predict(self, images) -> dict[str, np.ndarray]:
        """`probabilities`, `class_ids` and `logits` for a batch of raw images (uint8 or float)."""
        self.check_images(images)
        images = tf.convert_to_tensor(images)
        if images.dtype == tf.uint8 and SIGNATURE_UINT8 in self.module.signatures:
            outputs = self.module.signatures[SIGNATURE_UINT8](**{self.input_name: images})
        elif images.dtype.is_floating or images.dtype.is_integer:
            images = tf.cast(images, tf.float32)
            outputs = self.module.signatures[SIGNATURE_FLOAT](**{self.input_name: images})
        else:
            raise ValueError(f"Images must be uint8 or float, got {images.dtype.name}.")
        return {k: v.numpy() for k, v in outputs.items()}
