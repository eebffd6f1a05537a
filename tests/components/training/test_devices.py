"""Where a run's steps run (`components.training.devices`), under the backend at hand: one
device and Keras's fit by default, the record the metadata keeps, and what is refused."""

from __future__ import annotations

import keras
import pytest

import zoo
from components.training.config import ConfigError, TrainConfig
from components.training.devices import run_devices

pytestmark = pytest.mark.backends


def _devices(**settings):
    return run_devices(TrainConfig.of(model="lenet5_bn", **settings).resolve(zoo.registry))


def test_a_default_run_is_keras_fit_on_one_replica_and_says_so():
    devices = _devices(strategy="default")
    assert (devices.replicas, devices.chief, devices.task, devices.loop) == (1, True, 0, "fit")
    assert devices.record["replicas"] == 1 and devices.record["loop"] == "fit"
    with devices.active(), devices.building():
        variable = keras.Variable(1.0)  # built where the run builds its model
    assert float(keras.ops.convert_to_numpy(variable)) == 1.0
    if keras.backend.backend() == "tensorflow":
        assert devices.strategy is not None and devices.record["strategy"] == "DefaultStrategy"
    else:
        assert devices.strategy is None and devices.record["backend"] == keras.backend.backend()


def test_what_the_backend_cannot_do_is_refused_naming_the_alternative():
    if keras.backend.backend() == "tensorflow":
        # The project's loop is asked for by name; Keras's fit is refused only under
        # multi-worker (keras-team/keras#20585), which needs a cluster (test_multiworker.py).
        devices = _devices(strategy="default", loop="custom")
        assert devices.loop == "custom"
    else:
        with pytest.raises(ConfigError, match="needs the tensorflow backend"):
            _devices(loop="custom")
