"""The data of a search on the Keras backend at hand, and what its best model ends as.

Under TensorFlow the search trains on tf.data (`components.data.normalized`) and the best model
becomes a SavedModel, as a TensorFlow run's does; under JAX it trains on NumPy arrays
(`components.data.arrays`, batched by `ArrayBatches`) and the best model becomes a `.keras`
file with its metadata, as a JAX run's does (`classiczoo export` makes the SavedModel). Each
class offers the same few things the search needs, so `components.tuning.search` is one.
"""

from __future__ import annotations

from pathlib import Path

import keras

from components.data.arrays import load_array_splits
from components.data.preprocessing import Preprocessing
from components.tuning.tune_config import TuneConfig


def _evaluate(model: keras.Model, batches) -> dict[str, float]:
    measured = model.evaluate(batches, return_dict=True, verbose=0)
    return {name: float(value) for name, value in measured.items()}


class TensorFlowSearchData:
    """tf.data pipelines of tfds splits; the best model ends as a SavedModel.

    Attributes:
        train, validation: what `tuner.search` gets (unbatched `(image, label)` datasets).
        preprocessing, input_shape, class_names, splits: as a run's.
    """

    def __init__(self, config: TuneConfig):
        from components.data.normalized import load_normalized  # tf.data's

        self.data = load_normalized(
            config.dataset,
            data_dir=config.data_dir,
            train_split=config.train_split,
            test_split=config.test_split,
            val_split=config.val_split,
            resize=config.resize,
        )
        self.preprocessing = self.data.preprocessing
        self.input_shape = self.data.model_input_shape
        self.class_names = list(self.data.data.class_names)
        self.splits = self.data.data.splits
        self.train, self.validation = self.data.data.train, self.data.data.validation

    def describe(self) -> str:
        return self.data.describe()

    def figures(self, model: keras.Model, split: str, batch_size: int) -> dict[str, float]:
        """Loss and accuracy of `model` on `split` (`train`, `validation` or `test`)."""
        return _evaluate(model, self.data.pipeline(split, batch_size))

    def train_error(self, model: keras.Model, batch_size: int) -> tuple[float, int]:
        from components.training.diagnosis import training_error

        return training_error(lambda dataset: _evaluate(model, dataset), self.data, batch_size)

    def save(self, model: keras.Model, base_dir: Path, facts) -> Path:
        from components.export.saved_model import export_classifier

        return export_classifier(
            model,
            base_dir,
            image_shape=self.data.data.image_shape,
            preprocessing=self.preprocessing,
            class_names=self.class_names,
            run=facts,
        )

    @staticmethod
    def saved(directory: Path) -> str:
        return f"Exported SavedModel: {directory}"


class ArraySearchData:
    """NumPy arrays (Fashion-MNIST's IDX files, or tfds's where tensorflow-datasets is
    installed), batched per trial by `ArrayBatches`; the best model ends as a `.keras` file.

    Attributes:
        train, validation: what `tuner.search` gets (`(images, labels)` pairs).
        preprocessing, input_shape, class_names, splits: as a run's.
    """

    def __init__(self, config: TuneConfig):
        self.arrays = load_array_splits(
            config.dataset,
            train_split=config.train_split,
            test_split=config.test_split,
            val_split=config.val_split,
            data_dir=config.data_dir,
        )
        resize = (config.resize, config.resize) if config.resize else None
        self.preprocessing = Preprocessing.from_arrays(self.arrays.x_train, resize=resize)
        self.input_shape = self.preprocessing.output_shape(self.arrays.image_shape)
        self.class_names = list(self.arrays.class_names)
        self.splits = self.arrays.splits
        self.train = (self.arrays.x_train, self.arrays.y_train)
        self.validation = (self.arrays.x_validation, self.arrays.y_validation)

    def describe(self) -> str:
        return self.arrays.describe()

    def figures(self, model: keras.Model, split: str, batch_size: int) -> dict[str, float]:
        """Loss and accuracy of `model` on `split` (`train`, `validation` or `test`)."""
        x, y = {"train": self.train, "validation": self.validation}.get(
            split, (self.arrays.x_test, self.arrays.y_test)
        )
        return self._measure(model, batch_size)(x, y)

    def train_error(self, model: keras.Model, batch_size: int) -> tuple[float, int]:
        from components.training.keras_fit_run import arrays_training_error

        return arrays_training_error(self._measure(model, batch_size), self.arrays)

    def _measure(self, model: keras.Model, batch_size: int):
        """`measure(x, y)`: loss and accuracy of `model` on raw images, batched as a run's."""
        from components.data.array_batches import ArrayBatches

        return lambda x, y: _evaluate(
            model, ArrayBatches(x, y, self.preprocessing, batch_size=batch_size)
        )

    def save(self, model: keras.Model, base_dir: Path, facts) -> Path:
        from components.training.keras_fit_run import save_keras_model

        return save_keras_model(model, base_dir, self.arrays, self.preprocessing, facts)

    @staticmethod
    def saved(directory: Path) -> str:
        from components.training.keras_fit_run import keras_model_saved

        return keras_model_saved(directory)


__all__ = ["ArraySearchData", "TensorFlowSearchData"]
