"""The lessons' shared parts (components/experiments.py), against independent computations."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow_datasets as tfds

from components.experiments import (
    Budget,
    LastBatchLoss,
    LessonData,
    StepLossRecorder,
    Variant,
    budget_from_args,
    lesson_parser,
    load_fashion_mnist_slice,
    make_mlp,
    markdown_table,
    moving_average,
    step_loss_noise,
    steps_to_target,
    train_variant,
    write_markdown_report,
)

RNG = np.random.default_rng(0)
QUICK = Budget(train_images=100, test_images=50, epochs=2, batch_size=10)
FULL = Budget(train_images=60_000, test_images=10_000, epochs=20, batch_size=64)


def brute_steps_to_target(losses, target, window):
    for t in range(window, len(losses) + 1):
        if sum(losses[t - window : t]) / window <= target:
            return t
    return None


@pytest.mark.parametrize("window", [1, 3, 10])
def test_steps_to_target_against_a_loop(window):
    for _ in range(20):
        losses = list(2.0 - np.cumsum(RNG.uniform(0, 0.1, size=40)) + RNG.normal(0, 0.2, size=40))
        target = float(RNG.uniform(0.0, 2.0))
        assert steps_to_target(losses, target, window) == brute_steps_to_target(
            losses, target, window
        )
    assert steps_to_target([3.0, 2.0], 1.0) is None  # never reached
    assert steps_to_target([0.5], 1.0, window=2) is None  # no full window
    assert steps_to_target([2.0, float("nan"), 0.5], 1.0) == 3
    with pytest.raises(ValueError, match="window must be >= 1"):
        steps_to_target([1.0], 1.0, window=0)


def test_step_loss_noise_sees_noise_not_trend():
    t = np.arange(200)
    trend = 2.0 * np.exp(-t / 50)
    noise = 0.1 * (-1.0) ** t  # successive differences of +-0.1: std 0.2, / sqrt 2
    assert step_loss_noise(trend + noise) == pytest.approx(0.2 / np.sqrt(2), rel=0.02)
    assert step_loss_noise(trend) < 0.01  # a smooth fall is hardly noise
    gaussian = RNG.normal(0, 0.3, size=20_000)  # i.i.d. noise: the estimate is its std
    assert step_loss_noise(gaussian) == pytest.approx(0.3, rel=0.03)
    assert np.isnan(step_loss_noise([1.0, 0.5]))


def test_moving_average_against_a_loop():
    values = RNG.normal(size=30)
    expected = [values[max(0, i - 4) : i + 1].mean() for i in range(30)]
    np.testing.assert_allclose(moving_average(values, 5), expected)
    values[10] = np.nan  # a NaN spoils only the windows that hold it
    averaged = moving_average(values, 5)
    assert np.all(np.isnan(averaged[10:15])) and np.all(np.isfinite(averaged[15:]))


def test_markdown_table_and_report(tmp_path):
    table = markdown_table(
        ["name", "loss", "steps", "ok"],
        [["a|b", 0.123456, 12, True], ["c", float("nan"), None, False]],
    )
    assert table.splitlines() == [
        "| name | loss | steps | ok |",
        "|---|---|---|---|",
        "| a\\|b | 0.1235 | 12 | yes |",
        "| c | nan | — | no |",
    ]
    with pytest.raises(ValueError, match="has 1 cells; the header has 2"):
        markdown_table(["a", "b"], [[1]])
    path = write_markdown_report(
        tmp_path / "sub" / "results.md", "Title", "Intro.", ["a"], [[1.5]], ["A note."]
    )
    assert path.read_text() == "# Title\n\nIntro.\n\n| a |\n|---|\n| 1.5 |\n\nA note.\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["results.md"]  # no temporary left


def test_lesson_parser_budgets_and_bad_flags(capsys):
    parser = lesson_parser("demo", "Demo.", quick=QUICK, full=FULL)
    args = parser.parse_args([])
    assert budget_from_args(args, QUICK, FULL) == QUICK
    assert str(args.out) == "lessons_out/demo" and args.seed == 0
    args = parser.parse_args(["--full", "--epochs", "3"])
    assert budget_from_args(args, QUICK, FULL) == Budget(60_000, 10_000, 3, 64)
    for bad in (
        ["--train-images", "0"],
        ["--train-images", "60001"],
        ["--test-images", "10001"],
        ["--epochs", "0"],
        ["--batch-size", "-1"],
        ["--seed", "-1"],
        ["--epochs", "two"],
    ):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
    assert "must be an integer in 1..60000, got 60001" in capsys.readouterr().err
    bare = lesson_parser("init", "Init.", quick=None, full=None)
    with pytest.raises(SystemExit):
        bare.parse_args(["--epochs", "2"])  # no training: no budget flags


def test_a_budget_may_leave_epochs_and_batch_size_to_the_variants(capsys):
    quick = Budget(train_images=100, test_images=50, epochs=2, batch_size=None)
    full = Budget(train_images=60_000, test_images=10_000, epochs=None, batch_size=None)
    parser = lesson_parser("demo", "Demo.", quick=quick, full=full)
    assert budget_from_args(parser.parse_args([]), quick, full) == quick
    assert budget_from_args(parser.parse_args(["--full"]), quick, full) == full
    assert budget_from_args(parser.parse_args(["--full", "--epochs=3"]), quick, full).epochs == 3
    assert quick.describe() == "2 epochs of its own batch size"
    assert full.describe() == "each variant's epochs of its own batch size"
    assert "--full: each variant's own" in parser.format_help()
    with pytest.raises(SystemExit):  # the variants differ by their batch sizes: no flag
        parser.parse_args(["--batch-size", "32"])
    assert "unrecognized arguments: --batch-size" in capsys.readouterr().err


def test_make_mlp_variants():
    kinds = {
        "maxout": keras.layers.Layer,
        "leaky_relu": keras.layers.LeakyReLU,
        "elu": keras.layers.ELU,
    }
    for activation, cls in kinds.items():
        model = make_mlp((4, 4, 1), 3, hidden=(6, 5), activation=activation)
        assert model.output_shape == (None, 3)
        assert any(isinstance(layer, cls) for layer in model.layers)
    maxout = make_mlp((4, 4, 1), 3, hidden=(6,), activation="maxout", maxout_pieces=3)
    assert maxout.get_layer("mlp_dense1").units == 18
    assert maxout.get_layer("mlp_maxout1").output.shape == (None, 6)
    leaky = make_mlp((2,), 2, hidden=(2,), activation="leaky_relu").get_layer("mlp_leaky_relu1")
    np.testing.assert_allclose(leaky(np.array([[-1.0, 2.0]])), [[-0.01, 2.0]])
    bn = make_mlp((4,), 2, hidden=(3,), batch_norm=True, dropout=0.5)
    assert bn.get_layer("mlp_dense1").bias is None  # BatchNorm's beta is the bias
    assert isinstance(bn.get_layer("mlp_dropout1"), keras.layers.Dropout)
    same_shape = make_mlp((8,), 8, hidden=(8,))
    kernels = [same_shape.get_layer(n).kernel.numpy() for n in ("mlp_dense1", "mlp_logits")]
    assert not np.allclose(kernels[0], kernels[1])  # each layer draws its own initial weights
    for kwargs, message in (
        ({"activation": "swish"}, "Unknown activation 'swish'"),
        ({"dropout": 1.0}, "dropout must be in"),
        ({"l2": -1.0}, "l2 must be >= 0"),
        ({"maxout_pieces": 1}, "maxout_pieces must be >= 2"),
    ):
        with pytest.raises(ValueError, match=message):
            make_mlp((4,), 2, **kwargs)


def test_last_batch_loss_is_each_batch_own_loss():
    x = RNG.normal(size=(40, 5)).astype("float32")
    y = RNG.integers(0, 3, size=40)
    model = make_mlp((5,), 3, hidden=(4,))
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.SGD(0.5), loss, metrics=[LastBatchLoss(loss)])
    recorder = StepLossRecorder()
    weights = []

    class KeepWeights(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            weights.append(self.model.get_weights())

    model.fit(
        x,
        y,
        batch_size=16,
        epochs=1,
        shuffle=False,
        verbose=0,
        callbacks=[KeepWeights(), recorder],
    )
    assert len(recorder.losses) == 3 and len(recorder.epoch_seconds) == 1
    for step, (start, stop) in enumerate([(0, 16), (16, 32), (32, 40)]):
        kernel1, bias1, kernel2, bias2 = weights[step]
        logits = np.maximum(x[start:stop] @ kernel1 + bias1, 0) @ kernel2 + bias2
        log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        expected = -log_softmax[np.arange(stop - start), y[start:stop]].mean()
        assert recorder.losses[step] == pytest.approx(expected, rel=1e-5)
    config = LastBatchLoss(loss).get_config()
    assert isinstance(LastBatchLoss.from_config(config).loss, type(loss))


def test_train_variant_records_and_excludes_the_penalty(capsys):
    x = RNG.normal(size=(60, 2, 2, 1)).astype("float32")
    y = RNG.integers(0, 3, size=60)
    data = LessonData(x, y, x[:20], y[:20], ["a", "b", "c"], "random")
    l2 = 0.1
    variant = Variant(
        "frozen",
        lambda: make_mlp((2, 2, 1), 3, hidden=(4,), l2=l2),
        lambda: keras.optimizers.SGD(0.0),  # weights never move: every figure is checkable
        batch_size=15,
    )
    record = train_variant(variant, data, Budget(60, 20, 2, 32), seed=1)
    # Captured output is no terminal: Keras's one line per epoch, not a bar redrawn per step.
    printed = capsys.readouterr().out
    assert printed.count("4/4 - ") == 2 and "━" not in printed, printed
    assert (record.batch_size, record.steps_per_epoch, len(record.step_losses)) == (15, 4, 8)
    assert len(record.epoch_seconds) == 2
    np.testing.assert_allclose(record.step_epochs()[[0, -1]], [0.25, 2.0])
    # The frozen net, rebuilt from the same seed, computed by NumPy.
    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    frozen = variant.build_model()
    kernel1, kernel2 = (frozen.get_layer(n).kernel.numpy() for n in ("mlp_dense1", "mlp_logits"))
    bias1, bias2 = (frozen.get_layer(n).bias.numpy() for n in ("mlp_dense1", "mlp_logits"))

    def cross_entropy(images, labels):
        logits = np.maximum(images.reshape(len(images), -1) @ kernel1 + bias1, 0) @ kernel2 + bias2
        log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
        return -log_softmax[np.arange(len(labels)), labels].mean()

    assert record.final["train_loss"] == pytest.approx(cross_entropy(x, y), rel=1e-5)
    assert record.final["test_loss"] == pytest.approx(cross_entropy(x[:20], y[:20]), rel=1e-5)
    # Equal batches: the steps' mean is the mean over all examples.
    assert record.step_losses.mean() == pytest.approx(cross_entropy(x, y), rel=1e-5)
    assert record.history["data_loss"][0] == pytest.approx(cross_entropy(x, y), rel=1e-5)
    # Keras's loss adds the L2 penalty; data_loss is without it.
    penalty = l2 * (np.sum(kernel1**2) + np.sum(kernel2**2))
    gap = record.history["loss"][0] - record.history["data_loss"][0]
    assert gap == pytest.approx(penalty, rel=1e-4)


def test_fashion_mnist_slice_is_tfds_first_images(fashion_mnist_data_dir):
    raw = load_fashion_mnist_slice(64, 32, data_dir=fashion_mnist_data_dir, standardize=False)
    images, labels = next(
        iter(
            tfds.load(
                "fashion_mnist",
                split="train[:64]",
                data_dir=fashion_mnist_data_dir,
                as_supervised=True,
            )
            .batch(64)
            .as_numpy_iterator()
        )
    )
    np.testing.assert_allclose(raw.x_train, images / 255.0, atol=1e-6)
    np.testing.assert_array_equal(raw.y_train, labels)
    assert raw.x_test.shape == (32, 28, 28, 1) and raw.class_names[0] == "T-shirt/top"
    standardized = load_fashion_mnist_slice(64, 32, data_dir=fashion_mnist_data_dir)
    pixels = images / 255.0
    np.testing.assert_allclose(
        standardized.x_train, (pixels - pixels.mean()) / pixels.std(), atol=1e-4
    )
    assert "train[:64], test[:32], standardized" in standardized.description
    with pytest.raises(ValueError, match="train_images must be in 1..60000"):
        load_fashion_mnist_slice(0, 10)
