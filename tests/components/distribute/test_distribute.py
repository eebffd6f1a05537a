"""Strategy selection, and MirroredStrategy over 2 logical CPUs matching one device."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
import tensorflow as tf

from components.distribute.strategies import describe_strategy, select_strategy, strategy_name

# Logical devices must be configured before TensorFlow initializes, hence a fresh process.
MIRRORED_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    import keras, numpy as np, zoo
    from components.distribute.strategies import select_strategy, strategy_name
    from components.optimizers import make_optimizer
    from components.training import compile_classifier
    from components.distribute.loop import DistributedTrainer

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, size=256)
    result = {}
    configs = (
        ("default", False, "fit"),
        ("mirrored", False, "fit"),
        ("mirrored_sync", True, "fit"),
        ("mirrored_sync_loop", True, "loop"),
    )
    for name, sync, loop in configs:
        keras.utils.set_random_seed(0)
        strategy = select_strategy(name.split("_")[0])
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(64)
        with strategy.scope():
            model = zoo.create("lenet5_bn", sync_batch_norm=sync)
            optimizer = make_optimizer("sgd", 0.05)
        if loop == "fit":
            with strategy.scope():
                compile_classifier(model, optimizer)
            history = model.fit(data, epochs=3, verbose=0)
        else:
            history = DistributedTrainer(model, optimizer, strategy).fit(
                data, epochs=3, verbose=0
            )
        result[name] = {
            "strategy": strategy_name(strategy),
            "replicas": strategy.num_replicas_in_sync,
            "loss": history.history["loss"],
        }
    print(json.dumps(result))
    """
)


def test_auto_on_cpu_is_the_default_strategy():
    if tf.config.list_logical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    strategy = select_strategy("auto")
    assert strategy_name(strategy) == "DefaultStrategy"
    assert "global batch 256, per replica 256" in describe_strategy(strategy, 256)


def test_unknown_strategy_lists_valid_ones():
    with pytest.raises(ValueError, match="Valid strategies: auto, default, onedevice, mirrored"):
        select_strategy("tpu")


def test_mirrored_on_two_cpus_matches_one_device():
    out = subprocess.run(
        [sys.executable, "-c", MIRRORED_SCRIPT], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["mirrored"]["strategy"] == "MirroredStrategy"
    assert result["mirrored"]["replicas"] == 2
    assert result["default"]["replicas"] == 1
    single, mirrored = result["default"]["loss"], result["mirrored"]["loss"]
    assert single[-1] < single[0]  # it trains
    # Per-replica BatchNorm statistics (half batches) move the loss a little; synchronized
    # BatchNorm computes them over the global batch and matches one device.
    assert mirrored == pytest.approx(single, rel=3e-2)
    assert result["mirrored_sync"]["loss"] == pytest.approx(single, rel=1e-5)
    # The project's loop under MirroredStrategy matches too.
    assert result["mirrored_sync_loop"]["loss"] == pytest.approx(single, rel=1e-5)
