"""The classic CNNs: paper parameter counts, both scales, learning, FLOPs, export."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo
from components.data import Preprocessing, preprocess_images
from components.diagnostics.flops import count_flops, count_graph_flops
from components.export import export_classifier
from components.layers import BN_MOMENTUM
from components.optimizers import make_optimizer
from components.training import compile_classifier
from zoo import cli

FAMILIES_WITH_PAPER_SCALE = [
    name for name in zoo.list_models() if zoo.get_defaults(name).paper_input_shape
]


@pytest.mark.parametrize(
    "name,kwargs,expected",
    [
        pytest.param("vgg16", {}, 138_357_544),
        pytest.param("vgg19", {}, 143_667_240),
        pytest.param("alexnet", {}, 62_378_344, marks=pytest.mark.backends),
        pytest.param("alexnet", {"two_gpu_grouping": True}, 60_965_224),
        # The same symbolic count under JAX, built in a quarter of a minute: this pass only.
        pytest.param("googlenet", {}, 6_998_552),
    ],
)
def test_paper_parameter_counts(name, kwargs, expected):
    model = zoo.create(name, input_shape=(224, 224, 3), num_classes=1000, **kwargs)
    assert model.count_params() == expected
    keras.backend.clear_session()


@pytest.mark.parametrize("name,reference", [("vgg16", "VGG16"), ("vgg19", "VGG19")])
def test_vgg_matches_keras_applications_layer_by_layer(name, reference):
    ours = zoo.create(name, input_shape=(224, 224, 3), num_classes=1000)
    theirs = getattr(keras.applications, reference)(weights=None)
    assert [w.shape for w in ours.weights] == [w.shape for w in theirs.weights]
    keras.backend.clear_session()


@pytest.mark.parametrize("name", FAMILIES_WITH_PAPER_SCALE)
def test_paper_scale_builds(name):
    model = zoo.create(name, input_shape=(224, 224, 3), num_classes=1000)
    assert model.output_shape == (None, 1000)
    assert zoo.resolve_scale("auto", (224, 224, 3)) == "paper"
    keras.backend.clear_session()


def test_scale_is_chosen_by_input_size_or_forced():
    assert zoo.resolve_scale("auto", (28, 28, 1)) == "small"
    assert zoo.resolve_scale("auto", (96, 96, 1)) == "paper"
    small_at_96 = zoo.create("vgg11", input_shape=(96, 96, 1), scale="small")
    paper_at_96 = zoo.create("vgg11", input_shape=(96, 96, 1))
    assert small_at_96.count_params() < paper_at_96.count_params()
    with pytest.raises(ValueError, match="Valid scales: auto, paper, small"):
        zoo.create("vgg11", scale="huge")


def test_width_multiplier_scales_the_model():
    narrow = zoo.create("vgg11", width=0.25).count_params()
    wide = zoo.create("vgg11", width=0.5).count_params()
    assert narrow < wide / 3  # parameters grow about with the square of the width


def _learnable_batch(shape, n=32, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    x = rng.normal(scale=0.3, size=(n, *shape)).astype("float32")
    for i, label in enumerate(y):  # a bright row band per class
        x[i, 2 * label + 4 : 2 * label + 7, :, :] += 2.0
    return x, y


# Deep VGGs without BatchNorm need a smaller step (the paper trained them from shallower ones).
LEARNING_RATES = {"vgg16": 3e-4, "vgg19": 3e-4, "nin": 3e-3}
# NiN starts slowly (no dense layers; under JAX's initial draws slower still at 1e-3); the
# others need half of that.
EPOCHS = {"nin": 30}
# One model of each family learns (LeNet's in test_lenet.py); of the VGGs, which share one
# table of configurations, the shallowest with BatchNorm and the deepest one without (the lower
# step): the others build from the same code, and their counts are tested above. The JAX pass
# fits two (each model's first build there compiles one XLA program per weight shape for its
# initializers: 5 s for AlexNet, 22 s for GoogLeNet on this CPU).
FITS = ("alexnet", "vgg11_bn", "vgg16", "nin", "googlenet")
JAX_PASS_FITS = ("vgg11_bn", "nin")


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.backends) if n in JAX_PASS_FITS else n for n in FITS],
)
def test_small_model_learns_a_fixed_batch(name):
    keras.utils.set_random_seed(0)
    x, y = _learnable_batch((28, 28, 1))
    # Dropout only slows memorizing one batch; a quarter of the widths learns it as well.
    model = zoo.create(name, dropout=0.0, width=0.25)
    compile_classifier(model, make_optimizer("adam", LEARNING_RATES.get(name, 1e-3)))
    history = model.fit(x, y, batch_size=32, epochs=EPOCHS.get(name, 15), verbose=0)
    losses = history.history["loss"]
    assert min(losses[-3:]) < 0.9 * losses[0], losses


def test_googlenet_aux_classifiers_count_in_the_loss_and_are_dropped_for_inference():
    # Training with them and exporting the main head: test_run_e2e's GoogLeNet run.
    keras.utils.set_random_seed(0)
    model = zoo.create("googlenet", aux_classifiers=True, width=0.25)
    assert len(model.outputs) == 3
    inference = zoo.inference_model(model)
    assert len(inference.outputs) == 1
    plain = zoo.create("googlenet", width=0.25)
    assert inference.count_params() == plain.count_params() < model.count_params()
    # The training loss is main + 0.3 * (aux1 + aux2).
    x, y = _learnable_batch((28, 28, 1), n=16)
    compile_classifier(model, make_optimizer("adam", 1e-3))
    total = model.evaluate(x, (y, y, y), verbose=0, return_dict=True)["loss"]
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    outputs = model({"images": x}, training=False)
    main, aux1, aux2 = (float(ce(y, out)) for out in outputs)
    assert total == pytest.approx(main + 0.3 * (aux1 + aux2), rel=1e-4)
    # The inference model is the main head itself: the same weights, the same logits.
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(inference({"images": x}, training=False)),
        keras.ops.convert_to_numpy(outputs[0]),
        atol=1e-6,
    )


def test_flops_of_lenet5_by_hand():
    conv1 = 2 * 25 * 1 * 6 * 28 * 28
    conv2 = 2 * 25 * 6 * 16 * 10 * 10
    dense = 2 * (400 * 120 + 120 * 84 + 84 * 10)
    assert count_flops(zoo.create("lenet5")) == conv1 + conv2 + dense == 833_040


@pytest.mark.parametrize("name", zoo.list_models())
def test_analytic_flops_equal_the_graph_count(name):
    model = zoo.create(name)
    assert count_flops(model) == count_graph_flops(model) > 0


def test_paper_alexnet_flops():
    model = zoo.create("alexnet", input_shape=(224, 224, 3), num_classes=1000)
    assert count_flops(model) == count_graph_flops(model)
    grouped = zoo.create(
        "alexnet", input_shape=(224, 224, 3), num_classes=1000, two_gpu_grouping=True
    )
    # Grouping halves the multiply-adds of conv2, conv4 and conv5 (55->27->13 maps, 6x6 fc6).
    saved = 2 * (
        27 * 27 * 256 * 5 * 5 * 48 + 13 * 13 * 384 * 3 * 3 * 192 + 13 * 13 * 256 * 9 * 192
    )
    assert count_flops(model) - count_flops(grouped) == saved
    keras.backend.clear_session()


# One model per family: the VGG variants share their builder.
@pytest.mark.parametrize(
    "name", ["lenet5", "lenet5_bn", "alexnet", "vgg11_bn", "nin", "googlenet"]
)
def test_exported_small_model_predicts_as_keras(name, tmp_path):
    keras.utils.set_random_seed(0)
    model = zoo.create(name, input_shape=(32, 32, 3))
    prep = Preprocessing(mean=(0.5, 0.4, 0.3), std=(0.2, 0.25, 0.3))
    path = export_classifier(
        model,
        tmp_path,
        image_shape=(32, 32, 3),
        preprocessing=prep,
        class_names=list("abcdefghij"),
    )
    images = np.random.default_rng(0).integers(0, 256, size=(4, 32, 32, 3), dtype=np.uint8)
    expected = model(preprocess_images(images, prep), training=False).numpy()
    loaded = tf.saved_model.load(str(path))
    got = loaded.signatures["serving_uint8"](images=tf.constant(images))["logits"].numpy()
    np.testing.assert_allclose(got, expected, atol=1e-4, rtol=1e-4)


def test_describe_card():
    card = zoo.describe("vgg16", scales=("small",))
    assert card["paper"].startswith("Simonyan & Zisserman 2014")
    small = card["scales"]["small"]
    assert small["parameters"] == zoo.create("vgg16").count_params()
    assert small["flops"] == count_flops(zoo.create("vgg16"))
    assert card["recipes"]["default"]["epochs"] > 0


def test_models_command_describes_the_paper_scale(capsys):
    assert cli.main(["models", "describe", "alexnet"]) == 0
    assert "62,378,344 parameters" in capsys.readouterr().out
    assert cli.main(["models", "describe", "resnet"]) == 2
    assert "invalid choice: 'resnet' (choose from 'alexnet'" in capsys.readouterr().err


@pytest.mark.parametrize("name", zoo.list_models())
def test_every_batchnorm_of_the_zoo_uses_one_momentum(name):
    options = {"batch_norm": True} if "batch_norm" in zoo.registry.model_options(name) else {}
    model = zoo.create(name, **options)
    momenta = {
        layer.momentum
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, keras.layers.BatchNormalization)
    }
    assert momenta <= {BN_MOMENTUM}
    if options:
        assert momenta == {BN_MOMENTUM}


@pytest.mark.parametrize(
    "name",
    [
        *(
            pytest.param(n, marks=pytest.mark.backends)
            for n in ("lenet5_bn", "alexnet", "vgg11_bn", "nin")
        ),
        "googlenet",  # under JAX too, by hand (its build there: 22 s of compiling, above)
    ],
)
def test_a_zoo_model_reloads_from_a_keras_file_and_predicts_the_same(name, tmp_path):
    keras.utils.set_random_seed(0)
    narrow = {} if name.startswith("lenet") else {"width": 0.25}
    model = zoo.create(name, input_shape=(28, 28, 1), num_classes=10, **narrow)
    x, _ = _learnable_batch((28, 28, 1), n=8)
    model.save(tmp_path / "model.keras")
    reloaded = keras.saving.load_model(tmp_path / "model.keras")
    as_json = json.loads(json.dumps(model.get_config()))  # the file's tuples come back as lists
    assert json.loads(json.dumps(reloaded.get_config())) == as_json
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(reloaded(x, training=False)),
        keras.ops.convert_to_numpy(model(x, training=False)),
        atol=1e-5,
    )
