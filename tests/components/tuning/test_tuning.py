"""components.tuning: the HyperModel over a SearchSpace, the tuners, resuming, the table.

On a tiny model and synthetic images, so that searches take seconds; the recipe's end-to-end
test (tests/recipes/test_tune.py) runs on the real Fashion-MNIST.
"""

from __future__ import annotations

import json

import keras
import keras_tuner
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from components.data import Preprocessing
from components.initializers import layer_initializer
from components.tuning import (
    SEARCH_RECORD,
    ClassifierHyperModel,
    SearchDirectoryError,
    claim_search_directory,
    declare_hyperparameters,
    make_tuner,
    top_trials_table,
    trial_metrics,
)
from components.tuning.search_space import FloatRange, SearchSpace

PREP = Preprocessing(mean=(0.5,), std=(0.25,))
SPACE = SearchSpace(
    batch_size=(32, 64),
    kernel_initializer=("xavier_uniform", "he_normal"),
    activation=("relu", "leaky_relu", "elu"),
    dropout=FloatRange(0.0, 0.5, step=0.1),
    batch_norm=(False, True),
)
INITIALIZER_CLASSES = {"xavier_uniform": "GlorotUniform", "he_normal": "HeNormal"}


def tiny_classifier(
    activation="relu", kernel_initializer="glorot_uniform", dropout=0.0, batch_norm=False
) -> keras.Model:
    inputs = keras.Input((8, 8, 1))
    x = layers.Conv2D(
        4,
        3,
        use_bias=not batch_norm,
        kernel_initializer=layer_initializer(kernel_initializer),
        name="conv",
    )(inputs)
    if batch_norm:
        x = layers.BatchNormalization(name="conv_bn")(x)
    x = layers.Activation(activation, name="act")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    return keras.Model(inputs, layers.Dense(3, name="classifier")(x))


