"""Run an exported classifier in its own runtime, batch by batch: a SavedModel with TensorFlow
alone (`tf.saved_model.load`), ONNX and LiteRT files with theirs (`components.export.runtimes`).

Nothing here imports the project's model classes: an export must stand on its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf

from components.console import progress_verbosity
from components.export.metadata import (
    SIGNATURE_FLOAT,
    SIGNATURE_UINT8,
    ExportMetadata,
    load_metadata,
)
from components.export.saved_model import resolve_model_dir
from components.export.tta import combine_views, tta_views


class ExportedClassifier:
    """An exported classifier and its metadata, whatever its format: what `evaluate`,
    `ensemble` and the format checks use. A subclass loads the file and answers `_call`.

    Attributes:
        path: the version directory (the file's directory for ONNX and LiteRT).
        metadata: its `metadata.json` (None where there is none).
        input_name, input_shape, input_dtype: the images input (`[None, H, W, C]`).
        format: `saved_model`, `onnx` or `litert`.
    """

    format = "saved_model"
    path: Path
    metadata: ExportMetadata | None
    input_name: str
    input_shape: tuple
    input_dtype: str

    def _call(self, images: tf.Tensor) -> dict:
        """`probabilities`, `class_ids`, `logits` of one batch of raw images."""
        raise NotImplementedError

    @property
    def name(self) -> str:
        """The model's name: from metadata.json's run facts, else the base directory's name."""
        if self.metadata is not None and self.metadata.run is not None:
            return self.metadata.run.model
        return self.path.parent.name if self.path.name.isdigit() else self.path.name

    @property
    def class_names(self) -> list[str] | None:
        """Class names from metadata.json, or None for a SavedModel without one."""
        return None if self.metadata is None else list(self.metadata.serving.class_names)

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

    def predict(self, images, tta: str = "none") -> dict[str, np.ndarray]:
        """`probabilities`, `class_ids` and `logits` for a batch of raw images (uint8 or float).

        Args:
            images: `[N, H, W, C]` in 0..255.
            tta: a mode of `components.export.tta`: `"flip"`, the mean probabilities of
                each image and its mirror; `"flip_shift"`, the weighted mean over the mirror
                and one-pixel shifts of both; `"none"`.
        """
        images = tf.convert_to_tensor(images)
        if not (images.dtype.is_floating or images.dtype.is_integer) or images.dtype.is_bool:
            raise ValueError(
                f"Images must be uint8, integer or float numbers in 0..255, got dtype "
                f"{images.dtype.name}."
            )
        self.check_images(images)
        views = [self._call(view) for view in tta_views(images, tta)]
        outputs = views[0] if len(views) == 1 else combine_views([v["logits"] for v in views], tta)
        return {k: np.asarray(v) for k, v in outputs.items()}

    def predict_dataset(
        self,
        dataset: tf.data.Dataset,
        num_examples: int | None = None,
        batch_size: int = 1000,
        *,
        on_batch: Callable[[np.ndarray, np.ndarray, dict], None] | None = None,
        progress: bool = True,
        tta: str = "none",
    ) -> dict[str, np.ndarray | float]:
        """Runs the model over an unbatched `(image, label)` dataset, with a progress bar.

        Args:
            dataset: unbatched `(uint8 image, int label)` pairs.
            num_examples: its size, for the progress bar (None: unknown).
            batch_size: images per call of the signature.
            on_batch: called with `(images, labels, outputs)` after every batch.
            progress: show the Keras progress bar.
            tta: test-time augmentation, as for `predict`.

        Returns:
            `logits`, `probabilities`, `class_ids`, `labels` (NumPy, in dataset order),
            `seconds` spent in the model after the first batch (which includes tracing) and
            `images_per_second` over those batches (over all of them if there is one batch).
        """
        import keras

        bar = (
            keras.utils.Progbar(num_examples, unit_name="image", verbose=progress_verbosity())
            if progress
            else None
        )
        collected: dict[str, list] = {"logits": [], "probabilities": [], "class_ids": []}
        labels, seconds, timed, first = [], 0.0, 0, None
        for images, batch_labels in dataset.batch(batch_size).as_numpy_iterator():
            start = time.perf_counter()
            outputs = self.predict(images, tta=tta)
            elapsed = time.perf_counter() - start
            if first is None:
                first = (elapsed, len(batch_labels))
            else:
                seconds += elapsed
                timed += len(batch_labels)
            for key in collected:
                collected[key].append(outputs[key])
            labels.append(batch_labels)
            if on_batch is not None:
                on_batch(images, batch_labels, outputs)
            if bar is not None:
                bar.add(len(batch_labels))
        if first is None:
            raise ValueError(f"The dataset given to evaluate {self.path} holds no examples.")
        if not timed:
            seconds, timed = first
        result = {key: np.concatenate(value) for key, value in collected.items()}
        result["labels"] = np.concatenate(labels).astype(np.int64)
        result["seconds"] = seconds
        result["images_per_second"] = timed / seconds if seconds > 0 else float("inf")
        return result


class SavedClassifier(ExportedClassifier):
    """A loaded SavedModel classifier and its metadata.

    Args:
        path: a SavedModel dir or a TF Serving base dir (its highest version is taken).

    Example:
    >>> clf = SavedClassifier("saved_models/lenet5_bn")  # doctest: +SKIP
    >>> clf.predict(images_uint8)["class_ids"]  # doctest: +SKIP
    """

    def __init__(self, path: str | Path):
        self.path = resolve_model_dir(path)
        self.metadata: ExportMetadata | None = load_metadata(self.path)
        try:
            self.module = tf.saved_model.load(str(self.path))
        except Exception as err:  # truncated variables or index: IndexError, OpError, ...
            first_line = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
            raise ValueError(
                f"{self.path} is a damaged SavedModel: TensorFlow cannot load it "
                f"({type(err).__name__}: {first_line}). Export the model again, or restore "
                "the directory from a copy."
            ) from None
        if SIGNATURE_FLOAT not in self.module.signatures:
            raise ValueError(
                f"{self.path} has no {SIGNATURE_FLOAT!r} signature; its signatures are "
                f"{list(self.module.signatures)}."
            )
        signature = self.module.signatures[SIGNATURE_FLOAT]
        spec = signature.structured_input_signature[1]
        if len(spec) != 1:
            raise ValueError(
                f"{self.path}: its {SIGNATURE_FLOAT!r} signature takes {len(spec)} inputs "
                f"({sorted(spec)}); a classifier takes one, the images."
            )
        self.input_name, tensor_spec = next(iter(spec.items()))
        self.input_shape = tuple(tensor_spec.shape.as_list())
        self.input_dtype = tensor_spec.dtype.name
        self.output_names = sorted(signature.structured_outputs)
        missing = {"probabilities", "class_ids", "logits"} - set(self.output_names)
        if missing:
            raise ValueError(
                f"{self.path}: its {SIGNATURE_FLOAT!r} signature lacks the outputs "
                f"{sorted(missing)} (it has {self.output_names}); exports of this project return "
                "probabilities, class_ids and logits."
            )

    def _call(self, images):
        if images.dtype == tf.uint8 and SIGNATURE_UINT8 in self.module.signatures:
            return self.module.signatures[SIGNATURE_UINT8](**{self.input_name: images})
        images = tf.cast(images, tf.float32)
        return self.module.signatures[SIGNATURE_FLOAT](**{self.input_name: images})


def load_classifier(path: str | Path) -> ExportedClassifier:
    """The export at `path` in its format's runtime: a SavedModel (a version or base directory),
    or an ONNX or LiteRT export (its file, its version directory, or its base directory).

    Example:
    >>> load_classifier("saved_models/lenet5_bn-onnx").format  # doctest: +SKIP
    'onnx'
    """
    from components.export.runtimes import find_format_file, load_format

    converted = find_format_file(path)
    return SavedClassifier(path) if converted is None else load_format(converted)


__all__ = ["ExportedClassifier", "SavedClassifier", "load_classifier"]
