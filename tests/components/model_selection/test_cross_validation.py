"""k-fold cross-validation: the folds, the statistics, the run, its JSON and its command."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
import tensorflow_datasets as tfds

import zoo
from components.model_selection.cross_validation import cross_validate, mean_and_std
from components.model_selection.folds import fold_boundaries, kfold_splits
from components.training.config import ConfigError, TrainConfig
from zoo import cli
from zoo.cli.cross_validate import build_parser, setting_argv


@pytest.mark.parametrize(("n", "k"), [(10, 3), (60000, 5), (7, 7), (101, 4), (2, 2)])
def test_fold_boundaries_are_disjoint_cover_and_even(n, k):
    bounds = fold_boundaries(n, k)
    assert len(bounds) == k
    covered = np.concatenate([np.arange(a, b) for a, b in bounds])
    np.testing.assert_array_equal(covered, np.arange(n))  # disjoint, in order, all of them
    sizes = [b - a for a, b in bounds]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize(
    ("n", "k", "message"),
    [(10, 1, "folds must be an integer >= 2"), (3, 4, "must not exceed the examples")],
)
def test_one_fold_or_more_folds_than_examples_are_refused(n, k, message):
    with pytest.raises(ValueError, match=message):
        fold_boundaries(n, k)


def _examples(builder, split: str) -> list[bytes]:
    dataset = builder.as_dataset(split=split, as_supervised=True, shuffle_files=False)
    return [image.tobytes() + bytes([label]) for image, label in tfds.as_numpy(dataset)]


def _sizes(builder) -> dict[str, int]:
    return {name: info.num_examples for name, info in builder.info.splits.items()}


@pytest.mark.e2e
def test_the_tfds_folds_are_disjoint_and_cover_the_split(fashion_mnist_data_dir):
    builder = tfds.builder("fashion_mnist", data_dir=fashion_mnist_data_dir)
    whole = kfold_splits("train", 5, _sizes(builder))
    assert [f.validation_split for f in whole] == [
        "train[0%:20%]",
        "train[20%:40%]",
        "train[40%:60%]",
        "train[60%:80%]",
        "train[80%:100%]",
    ]
    assert whole[1].train_split == "train[0%:20%]+train[40%:100%]"
    assert {f.num_validation for f in whole} == {12000}

    base = "train[100:150]"
    expected = _examples(builder, base)
    folds = kfold_splits(base, 3, _sizes(builder))
    held_out = [_examples(builder, f.validation_split) for f in folds]
    assert [len(h) for h in held_out] == [17, 17, 16] == [f.num_validation for f in folds]
    assert sum(held_out, []) == expected  # disjoint and covering, in order
    for fold, held in zip(folds, held_out, strict=True):
        trained = _examples(builder, fold.train_split)
        assert len(trained) == fold.num_train == 50 - len(held)
        assert sorted(trained + held) == sorted(expected)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("split", "folds", "message"),
    [
        ("train+test", 3, "joins 2 splits"),
        ("valid", 3, "Cannot fold split 'valid'"),
        ("train[:3]", 4, "must not exceed the examples of the split \\(3\\)"),
        ("train", 1, "folds must be an integer >= 2"),
    ],
)
def test_splits_that_cannot_be_folded_are_refused(fashion_mnist_data_dir, split, folds, message):
    builder = tfds.builder("fashion_mnist", data_dir=fashion_mnist_data_dir)
    with pytest.raises(ValueError, match=message):
        kfold_splits(split, folds, _sizes(builder))


def test_mean_and_std_against_numpy():
    values = np.random.default_rng(0).uniform(0.8, 0.95, size=7)
    mean, std = mean_and_std(values)
    assert mean == pytest.approx(np.mean(values))
    assert std == pytest.approx(np.std(values, ddof=1))
    assert mean_and_std([0.5]) == (0.5, 0.0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"val_split": 0.1}, "val_split must be 0 in cross-validation"),
        ({"val_split": 0.1, "restore_best": True}, "val_split must be 0"),
        ({"resume": True}, "resume and pause_every"),
    ],
)
def test_settings_that_cannot_be_cross_validated_are_refused(fields, message):
    with pytest.raises(ConfigError, match=message):
        cross_validate(TrainConfig.of(model="lenet5", **fields), zoo.registry, folds=3)


def test_settings_must_share_the_folds():
    settings = {
        "a": TrainConfig.of(model="lenet5", train_split="train[:100]"),
        "b": TrainConfig.of(model="lenet5", train_split="train[:200]"),
    }
    with pytest.raises(ConfigError, match="changes train_split"):
        cross_validate(settings, zoo.registry, folds=3)


@pytest.mark.e2e
def test_cross_validation_of_two_settings_writes_every_fold(fashion_mnist_data_dir, tmp_path):
    results = tmp_path / "cv" / "lenet.json"
    result = zoo.cross_validate(
        model="lenet5",
        epochs=1,
        batch_size=64,
        train_split="train[:450]",
        data_dir=str(fashion_mnist_data_dir),
        folds=3,
        compare={"lr=1e-3": {"learning_rate": 1e-3}, "lr=1e-2": {"learning_rate": 1e-2}},
        results_path=results,
    )
    payload = json.loads(results.read_text())  # strict JSON: json.loads refuses nothing, so
    json.dumps(payload, allow_nan=False)  # check there is no NaN either
    assert payload["complete"] and payload["folds"] == 3
    assert [s["name"] for s in payload["settings"]] == ["lr=1e-3", "lr=1e-2"]
    means = []
    for setting, summary in zip(payload["settings"], result.settings, strict=True):
        accuracies = [fold["accuracy"] for fold in setting["folds"]]
        assert len(accuracies) == 3 and all(0 <= a <= 1 for a in accuracies)
        assert [f["validation_split"] for f in setting["folds"]] == [
            "train[0:150]",
            "train[150:300]",
            "train[300:450]",
        ]
        assert setting["mean"]["accuracy"] == pytest.approx(np.mean(accuracies), abs=1e-6)
        assert setting["std"]["accuracy"] == pytest.approx(np.std(accuracies, ddof=1), abs=1e-6)
        assert summary.mean("accuracy") == pytest.approx(np.mean(accuracies), abs=1e-6)
        assert setting["command"].startswith("classiczoo train --model lenet5")
        means.append(np.mean(accuracies))
    assert payload["best"] == result.best == ["lr=1e-3", "lr=1e-2"][int(np.argmax(means))]
    assert payload["diagnosis"]["quadrant"] == result.diagnosis["quadrant"]
    png = results.with_suffix(".png")
    assert result.plot_path == png and np.asarray(keras.utils.load_img(png)).std() > 0
    assert "accuracy mean ± std" in result.table


@pytest.mark.backends
def test_cross_validation_runs_under_the_backend_at_hand(fashion_mnist_data_dir, tmp_path):
    """The same folds under TensorFlow (tfds, the TensorFlow run's fit) and JAX (the IDX
    files, Keras's fit on arrays); each fold learns: well above chance (0.1) on real images."""
    result = zoo.cross_validate(
        model="lenet5_bn",
        epochs=2,
        batch_size=64,
        train_split="train[:1200]",
        data_dir=str(fashion_mnist_data_dir),
        folds=2,
        results_path=tmp_path / "cv.json",
    )
    (setting,) = result.settings
    assert [f.fold.validation_split for f in setting.folds] == ["train[0:600]", "train[600:1200]"]
    assert all(fold.accuracy > 0.5 for fold in setting.folds), setting.folds
    assert all(0 <= fold.train_error < 0.5 for fold in setting.folds)
    payload = json.loads((tmp_path / "cv.json").read_text())
    assert payload["complete"] and payload["best"] == "base"


@pytest.mark.e2e
def test_a_users_build_function_is_cross_validated(fashion_mnist_data_dir, tmp_path):
    built = []

    def tiny_mlp(input_shape, num_classes, units=16):
        built.append(units)
        inputs = keras.Input(input_shape)
        x = keras.layers.Dense(units, activation="relu")(keras.layers.Flatten()(inputs))
        return keras.Model(inputs, keras.layers.Dense(num_classes)(x))

    result = zoo.cross_validate(
        build_model=tiny_mlp,
        epochs=1,
        train_split="train[:200]",
        data_dir=str(fashion_mnist_data_dir),
        model_options={"units": 8},
        folds=2,
        results_path=tmp_path / "tiny.json",
    )
    assert built == [8, 8]  # a fresh model per fold, with the option given
    assert result.best == "base" and len(result.settings[0].folds) == 2
    assert "tiny_mlp" not in zoo.list_models()  # the zoo's registry is untouched


def test_compare_settings_read_as_train_flags():
    parser = build_parser()
    assert setting_argv(parser, "lr=3e-3") == ["--lr", "3e-3"]
    assert setting_argv(parser, "augment=standard,erasing,weight-decay=5e-4") == [
        "--augment",
        "standard,erasing",
        "--weight-decay",
        "5e-4",
    ]
    assert setting_argv(parser, "deterministic=true") == ["--deterministic"]
    with pytest.raises(ConfigError, match="is not FLAG=VALUE with one of"):
        setting_argv(parser, "learning_rate=1e-3")
    with pytest.raises(ConfigError, match="is a switch"):
        setting_argv(parser, "deterministic=yes")
    with pytest.raises(ConfigError, match="cannot vary"):
        setting_argv(parser, "folds=3")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--folds", "1"], "--folds: must be an integer in 2..10000, got 1"),
        (["--compare", "foo=1"], "'foo=1' is not FLAG=VALUE"),
        (["--compare", "lr=-1"], "--lr: must be a finite positive number"),
        (["--val-split", "0.1"], "unrecognized arguments: --val-split"),
        (["--compare", "lr=1e-3", "lr=1e-3"], "names a setting twice"),
    ],
)
def test_the_command_refuses_bad_flags_before_any_data_loads(argv, message, capsys):
    assert cli.main(["cross-validate", "--model", "lenet5", *argv]) == 2
    assert message in capsys.readouterr().err
