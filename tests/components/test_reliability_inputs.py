"""Bad numbers refused where they enter, strict JSON on disk, reports that never overwrite
another model's (issue 15, the parts done so far)."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

import zoo
from components.arg_types import non_negative_float, positive_float
from components.atomic_files import write_json_atomic
from components.data.pipeline import Preprocessing
from components.export.evaluation_report import REPORT_OWNER_FILE, claim_report_dir
from components.optimizers import make_optimizer
from components.training import ConfigError, TrainConfig


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "0", "-1"])
def test_flags_refuse_non_finite_and_non_positive_numbers(text):
    with pytest.raises(argparse.ArgumentTypeError, match="must be a finite positive number"):
        positive_float(text)


@pytest.mark.parametrize("text", ["inf", "nan", "-0.5"])
def test_non_negative_flags_refuse_non_finite_numbers(text):
    with pytest.raises(argparse.ArgumentTypeError, match="must be finite and >= 0"):
        non_negative_float(text)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_optimizer("adam", float("nan")), "learning_rate must be a finite"),
        (lambda: make_optimizer("sgd", float("inf")), "learning_rate must be a finite"),
        (lambda: make_optimizer("sgd", 0.1, weight_decay=float("inf")), "weight_decay must be"),
        (lambda: make_optimizer("sgd", 0.1, weight_decay=float("nan")), "weight_decay must be"),
        (lambda: Preprocessing(mean=(0.0,), std=(float("nan"),)), "std must be finite"),
        (lambda: Preprocessing(mean=(float("inf"),), std=(1.0,)), "mean must be finite"),
        (lambda: zoo.create("lenet5", num_classes=0), "num_classes must be an integer of at"),
        (lambda: zoo.create("lenet5", num_classes=2.5), "num_classes must be an integer"),
        (lambda: zoo.create("lenet5", input_shape=(28, 28.0, 1)), "input_shape must be"),
        (lambda: TrainConfig.of(weight_decay=float("inf")), "weight_decay must be finite"),
        (lambda: TrainConfig.of(learning_rate=float("nan")), "learning_rate must be"),
    ],
)
def test_the_python_api_refuses_them_too(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("model", "options", "message"),
    [
        ("vgg11", {"width": "abc"}, "option width takes a finite number, got 'abc'"),
        ("vgg11", {"width": 1e-9}, "option width must be in \\[1/64, 16\\], got 1e-09"),
        ("alexnet", {"width": float("inf")}, "option width takes a finite number, got inf"),
        ("lenet5", {"batch_norm": "yes"}, "option batch_norm takes true or false, got 'yes'"),
        ("lenet5", {"dropout": 2}, "option dropout must be in \\[0, 1\\), got 2"),
        ("lenet5", {"activation": 3}, "option activation takes text, got 3"),
    ],
)
def test_model_options_are_typed_and_checked_before_any_data_loads(model, options, message):
    with pytest.raises(ValueError, match=message):
        zoo.create(model, **options)
    # The same in a run, refused by resolve: before any data is read. Width is a field.
    fields = dict(options) if "width" not in options else {}
    config = {"width": options["width"]} if "width" in options else {"model_options": fields}
    with pytest.raises(ConfigError, match=message if fields else "width must be"):
        TrainConfig.of(model=model, data_dir="/nonexistent", **config).resolve(zoo.registry)


def test_config_errors_are_value_errors():
    assert issubclass(ConfigError, ValueError)


def test_json_on_disk_is_strict(tmp_path):
    path = write_json_atomic(
        tmp_path / "m.json", {"test": {"loss": float("nan")}, "history": [1.0, float("-inf")]}
    )
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"test": {"loss": None}, "history": [1.0, None]}


def test_a_report_never_overwrites_another_models(tmp_path):
    first = claim_report_dir(tmp_path / "R" / "lenet5_bn" / "1", tmp_path / "a/lenet5_bn/1")
    (first / "fashion_mnist-test-confusion.png").write_bytes(b"a's plot")
    second = claim_report_dir(tmp_path / "R" / "lenet5_bn" / "1", tmp_path / "b/lenet5_bn/1")
    assert first == tmp_path / "R" / "lenet5_bn" / "1"
    assert second == tmp_path / "R" / "lenet5_bn" / "1-2"
    assert (first / "fashion_mnist-test-confusion.png").read_bytes() == b"a's plot"
    # The same model again gets its own directory back; a directory of other files is left.
    again = claim_report_dir(tmp_path / "R" / "lenet5_bn" / "1", tmp_path / "a/lenet5_bn/1")
    assert again == first
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    assert claim_report_dir(tmp_path / "mine", tmp_path / "a/m/1") == tmp_path / "mine-2"
    assert (second / REPORT_OWNER_FILE).read_text().strip().endswith("b/lenet5_bn/1")


@pytest.mark.parametrize("layer", ["PCAWhitening", "ZCAWhitening"])
@pytest.mark.parametrize(("samples", "got"), [(1, "got 1"), (0, "got 0")])
def test_whitening_needs_two_samples(layer, samples, got):
    import numpy as np

    from components import layers

    with pytest.raises(ValueError, match=f"{layer}.adapt needs at least 2 samples.*{got}"):
        getattr(layers, layer)().adapt(np.ones((samples, 4, 4, 1), np.float32))


def test_whitening_refuses_non_finite_data():
    import numpy as np

    from components.layers import ZCAWhitening

    data = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
    data[2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        ZCAWhitening().adapt(data)


def test_lsuv_on_a_model_with_nothing_to_initialize_says_so():
    import keras
    import numpy as np

    from components.initializers import lsuv_init

    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.ReLU()(inputs), name="no_weights")
    with pytest.raises(ValueError, match="'no_weights' has no Dense or Conv layer"):
        lsuv_init(model, np.ones((8, 4), np.float32))


def test_lr_find_refuses_batch_size_zero_before_any_data_loads():
    with pytest.raises(ConfigError, match="batch_size must be a positive integer, got 0"):
        zoo.lr_find("lenet5", batch_size=0, data_dir="/nonexistent")


@pytest.mark.e2e
def test_a_validation_split_that_holds_out_nothing_is_refused(fashion_mnist_data_dir):
    from components.data import load_image_classification

    with pytest.raises(ValueError, match="val_split 0.05 of the 10 examples .* holds out 0"):
        load_image_classification(
            data_dir=fashion_mnist_data_dir, train_split="train[:10]", val_split=0.05
        )


def test_a_pause_file_in_a_missing_directory_is_refused_before_the_run(tmp_path):
    config = TrainConfig.of(
        model="lenet5", pause_every=10, pause_control="file", pause_file=tmp_path / "no" / "c"
    )
    with pytest.raises(ConfigError, match="--pause-file .*its directory does not exist"):
        config.resolve(zoo.registry)


@pytest.mark.e2e
def test_a_non_finite_loss_stops_the_run_with_its_step_and_exports_nothing(
    fashion_mnist_data_dir, tmp_path
):
    result = zoo.train(
        model="lenet5_bn",
        optimizer="sgd",
        learning_rate=1e30,
        epochs=2,
        batch_size=32,
        train_split="train[:256]",
        test_split="test[:64]",
        data_dir=str(fashion_mnist_data_dir),
        checkpoint_dir=tmp_path / "ckpt",
        export_dir=tmp_path / "exports",
        log_dir=tmp_path / "logs",
    )
    assert not result.completed and result.export_dir is None
    assert 1 <= result.stopped_at_step <= 8  # within the first epoch of 8 steps
    assert (result.stopped_by, result.exit_code) == ("diverged", 3)  # `train` exits 3, not 0
    report = result.stop_report("a non-finite loss")
    assert "Lower the learning rate (it was 1e+30)" in report
    assert report.endswith("--lr 1e+29 --resume")  # the hint lowers it tenfold
    assert not (tmp_path / "exports").exists()
    assert json.dumps(result.history, allow_nan=True)  # the history says what happened


def _api_cases():
    from components.layers.lrn import LocalResponseNormalization
    from components.layers.maxout import Maxout
    from components.layers.whitening import PCAWhitening, ZCAWhitening
    from components.optimizers.factory import make_optimizer
    from components.schedules import make_schedule

    def schedule(**changes):
        return lambda: make_schedule(
            **{"name": "warmup_linear", "learning_rate": 0.1, "total_steps": 100, **changes}
        )

    return [
        (schedule(learning_rate=float("nan")), "learning_rate must be a finite positive number"),
        (schedule(name="step", decay_rate=1.5), r"decay_rate must be in \(0, 1\), got 1.5"),
        (schedule(name="exponential", decay_rate=-0.5), r"decay_rate must be in \(0, 1\)"),
        (schedule(warmup_steps=200), r"warmup_steps \(200\) must be fewer than total_steps"),
        (schedule(warmup_steps=-1), "warmup_steps must be an integer >= 0"),
        (schedule(steps_per_epoch=0), "steps_per_epoch must be a positive integer"),
        (lambda: make_optimizer("nesterov", 0.1, momentum=float("nan")), "momentum must be in"),
        (lambda: LocalResponseNormalization(bias=float("nan")), "bias must be a finite positive"),
        (lambda: LocalResponseNormalization(beta=float("nan")), "beta must be finite and >= 0"),
        (lambda: LocalResponseNormalization(depth_radius=None), "depth_radius must be an integer"),
        (lambda: Maxout("two"), "num_units must be a positive integer, got 'two'"),
        (lambda: Maxout(float("nan")), "num_units must be a positive integer"),
        (lambda: ZCAWhitening(epsilon=float("inf")), "epsilon must be a finite positive number"),
        (lambda: PCAWhitening(num_components=1.5), "num_components must be a positive integer"),
        (lambda: ZCAWhitening().adapt(np.array([1.0, 2.0])), r"got shape \(2,\); N one-feature"),
        (lambda: ZCAWhitening().adapt(np.array([["a", "b"], ["c", "d"]])), "must be an array of"),
        # 100 x 100 x 3 images: a 30,000-square covariance, refused before it is built.
        (lambda: ZCAWhitening().adapt(np.zeros((2, 100, 100, 3))), r"30000 features .*\(7.2 GB\)"),
    ]


@pytest.mark.parametrize("case", range(17))
def test_the_api_checks_numbers_as_the_commands_do(case):
    call, message = _api_cases()[case]
    with pytest.raises(ValueError, match=message):
        call()


def test_whitening_refuses_data_of_another_width_after_adapting():
    from components.layers.whitening import ZCAWhitening

    layer = ZCAWhitening()
    layer.adapt(np.random.default_rng(0).random((10, 4)))
    with pytest.raises(ValueError, match="built for 4 features per sample; this data has 5"):
        layer.adapt(np.random.default_rng(0).random((10, 5)))


def test_create_takes_numpy_integers_and_names_the_smallest_input():
    import zoo

    model = zoo.create("lenet5", num_classes=np.int64(3), input_shape=(np.int64(28), 28, 1))
    assert model.output_shape == (None, 3)
    with pytest.raises(ValueError, match=r"too small for 'lenet5': .* at least 12 x 12 pixels"):
        zoo.create("lenet5", input_shape=(1, 1, 1))
    zoo.create("lenet5", input_shape=(12, 12, 1))  # the size it names builds
