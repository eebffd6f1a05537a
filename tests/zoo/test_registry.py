"""The model registry: create, list_models, register_model."""

from __future__ import annotations

import keras
import pytest

import zoo
from zoo import registry


def test_list_models_holds_lenet_and_filters():
    assert {"lenet5", "lenet5_bn"} <= set(zoo.list_models())
    assert zoo.list_models("lenet5*") == ["lenet5", "lenet5_bn"]
    assert zoo.list_models("nothing*") == []


def test_unknown_model_lists_valid_ones():
    with pytest.raises(ValueError, match="Unknown model 'lenet6'.*lenet5, lenet5_bn"):
        zoo.create("lenet6")


@pytest.mark.parametrize("name", zoo.list_models())
@pytest.mark.parametrize("shape,classes", [((28, 28, 1), 10), ((32, 32, 3), 7)])
def test_create_honours_shape_and_classes(name, shape, classes):
    model = zoo.create(name, input_shape=shape, num_classes=classes)
    assert model.input_shape == (None, *shape)
    assert model.output_shape == (None, classes)
    assert model.layers[-1].name == "classifier"


def test_bad_create_arguments():
    with pytest.raises(ValueError, match="input_shape"):
        zoo.create("lenet5", input_shape=(28, 28))
    with pytest.raises(ValueError, match="num_classes must be an integer of at least 2"):
        zoo.create("lenet5", num_classes=1)


def test_register_model_decorator(monkeypatch):
    monkeypatch.setattr(registry, "_MODELS", dict(registry._MODELS))

    @zoo.register_model(defaults=zoo.ModelDefaults(input_shape=(8, 8, 1), epochs=2))
    def tiny_test_net(input_shape, num_classes):
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, keras.layers.Dense(num_classes)(keras.layers.Flatten()(inputs)))

    assert "tiny_test_net" in zoo.list_models()
    assert zoo.get_defaults("tiny_test_net").epochs == 2
    assert zoo.create("tiny_test_net").input_shape == (None, 8, 8, 1)
    with pytest.raises(ValueError, match="registered twice"):
        zoo.register_model(tiny_test_net)


def test_options_can_come_from_the_builder_a_variant_passes_them_to():
    # Each VGG variant is `def vggN(input_shape, num_classes, **options)` over `_vgg`.
    assert zoo.model_options("vgg16_bn") == [
        "scale", "width", "dropout", "batch_norm", "activation", "kernel_initializer"
    ]  # fmt: skip
    assert zoo.create("vgg11", batch_norm=True).name == "vgg11_bn"
    assert zoo.create("vgg11_bn", batch_norm=False).name == "vgg11"
    with pytest.raises(ValueError, match="Model 'vgg16' has no option depth"):
        zoo.create("vgg16", depth=3)


def test_the_registry_module_alone_knows_every_model():
    """`from zoo.registry import list_models` in a fresh interpreter, before anything imports a
    family, lists the zoo's models (it listed none: only `zoo.list_models` loaded them)."""
    import subprocess
    import sys

    code = (
        "from zoo.registry import get_defaults, list_models\n"
        "print(','.join(list_models()), get_defaults('vgg11_bn').epochs)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    names, epochs = done.stdout.strip().splitlines()[-1].split()
    assert names.split(",") == zoo.list_models() and int(epochs) == 30


def test_the_static_table_of_names_is_what_each_family_registers():
    """`zoo.MODELS_BY_FAMILY` (what the commands check `--model` against before Keras loads)
    names exactly the models that importing each family registers."""
    import importlib

    from zoo import registry

    for family, names in zoo.MODELS_BY_FAMILY.items():
        module = importlib.import_module(f"zoo.{family}")
        registered = sorted(
            name
            for name, entry in registry._registered().items()
            if entry.build.__module__ == module.__name__
        )
        assert registered == sorted(names), family
    assert list(zoo.MODEL_NAMES) == zoo.list_models()
