"""The project's training loop: same results as model.fit, checkpoints and exact resume."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from components.distribute.loop import DistributedTrainer
from components.optimizers import make_optimizer
from components.training import compile_classifier


def _data(n=512, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, size=n)
    return x, y


def _dataset(x, y, batch=64):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)


def test_loop_matches_model_fit_on_one_device():
    x, y = _data()
    keras.utils.set_random_seed(0)
    fitted = compile_classifier(zoo.create("lenet5_bn"), make_optimizer("momentum", 0.05))
    expected = fitted.fit(
        _dataset(x, y), validation_data=_dataset(x[:128], y[:128]), epochs=3, verbose=0
    )
    keras.utils.set_random_seed(0)
    model = zoo.create("lenet5_bn")
    trainer = DistributedTrainer(
        model, make_optimizer("momentum", 0.05), tf.distribute.get_strategy()
    )
    got = trainer.fit(
        _dataset(x, y), epochs=3, validation_data=_dataset(x[:128], y[:128]), verbose=0
    )
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(got.history[key], expected.history[key], rtol=1e-5)
    for a, b in zip(model.get_weights(), fitted.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_regularization_losses_count_like_in_fit():
    x, y = _data(128)

    def build():
        keras.utils.set_random_seed(0)
        inputs = keras.Input((28, 28, 1))
        h = keras.layers.Flatten()(inputs)
        outputs = keras.layers.Dense(10, kernel_regularizer=keras.regularizers.L2(0.01))(h)
        return keras.Model(inputs, outputs)

    fitted = compile_classifier(build(), make_optimizer("sgd", 0.01))
    expected = fitted.fit(_dataset(x, y, 32), epochs=2, verbose=0).history["loss"]
    trainer = DistributedTrainer(
        build(), make_optimizer("sgd", 0.01), tf.distribute.get_strategy()
    )
    got = trainer.fit(_dataset(x, y, 32), epochs=2, verbose=0).history["loss"]
    np.testing.assert_allclose(got, expected, rtol=1e-5)


class StopAtStep(keras.callbacks.Callback):
    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.optimizer.iterations.numpy()) == self.step:
            self.model.stop_training = True


def test_stop_then_resume_continues_from_the_same_step(tmp_path):
    # TensorFlow's CPU kernels used here are deterministic; on GPU call
    # tf.config.experimental.enable_op_determinism() for this guarantee.
    x, y = _data(256)

    def trainer(checkpoint_dir=None):
        keras.utils.set_random_seed(0)
        return DistributedTrainer(
            zoo.create("lenet5_bn"),
            make_optimizer("adam", 1e-3),
            tf.distribute.get_strategy(),
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=3,
        )

    whole = trainer()
    whole.fit(_dataset(x, y, 32), epochs=2, verbose=0)

    first = trainer(tmp_path)
    first.fit(_dataset(x, y, 32), epochs=2, verbose=0, callbacks=[StopAtStep(5)])
    assert int(first.optimizer.iterations.numpy()) == 5
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-5")

    resumed = trainer(tmp_path)  # fresh weights, then the checkpoint restores step 5
    assert resumed.resumed_step == 5
    resumed.fit(_dataset(x, y, 32), epochs=2, verbose=0)
    assert int(resumed.optimizer.iterations.numpy()) == 16
    for a, b in zip(resumed.model.get_weights(), whole.model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_bad_checkpoint_interval():
    with pytest.raises(ValueError, match="checkpoint_every must be a positive integer, got 0"):
        DistributedTrainer(
            zoo.create("lenet5"),
            make_optimizer("sgd", 0.1),
            tf.distribute.get_strategy(),
            checkpoint_every=0,
        )


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_mixed_precision_and_xla(policy):
    x, y = _data(256)
    keras.mixed_precision.set_dtype_policy(policy)
    try:
        keras.utils.set_random_seed(0)
        model = zoo.create("lenet5_bn")
        assert model.get_layer("lenet5_bn_conv1").compute_dtype == policy.removeprefix("mixed_")
        trainer = DistributedTrainer(
            model, make_optimizer("adam", 1e-3), tf.distribute.get_strategy(), jit_compile=True
        )
        is_scaled = isinstance(trainer.optimizer, keras.optimizers.LossScaleOptimizer)
        assert is_scaled == (policy == "mixed_float16")  # loss scaling where float16 needs it
        losses = trainer.fit(_dataset(x, y, 32), epochs=3, verbose=0).history["loss"]
        assert np.isfinite(losses).all() and losses[-1] < losses[0]
        assert model.weights[0].dtype == "float32"  # variables stay float32
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


def test_a_failed_checkpoint_leaves_no_temp_directory_and_says_so(tmp_path, monkeypatch):
    x, y = _data(64)
    trainer = DistributedTrainer(
        zoo.create("lenet5_bn"),
        make_optimizer("adam", 1e-3),
        tf.distribute.get_strategy(),
        checkpoint_dir=tmp_path,
        checkpoint_every=1,
    )
    real_save = trainer._manager.save

    def save_then_fill_the_disk(checkpoint_number):
        if checkpoint_number < 2:
            return real_save(checkpoint_number=checkpoint_number)
        # What TensorFlow leaves when the disk fills mid-write (a `ckpt-N_temp/` directory).
        (tmp_path / f"ckpt-{checkpoint_number}_temp").mkdir()
        (tmp_path / f"ckpt-{checkpoint_number}_temp" / "part-00000").write_bytes(b"half")
        raise tf.errors.ResourceExhaustedError(None, None, "write; No space left on device")

    monkeypatch.setattr(trainer._manager, "save", save_then_fill_the_disk)
    with pytest.raises(OSError, match=r"Checkpoint ckpt-2 could not be written .*No space left"):
        trainer.fit(_dataset(x, y, 32), epochs=1, verbose=0)
    assert not list(tmp_path.glob("*_temp*"))  # the partial checkpoint is gone
    assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-1")  # the earlier kept
