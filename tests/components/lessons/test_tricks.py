"""The tricks lesson (components.lessons.tricks): the fast and plain configs it ablates, and its
techniques accounting for their whole difference. No training here; the lesson's end-to-end
run is in test_lessons.py, the ablation's parts in tests/components/experiments."""

from __future__ import annotations

import json

import pytest

import zoo
from components.config_error import ConfigError
from components.experiments import ablation_variants
from components.lessons.tricks import TECHNIQUES, models_with_fast_recipe, reference_configs

SHOWN = (
    "optimizer",
    "learning_rate",
    "weight_decay",
    "lr_schedule",
    "label_smoothing",
    "batch_size",
    "epochs",
    "width",
    "model_options",
    "augment",
)


def _settings(config) -> dict:
    settings = config.settings()
    return {name: settings[name] for name in SHOWN}


@pytest.fixture(scope="module")
def registry():
    # zoo.list_models loads the model families; `zoo.registry` alone does not where a test
    # before has imported the module zoo.registry by its name.
    zoo.list_models()
    return zoo.registry


def test_fast_and_plain_of_vgg11_bn(registry):
    fast, plain = reference_configs(registry, width=0.125, epochs=3, train_split="train[:1000]")
    # The fast recipe as `classiczoo models describe vgg11_bn` shows it, for 3 epochs.
    assert _settings(fast) == {
        "optimizer": "nesterov",
        "learning_rate": 0.1,
        "weight_decay": 0.005,
        "lr_schedule": "warmup_linear",
        "label_smoothing": 0.1,
        "batch_size": 128,
        "epochs": 3,
        "width": 0.125,
        "model_options": {},
        "augment": "altflip,translate",
    }
    # Plain: the benchmark's plain settings and the default recipe's batch size.
    assert _settings(plain) == {
        **_settings(fast),
        "optimizer": "adam",
        "learning_rate": 0.001,
        "weight_decay": 0.0,
        "lr_schedule": "constant",
        "label_smoothing": 0.0,
        "batch_size": 128,
        "augment": "none",
    }
    assert fast.data.train_split == plain.data.train_split == "train[:1000]"
    assert fast.data.val_split == plain.data.val_split == 0.1
    # Without --epochs or --width, every variant trains the fast recipe's epochs and net.
    fast, plain = reference_configs(registry)
    recipe = registry.get_defaults("vgg11_bn").recipe("fast")
    assert plain.optimization.epochs == fast.optimization.epochs == recipe.epochs == 36
    assert plain.model.width == fast.model.width == recipe.model_options["width"] == 0.25


def test_the_techniques_account_for_every_fast_recipe(registry):
    models = models_with_fast_recipe(registry)
    assert {"vgg11_bn", "vgg16_bn"} <= set(models) and "lenet5_bn" not in models
    for model in models:
        fast, plain = reference_configs(registry, model=model)
        variants, skipped, uncovered = ablation_variants(fast, plain, TECHNIQUES)
        assert uncovered == {}, model
        assert len(variants) == 2 * (len(TECHNIQUES) - len(skipped)) + 2
    # vgg19_bn's recipe sets no model option, and its batch is the default recipe's.
    assert [t.key for t in skipped] == ["batch", "model"]


def test_a_model_without_a_fast_recipe_is_refused(registry):
    with pytest.raises(ConfigError, match="model 'lenet5_bn' has no fast recipe; models with "):
        reference_configs(registry, model="lenet5_bn", width=0.5)
    with pytest.raises(
        ConfigError, match="unknown model 'vgg99'; models with a fast recipe: .*vgg"
    ):
        reference_configs(registry, model="vgg99")


def test_a_resumed_lesson_trains_only_the_runs_it_lacks(
    registry, fashion_mnist_data_dir, tmp_path, monkeypatch, capsys
):
    # Training stands in: what is under test is which runs a resume trains and what it keeps.
    from components.experiments.time_to_accuracy import threshold_crossings
    from components.lessons import tricks

    trained = []

    def stand_in(config, registry, data, *, thresholds, label, log):
        trained.append((label.split(",")[0].split("] ")[1], config.control.seed))
        accuracies = [0.5 + 0.01 * len(trained)]
        return {
            "seed": config.control.seed,
            "epoch_seconds": [1.0],
            "test_accuracy": accuracies,
            "forward_flops": 1e6,
            "tflop_per_epoch": 0.1,
            "crossings": threshold_crossings([1.0], accuracies, 0.1, thresholds),
        }

    monkeypatch.setattr(tricks, "train_and_test", stand_in)
    flags = [
        "--train-images=128", "--test-images=64", "--epochs=1", "--techniques=smoothing",
        "--seeds=2", f"--data-dir={fashion_mnist_data_dir}", f"--out={tmp_path}",
    ]  # fmt: skip
    first = tricks.main(flags, registry=registry)
    assert len(trained) == 8  # fast, fast - smoothing, plain, plain + smoothing; two seeds
    # A kill during the last run: the file holds the seven before it.
    records = json.loads((tmp_path / "runs.json").read_text())
    last_name, last_seed = trained[-1]
    del records["runs"][last_name][str(last_seed)]
    (tmp_path / "runs.json").write_text(json.dumps(records))
    trained.clear()
    resumed = tricks.main([*flags, "--resume"], registry=registry)
    assert trained == [(last_name, last_seed)]
    assert "Resumed from" in capsys.readouterr().out
    for name, runs in first["runs"].items():
        kept = [
            {k: v for k, v in run.items() if k != "invocation"} for run in resumed["runs"][name]
        ]
        if name != last_name:
            assert kept == [{k: v for k, v in run.items() if k != "invocation"} for run in runs]
    assert "2 invocations" in resumed["report"].read_text()
    # Another threshold: refused before anything trains, naming it.
    trained.clear()
    with pytest.raises(SystemExit):
        tricks.main([*flags, "--resume", "--threshold=0.6"], registry=registry)
    assert "made with threshold 0.75, this command asks for 0.6" in capsys.readouterr().err
    assert trained == []
