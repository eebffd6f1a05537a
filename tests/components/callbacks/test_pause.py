"""PauseEveryNSteps in model.fit and in the project's loop: decisions really take effect."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from components.callbacks import Decision, LearningRateLogger, PauseEveryNSteps
from components.checkpoints import WeightsCheckpoint
from components.distribute.loop import DistributedTrainer
from components.optimizers import make_optimizer
from components.schedules import make_schedule
from components.training import compile_classifier


class Scripted:
    """A controller that answers from a list and records what it was shown."""

    def __init__(self, *decisions):
        self.decisions = list(decisions)
        self.statuses = []

    def decide(self, status):
        self.statuses.append(status)
        return self.decisions.pop(0) if self.decisions else Decision()


def _data(n=256):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 28, 28, 1)).astype("float32"), rng.integers(0, 10, size=n)


def _dataset(x, y, batch=32):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)


def test_learning_rate_change_in_fit_reaches_optimizer_and_history(tmp_path):
    x, y = _data()  # 8 steps per epoch
    keras.utils.set_random_seed(0)
    model = compile_classifier(zoo.create("lenet5_bn"), make_optimizer("sgd", 0.1))
    controller = Scripted(Decision(learning_rate=0.02), Decision(steps=2), Decision(every=6))
    checkpoint = WeightsCheckpoint(tmp_path)
    pause = PauseEveryNSteps(5, controller=controller, checkpoint=checkpoint)
    history = model.fit(
        _dataset(x, y), epochs=3, verbose=0, callbacks=[pause, LearningRateLogger(), checkpoint]
    )
    assert [step for step, _ in pause.decisions] == [5, 10, 12, 18, 24]
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.02)
    assert history.history["learning_rate"] == pytest.approx([0.02, 0.02, 0.02])
    assert "Paused at step 5 (epoch 1)" in controller.statuses[0]
    assert "learning rate: 0.1" in controller.statuses[0]
    assert "learning rate: 0.02" in controller.statuses[1]
    # A checkpoint was written at every pause (steps 5, 10, 12, 18, 24) and epoch end (8, 16);
    # the newest 3 are kept.
    assert sorted(p.name for p in tmp_path.glob("ckpt-*.position.json")) == [
        "ckpt-16.position.json", "ckpt-18.position.json", "ckpt-24.position.json"
    ]  # fmt: skip


def test_learning_rate_on_a_schedule_is_rescaled_from_that_step():
    x, y = _data()
    keras.utils.set_random_seed(0)
    schedule = make_schedule("cosine", 0.1, total_steps=24)
    model = compile_classifier(zoo.create("lenet5_bn"), make_optimizer("sgd", schedule))
    pause = PauseEveryNSteps(8, controller=Scripted(Decision(learning_rate=0.01)))
    model.fit(_dataset(x, y), epochs=2, verbose=0, callbacks=[pause])
    cosine = keras.optimizers.schedules.CosineDecay(0.1, 24)
    # From step 8 on: 0.01 there, following the cosine's shape.
    assert float(schedule(8)) == pytest.approx(0.01, rel=1e-5)
    assert float(schedule(16)) == pytest.approx(0.01 * float(cosine(16)) / float(cosine(8)))


def test_momentum_change_is_applied_without_recompiling():
    x, y = _data(64)
    model = compile_classifier(zoo.create("lenet5"), make_optimizer("momentum", 0.01))
    pause = PauseEveryNSteps(1, controller=Scripted(Decision(momentum=0.5)))
    model.fit(_dataset(x, y), epochs=1, verbose=0, callbacks=[pause])
    assert model.optimizer.momentum == 0.5


def test_stop_in_the_loop_then_resume_gives_the_uninterrupted_weights(tmp_path):
    x, y = _data()

    def trainer(checkpoint_dir):
        keras.utils.set_random_seed(0)
        return DistributedTrainer(
            zoo.create("lenet5_bn"),
            make_optimizer("adam", 1e-3),
            tf.distribute.get_strategy(),
            checkpoint_dir=checkpoint_dir,
        )

    whole = trainer(None)
    whole.fit(_dataset(x, y), epochs=2, verbose=0)

    first = trainer(tmp_path)
    pause = PauseEveryNSteps(
        3, controller=Scripted(Decision(), Decision(action="stop")), checkpoint=first
    )
    first.fit(_dataset(x, y), epochs=2, verbose=0, callbacks=[pause])
    assert pause.stopped_at_step == 6
    assert int(first.optimizer.iterations.numpy()) == 6

    resumed = trainer(tmp_path)
    assert resumed.resumed_step == 6
    resumed.fit(_dataset(x, y), epochs=2, verbose=0)
    for a, b in zip(resumed.model.get_weights(), whole.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_bad_interval():
    with pytest.raises(ValueError, match="n must be a positive integer number of steps"):
        PauseEveryNSteps(0)


MIRRORED_PAUSE = textwrap.dedent(
    """
    import json
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras, numpy as np, zoo
    from components.callbacks import Decision, PauseEveryNSteps
    from components.distribute.strategies import select_strategy
    from components.optimizers import make_optimizer
    from components.training import compile_classifier

    class Once:
        def decide(self, status):
            return Decision(learning_rate=0.0123, every=4)

    strategy = select_strategy("mirrored")
    with strategy.scope():
        model = compile_classifier(zoo.create("lenet5_bn"), make_optimizer("sgd", 0.1))
    pause = PauseEveryNSteps(2, controller=Once(), strategy=strategy)
    x = np.zeros((128, 28, 28, 1), "float32"); y = np.zeros(128, "int64")
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    model.fit(data, epochs=2, verbose=0, callbacks=[pause])
    print(json.dumps({
        "lr": float(model.optimizer.learning_rate.numpy()),
        "pauses": [s for s, _ in pause.decisions],
        "replicas": strategy.num_replicas_in_sync,
    }))
    """
)


def test_decision_is_broadcast_under_mirrored_strategy():
    out = subprocess.run(
        [sys.executable, "-c", MIRRORED_PAUSE], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"lr": pytest.approx(0.0123), "pauses": [2, 6], "replicas": 2}