def synthetic(n=96, seed=0) -> tf.data.Dataset:
    """Unbatched uint8 images whose class is where a bright row band lies."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    images = rng.integers(0, 60, size=(n, 8, 8, 1)).astype(np.uint8)
    for i, label in enumerate(labels):
        images[i, 2 * label + 1 : 2 * label + 3] = 250
    return tf.data.Dataset.from_tensor_slices((images, labels.astype(np.int64)))


def hypermodel(space=SPACE, build=tiny_classifier) -> ClassifierHyperModel:
    return ClassifierHyperModel(build, space, preprocessing=PREP, seed=0)


def test_learning_rate_is_sampled_on_a_log_scale():
    hp = keras_tuner.HyperParameters()
    declare_hyperparameters(hp, SearchSpace())
    lr = {h.name: h for h in hp.space}["learning_rate"]
    assert type(lr).__name__ == "Float"
    assert (lr.min_value, lr.max_value, lr.sampling) == (1e-4, 1e-1, "log")
    samples = np.array([lr.random_sample(seed) for seed in range(600)])
    assert samples.min() >= 1e-4 and samples.max() <= 1e-1
    # Each decade about equally likely (a linear scale would put 90% in the last one).
    decades = np.histogram(np.log10(samples), bins=[-4, -3, -2, -1])[0] / len(samples)
    assert np.all((decades > 0.25) & (decades < 0.42)), decades


def test_each_dimension_is_declared_under_its_name():
    hp = keras_tuner.HyperParameters()
    values = declare_hyperparameters(hp, SPACE)
    kinds = {h.name: type(h).__name__ for h in hp.space}
    assert kinds == {
        "learning_rate": "Float",
        "optimizer": "Choice",
        "batch_size": "Choice",
        "weight_decay": "Choice",
        "kernel_initializer": "Choice",
        "activation": "Choice",
        "dropout": "Float",
        "batch_norm": "Boolean",
    }
    assert set(values) == set(kinds)
    fixed = keras_tuner.HyperParameters()
    declare_hyperparameters(fixed, SearchSpace(optimizer=("adam",), batch_norm=(True,)))
    kinds = {h.name: type(h).__name__ for h in fixed.space}
    assert kinds["optimizer"] == kinds["batch_norm"] == "Fixed"
    assert "activation" not in kinds  # not declared: the builder's default holds


@pytest.mark.parametrize(
    "optimizer,activation,initializer,batch_norm",
    [
        ("momentum", "relu", "xavier_uniform", False),
        ("adam", "leaky_relu", "he_normal", True),
        ("rmsprop", "elu", "he_normal", False),
    ],
)
def test_build_applies_the_chosen_values(optimizer, activation, initializer, batch_norm):
    hm = hypermodel()
    hp = keras_tuner.HyperParameters()
    declare_hyperparameters(hp, SPACE)
    chosen = {
        "optimizer": optimizer,
        "learning_rate": 0.02,
        "weight_decay": 1e-4,
        "activation": activation,
        "kernel_initializer": initializer,
        "batch_norm": batch_norm,
        "dropout": 0.3,
    }
    hp.values.update(chosen)
    model = hm.build(hp)
    assert model.get_layer("act").activation.__name__ == activation
    conv = model.get_layer("conv")
    assert type(conv.kernel_initializer).__name__ == INITIALIZER_CLASSES[initializer]
    has_bn = any(isinstance(layer, layers.BatchNormalization) for layer in model.layers)
    assert has_bn == batch_norm and conv.use_bias == (not batch_norm)
    assert model.get_layer("dropout").rate == pytest.approx(0.3)
    expected = {"momentum": "SGD", "adam": "Adam", "rmsprop": "RMSprop"}[optimizer]
    assert type(model.optimizer).__name__ == expected
    assert float(model.optimizer.learning_rate) == pytest.approx(0.02)
    assert model.optimizer.weight_decay == pytest.approx(1e-4)


def test_a_space_setting_an_option_the_builder_lacks_is_refused():
    def no_batch_norm(activation="relu"):
        return tiny_classifier(activation=activation)

    with pytest.raises(ValueError, match="sets kernel_initializer, dropout, batch_norm, which"):
        hypermodel(build=no_batch_norm)
    hypermodel(SearchSpace(activation=("relu", "elu")), build=no_batch_norm)  # fine


@pytest.mark.parametrize("batch_size,steps", [(32, 3), (64, 2)])
def test_fit_batches_by_the_trial_batch_size(batch_size, steps):
    keras.utils.set_random_seed(0)
    hm = hypermodel()
    hp = keras_tuner.HyperParameters()
    declare_hyperparameters(hp, SPACE)
    hp.values["batch_size"] = batch_size
    model = hm.build(hp)
    history = hm.fit(hp, model, synthetic(96), validation_data=synthetic(30, 1), verbose=0)
    assert int(model.optimizer.iterations) == steps
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}


class InterruptSecondTrial(keras.callbacks.Callback):
    """Raises KeyboardInterrupt as the second trial starts training (as Ctrl-C would)."""

    began = 0

    def on_train_begin(self, logs=None):
        type(self).began += 1
        if type(self).began == 2:
            raise KeyboardInterrupt


class CountTrainings(keras.callbacks.Callback):
    began = 0

    def on_train_begin(self, logs=None):
        type(self).began += 1


@pytest.fixture(scope="module")
def interrupted_then_resumed(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tuning") / "tiny"
    train, val = synthetic(96), synthetic(30, 1)
    keras.utils.set_random_seed(0)
    tuner = make_tuner("random", hypermodel(), directory, max_trials=2, epochs=2, seed=0)
    with pytest.raises(KeyboardInterrupt):
        tuner.search(
            train, validation_data=val, epochs=2, verbose=0, callbacks=[InterruptSecondTrial()]
        )
    checkpoint = directory / "trial_0" / "checkpoint.weights.h5"
    before = {
        "bytes": checkpoint.read_bytes(),
        "mtime": checkpoint.stat().st_mtime_ns,
        "statuses": {k: t.status for k, t in tuner.oracle.trials.items()},
        "values": {k: dict(t.hyperparameters.values) for k, t in tuner.oracle.trials.items()},
    }
    resumed = make_tuner("random", hypermodel(), directory, max_trials=2, epochs=2, seed=0)
    resumed.search(train, validation_data=val, epochs=2, verbose=0, callbacks=[CountTrainings()])
    return before, resumed, checkpoint


def test_an_interrupted_search_resumes_without_retraining_finished_trials(
    interrupted_then_resumed,
):
    before, tuner, checkpoint = interrupted_then_resumed
    assert before["statuses"] == {"0": "COMPLETED", "1": "RUNNING"}
    assert CountTrainings.began == 1  # only the interrupted trial ran again
    assert {k: t.status for k, t in tuner.oracle.trials.items()} == {
        "0": "COMPLETED",
        "1": "COMPLETED",
    }
    # Trial 0 was not retrained; trial 1 ran again with the values it had been given.
    assert checkpoint.read_bytes() == before["bytes"]
    assert checkpoint.stat().st_mtime_ns == before["mtime"]
    assert tuner.oracle.trials["1"].hyperparameters.values == before["values"]["1"]


def test_top_trials_table_and_trial_metrics(interrupted_then_resumed):
    _, tuner, _ = interrupted_then_resumed
    table = top_trials_table(tuner.oracle, num_trials=5).splitlines()
    assert table[0] == "Top 2 of 2 completed trials by val_accuracy (max):"
    assert table[1].split() == [
        "trial",
        "val_accuracy",
        "learning_rate",
        "optimizer",
        "batch_size",
        "weight_decay",
        "kernel_initializer",
        "activation",
        "dropout",
        "batch_norm",
    ]
    best, second = tuner.oracle.get_best_trials(2)
    assert table[2].split()[:2] == [best.trial_id, f"{best.score:.4f}"]
    assert table[3].split()[0] == second.trial_id and best.score >= second.score
    assert f"{best.hyperparameters.values['learning_rate']:.4g}" in table[2]
    metrics = trial_metrics(best)
    assert set(metrics) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert metrics["val_accuracy"] == pytest.approx(best.score)


# Hyperband's later rounds load a trial's weights alone; Keras says the optimizer's are not.
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_hyperband_runs_with_its_epochs_and_stops_at_max_trials(tmp_path):
    keras.utils.set_random_seed(0)
    tuner = make_tuner(
        "hyperband", hypermodel(), tmp_path / "hb", max_trials=3, epochs=2, hyperband_factor=2
    )
    assert tuner.oracle.max_trials == 3
    tuner.search(synthetic(96), validation_data=synthetic(30, 1), verbose=0)
    trials = tuner.oracle.trials.values()
    assert len(trials) == 3 and all(t.status == "COMPLETED" for t in trials)
    assert {t.hyperparameters.values["tuner/epochs"] for t in trials} <= {1, 2}
    assert "epochs" in top_trials_table(tuner.oracle).splitlines()[1].split()


def test_make_tuner_kinds_and_bad_arguments(tmp_path):
    bayesian = make_tuner("bayesian", hypermodel(), tmp_path / "b", max_trials=4, epochs=1)
    assert type(bayesian).__name__ == "BayesianOptimization" and bayesian.oracle.max_trials == 4
    with pytest.raises(ValueError, match="Unknown tuner 'grid'. Valid tuners: hyperband"):
        make_tuner("grid", hypermodel(), tmp_path / "g", max_trials=1, epochs=1)
    with pytest.raises(ValueError, match="max_trials, epochs and executions_per_trial"):
        make_tuner("random", hypermodel(), tmp_path / "r", max_trials=0, epochs=1)


def test_claim_search_directory(tmp_path):
    directory = tmp_path / "search"
    record = {"model": "tiny", "space": SPACE.to_dict()}
    assert claim_search_directory(directory, record) is False  # new
    assert json.loads((directory / SEARCH_RECORD).read_text())["model"] == "tiny"
    (directory / "oracle.json").write_text("{}")  # as keras-tuner leaves it
    assert claim_search_directory(directory, record) is True  # resumed
    with pytest.raises(SearchDirectoryError, match="model: 'tiny' there, 'other' now"):
        claim_search_directory(directory, {**record, "model": "other"})
    assert claim_search_directory(directory, {**record, "model": "other"}, overwrite=True) is False
    assert not (directory / "oracle.json").exists()

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(SearchDirectoryError, match="holds no search"):
        claim_search_directory(foreign, record, overwrite=True)
    assert (foreign / "notes.txt").exists()
    (foreign / "oracle.json").write_text("{}")
    with pytest.raises(SearchDirectoryError, match="without search.json"):
        claim_search_directory(foreign, record)
