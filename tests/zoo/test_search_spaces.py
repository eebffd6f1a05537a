"""Each model's search space and the build options it searches (activation, initializer,
dropout, BatchNorm): declared only where the builder takes them, and visible in the model."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

import zoo
from components.tuning.search_space import FloatRange

# One model per family (and the BN variants), narrow so that building is quick.
FAMILIES = {
    "lenet5": {},
    "lenet5_bn": {},
    "vgg11": {"width": 0.125},
    "vgg11_bn": {"width": 0.125},
    "alexnet": {"width": 0.125},
    "nin": {"width": 0.125},
    "googlenet": {"width": 0.125},
}
INITIALIZER_CLASSES = {"xavier_uniform": "GlorotUniform", "he_normal": "HeNormal"}


def _all_layers(model: keras.Model) -> list[keras.layers.Layer]:
    return list(model._flatten_layers(include_self=False, recursive=True))


def _activations(model: keras.Model) -> set[str]:
    names = {
        getattr(getattr(layer, "activation", None), "__name__", None)
        for layer in _all_layers(model)
    }
    return names - {None, "linear"}


def _hidden_initializers(model: keras.Model) -> set[str]:
    return {
        type(layer.kernel_initializer).__name__
        for layer in _all_layers(model)
        if isinstance(layer, (layers.Conv2D, layers.Dense)) and layer.name != "classifier"
    }


@pytest.mark.parametrize("name", zoo.list_models())
def test_space_declares_only_options_the_builder_takes(name):
    space = zoo.get_defaults(name).search_space
    assert set(space.model_options()) <= set(zoo.registry.model_options(name))
    assert space.learning_rate == FloatRange(1e-4, 1e-1, sampling="log")
    assert set(space.optimizer) == {"momentum", "adam", "rmsprop"}
    assert set(space.activation) == {"relu", "leaky_relu", "elu"}
    assert set(space.kernel_initializer) == {"xavier_uniform", "he_normal"}
    assert space.dropout is not None
    assert space.batch_norm == (False, True)
    assert zoo.describe(name, scales=())["search_space"] == space.to_dict()


@pytest.mark.parametrize("pick", [0, 1, 2])
@pytest.mark.parametrize("name", FAMILIES)
def test_each_declared_choice_builds_and_shows_in_the_model(name, pick):
    space = zoo.get_defaults(name).search_space
    options = {
        "activation": space.activation[pick % len(space.activation)],
        "kernel_initializer": space.kernel_initializer[pick % len(space.kernel_initializer)],
        "dropout": round(space.dropout.min_value + 0.1 * (pick + 1), 1),
    }
    if space.batch_norm:
        options["batch_norm"] = space.batch_norm[pick % len(space.batch_norm)]
    model = zoo.create(name, **FAMILIES[name], **options)
    assert model(np.zeros((2, 28, 28, 1), "float32")).shape == (2, 10)
    assert _activations(model) == {options["activation"]}
    assert _hidden_initializers(model) == {INITIALIZER_CLASSES[options["kernel_initializer"]]}
    rates = {layer.rate for layer in _all_layers(model) if isinstance(layer, layers.Dropout)}
    assert rates == {options["dropout"]}
    has_bn = any(isinstance(layer, layers.BatchNormalization) for layer in _all_layers(model))
    assert has_bn == options.get("batch_norm", False)
    keras.backend.clear_session()


def test_defaults_are_the_papers():
    lenet = zoo.create("lenet5")
    assert _activations(lenet) == {"sigmoid"}
    assert not any(
        isinstance(layer, (layers.Dropout, layers.BatchNormalization)) for layer in lenet.layers
    )
    assert _activations(zoo.create("googlenet", width=0.125)) == {"relu"}
    vgg = zoo.create("vgg11", width=0.125)
    # VGG keeps He in its convolutions and Keras's Glorot in its dense layers.
    assert _hidden_initializers(vgg) == {"HeNormal", "GlorotUniform"}


def test_vgg_batch_norm_option_equals_the_bn_variant():
    ours = zoo.create("vgg11", batch_norm=True, width=0.125)
    theirs = zoo.create("vgg11_bn", width=0.125)
    assert ours.name == theirs.name == "vgg11_bn"
    assert ours.count_params() == theirs.count_params()


def test_initializer_names_of_the_notes_reach_train_py_model_args():
    # recipes/tune.py prints a train.py command with --model-arg kernel_initializer=<name>.
    model = zoo.create("alexnet", width=0.125, kernel_initializer="xavier_uniform")
    assert _hidden_initializers(model) == {"GlorotUniform"}
    with pytest.raises(ValueError, match="Unknown initializer 'xavier'"):
        zoo.create("lenet5", kernel_initializer="xavier")
    with pytest.raises(ValueError, match="Unknown activation 'relu6x'"):
        zoo.create("lenet5", activation="relu6x")
