"""The data of a search on the Keras backend at hand, and what its best model ends as.

The data is a run's (`components.training.run.load_run_data`): tf.data pipelines under
TensorFlow, NumPy batches (`ArrayBatches`) under JAX. keras-tuner's `search` gets the
unbatched splits (the hypermodel batches each trial's); the best model ends as a run's does: a
SavedModel under TensorFlow, a `.keras` file with its metadata under JAX (`classiczoo export`
makes the SavedModel).
"""

from __future__ import annotations

from pathlib import Path

import keras

from components.training.diagnosis import training_error
from components.training.settings import DataSettings
from components.tuning.tune_config import TuneConfig


class SearchData:
    """The splits of a search, and the end of its best model.

    Attributes:
        train, validation: what `tuner.search` gets: unbatched `(image, label)` datasets
            under TensorFlow, `(images, labels)` arrays elsewhere.
        preprocessing, input_shape, class_names, splits: as a run's.
    """

    def __init__(self, config: TuneConfig):
        from components.training.run import load_run_data

        self.data = load_run_data(
            DataSettings(
                dataset=config.dataset,
                train_split=config.train_split,
                test_split=config.test_split,
                val_split=config.val_split,
                resize=config.resize,
                data_dir=config.data_dir,
            )
        )
        self.tensorflow = keras.backend.backend() == "tensorflow"
        self.preprocessing = self.data.preprocessing
        self.input_shape = self.data.model_input_shape
        self.class_names = self.data.class_names
        self.splits = self.data.splits
        if self.tensorflow:
            self.train, self.validation = self.data.data.train, self.data.data.validation
        else:
            arrays = self.data.arrays
            self.train = (arrays.x_train, arrays.y_train)
            self.validation = (arrays.x_validation, arrays.y_validation)

    def describe(self) -> str:
        return self.data.describe()

    def figures(
        self, model: keras.Model, split: str, batch_size: int, limit: int | None = None
    ) -> dict[str, float]:
        """Loss and accuracy of `model` on `split` (`train`, `validation` or `test`), or on
        its first `limit` examples."""
        batches = self.data.batches(split, batch_size, limit=limit)
        measured = model.evaluate(batches, return_dict=True, verbose=0)
        return {name: float(value) for name, value in measured.items()}

    def train_error(self, model: keras.Model, batch_size: int) -> tuple[float, int]:
        return training_error(
            lambda n: self.figures(model, "train", batch_size, limit=n), self.data.num_train
        )

    def save(self, model: keras.Model, base_dir: Path, facts) -> Path:
        if self.tensorflow:
            from components.export.saved_model import export_classifier

            save = export_classifier
        else:
            from components.export.keras_model import save_keras_model

            save = save_keras_model
        return save(
            model,
            base_dir,
            image_shape=self.data.image_shape,
            preprocessing=self.preprocessing,
            class_names=self.class_names,
            run=facts,
        )

    def saved(self, directory: Path) -> str:
        if self.tensorflow:
            return f"Exported SavedModel: {directory}"
        from components.export.keras_model import keras_model_saved

        return keras_model_saved(directory)


__all__ = ["SearchData"]
