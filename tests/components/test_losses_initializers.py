"""MulticlassSVM against NumPy; the notes' initializers; LSUV."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.initializers import INITIALIZERS, get_initializer, lsuv_init
from components.losses import MulticlassSVM


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
    model.compile("adam", loss=loss)
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
