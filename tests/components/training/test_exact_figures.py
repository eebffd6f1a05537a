"""Figures of padded evaluation batches: those of the real examples alone, as NumPy computes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from components.data.array_batches import ArrayBatches
from components.data.preprocessing import Preprocessing
from components.optimizers import make_optimizer
from components.training.compile import compile_classifier
from components.training.exact_figures import ExactValidation, exact_figures

pytestmark = pytest.mark.backends


def _setup():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (10, 4, 4, 1)).astype(np.uint8)
    labels = rng.integers(0, 3, 10)
    model = keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(3, kernel_regularizer=keras.regularizers.L2(0.01)),
        ]
    )
    return images, labels, model, Preprocessing(mean=(0.5,), std=(0.25,))


def _numpy_figures(model, images, labels, prep):
    x = (images.astype("float32") * prep.scale - 0.5) / 0.25
    logits = np.asarray(model.predict(x, verbose=0), np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    l2 = 0.01 * float(np.sum(np.square(model.layers[-1].get_weights()[0])))
    loss = -log_p[np.arange(len(labels)), labels].mean() + l2
    return {"loss": loss, "accuracy": float(np.mean(logits.argmax(axis=1) == labels))}


def test_padded_batches_are_measured_on_their_real_examples_only():
    images, labels, model, prep = _setup()
    # 10 examples in batches of 4, each padded to a multiple of 3: 6, 6 and 3 rows, 5 copies.
    padded = ArrayBatches(images, labels, prep, batch_size=4, multiple_of=3)
    assert [len(padded[i][0]) for i in range(len(padded))] == [6, 6, 3]
    truth = _numpy_figures(model, images, labels, prep)
    figures = exact_figures(model, padded)
    assert figures["accuracy"] == pytest.approx(truth["accuracy"], abs=1e-9)
    assert figures["loss"] == pytest.approx(truth["loss"], rel=1e-5)
    # Keras's own evaluate counts the copies (the reason for exact_figures).
    compile_classifier(model)
    keras_figures = model.evaluate(padded, return_dict=True, verbose=0)
    assert abs(keras_figures["loss"] - truth["loss"]) > 1e-3


def test_exact_validation_writes_the_figures_into_the_epoch_logs():
    images, labels, model, prep = _setup()
    compile_classifier(model, keras.optimizers.SGD(0.0))  # rate 0: the weights stay as built
    validation = ArrayBatches(images, labels, prep, batch_size=4, multiple_of=3)
    train = ArrayBatches(images, labels, prep, batch_size=5)
    history = model.fit(train, epochs=1, verbose=0, callbacks=[ExactValidation(validation)])
    truth = _numpy_figures(model, images, labels, prep)
    assert history.history["val_accuracy"] == [pytest.approx(truth["accuracy"])]
    assert history.history["val_loss"] == [pytest.approx(truth["loss"], rel=1e-5)]


def test_exact_validation_measures_the_moving_average_of_the_weights():
    # With `use_ema` the epoch's validation measures the average, which fit leaves in the model.
    images, labels, model, prep = _setup()
    compile_classifier(model, make_optimizer("sgd", 0.5, ema_momentum=0.5))
    validation = ArrayBatches(images, labels, prep, batch_size=4, multiple_of=3)
    train = ArrayBatches(images, labels, prep, batch_size=5)
    trained = []
    keep_last = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: trained.append(model.get_weights())
    )
    history = model.fit(
        train, epochs=1, verbose=0, callbacks=[ExactValidation(validation), keep_last]
    )
    truth = _numpy_figures(model, images, labels, prep)  # the averaged weights fit wrote in
    assert history.history["val_loss"] == [pytest.approx(truth["loss"], rel=1e-5)]
    model.set_weights(trained[-1])
    assert abs(_numpy_figures(model, images, labels, prep)["loss"] - truth["loss"]) > 1e-3
