"""MulticlassSVM against NumPy; the notes' initializers; LSUV."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.initializers import INITIALIZERS, get_initializer, lsuv_init
from components.losses import MulticlassSVM

pytestmark = pytest.mark.backends  # runs in the JAX pass too


def numpy_svm(scores, labels, margin=1.0):
    losses = []
    for s, y in zip(scores, labels, strict=True):
        losses.append(sum(max(0.0, s[j] - s[y] + margin) for j in range(len(s)) if j != y))
    return np.mean(losses)


def test_svm_matches_numpy_and_cs231n():
    rng = np.random.default_rng(0)
    scores = rng.normal(scale=2, size=(16, 10)).astype("float32")
    labels = rng.integers(0, 10, size=16)
    for margin in (1.0, 0.5):
        got = float(MulticlassSVM(margin=margin)(labels, scores))
        assert got == pytest.approx(numpy_svm(scores, labels, margin), rel=1e-5)
    # The CS231n notes' three examples (cat, car, frog) and their average loss 5.27.
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]], "float32")
    assert float(MulticlassSVM()([0, 1, 2], scores)) == pytest.approx(5.27, abs=0.01)


def test_svm_serializes_and_trains(tmp_path):
    loss = MulticlassSVM(margin=0.7)
    assert MulticlassSVM.from_config(loss.get_config()).margin == 0.7
    keras.utils.set_random_seed(0)
    inputs = keras.Input((5,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    model.compile(keras.optimizers.Adam(0.01), loss=loss)
    x = np.random.default_rng(0).normal(size=(64, 5)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0)
    history = model.fit(x, y, epochs=100, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    model.save(tmp_path / "svm.keras")
    reloaded = keras.saving.load_model(tmp_path / "svm.keras")
    assert isinstance(reloaded.loss, MulticlassSVM) and reloaded.loss.margin == 0.7
    with pytest.raises(ValueError, match="margin must be positive"):
        MulticlassSVM(margin=0)


def test_initializer_names():
    assert type(get_initializer("xavier_uniform")) is keras.initializers.GlorotUniform
    assert type(get_initializer("he_normal")) is keras.initializers.HeNormal
    sample = keras.ops.convert_to_numpy(get_initializer("small_normal", seed=1)((200, 200)))
    assert sample.std() == pytest.approx(0.01, rel=0.05)
    with pytest.raises(ValueError, match="Valid: " + ", ".join(INITIALIZERS)):
        get_initializer("kaiming")


def _deep_tanh(initializer):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((100,))
    x = inputs
    for i in range(10):
        x = keras.layers.Dense(100, "tanh", kernel_initializer=initializer, name=f"d{i}")(x)
    return keras.Model(inputs, x)


def test_small_normal_collapses_and_lsuv_restores_unit_variance():
    batch = np.random.default_rng(0).normal(size=(256, 100)).astype("float32")
    model = _deep_tanh(get_initializer("small_normal", seed=0))
    assert float(np.std(model(batch))) < 1e-6  # the notes' collapse to zero
    variances = lsuv_init(model, batch)
    assert list(variances) == [f"d{i}" for i in range(10)]
    assert all(abs(v - 1.0) < 0.05 for v in variances.values())
    assert float(np.std(model(batch))) > 0.3  # the last layer's tanh output is alive
    kernel = model.get_layer("d0").kernel.numpy()
    gram = kernel.T @ kernel  # orthogonal columns, one common scale
    np.testing.assert_allclose(gram / gram[0, 0], np.eye(100), atol=1e-4)


def test_softmax_crossentropy_takes_class_ids_and_targets():
    from components.losses import SoftmaxCrossentropy
    from components.metrics import ArgmaxAccuracy

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(8, 5)).astype("float32")
    ids = rng.integers(0, 5, 8)
    one_hot = np.eye(5, dtype="float32")[ids]
    sparse = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    loss = SoftmaxCrossentropy(label_smoothing=0.1)
    # Class ids (validation, test): the plain cross-entropy, never smoothed.
    assert float(loss(ids, logits)) == pytest.approx(float(sparse(ids, logits)), rel=1e-6)
    assert float(loss(ids[:, None], logits)) == pytest.approx(float(sparse(ids, logits)))
    # Targets (training): Keras's categorical cross-entropy with its label smoothing.
    smoothed = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)
    assert float(loss(one_hot, logits)) == pytest.approx(float(smoothed(one_hot, logits)))
    # By hand: targets (1 - e) y + e / K against log-softmax.
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    targets = 0.9 * one_hot + 0.1 / 5
    assert float(loss(one_hot, logits)) == pytest.approx(-(targets * log_p).sum(1).mean(), 1e-5)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(loss))
    assert restored.label_smoothing == 0.1
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        SoftmaxCrossentropy(label_smoothing=1.0)
    # Accuracy against ids, or the largest share of a (mixed) target.
    mixed = 0.6 * one_hot + 0.4 * np.roll(one_hot, 1, axis=1)
    for labels in (ids, one_hot, mixed):
        metric = ArgmaxAccuracy()
        metric.update_state(labels, logits)
        assert float(metric.result()) == pytest.approx(np.mean(logits.argmax(1) == ids))


def test_a_model_trains_on_targets_and_validates_on_ids(tmp_path):
    from components.optimizers import make_optimizer
    from components.training import compile_classifier

    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
    compile_classifier(model, make_optimizer("adam", 0.05), label_smoothing=0.1)
    x = np.random.default_rng(0).normal(size=(60, 4)).astype("float32")
    ids = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0)
    history = model.fit(
        x, np.eye(3, dtype="float32")[ids], validation_data=(x, ids), epochs=20, verbose=0
    )
    assert history.history["val_accuracy"][-1] > 0.8
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save(tmp_path / "m.keras")  # the loss and the metric reload without custom_objects
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))
