"""On PYTHONPATH, a Python without TensorFlow: importing it (or tensorflow-datasets, tf_keras,
keras-tuner, TensorBoard) fails as where they are not installed. The tests of the JAX path use
it to show that the zoo trains with TensorFlow absent (CI's .ci/jax_only_check does it in a
virtual environment that never had TensorFlow)."""

import importlib.abc
import sys

ABSENT = ("tensorflow", "tensorflow_datasets", "tf_keras", "keras_tuner", "tensorboard")


class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ABSENT:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Absent())
