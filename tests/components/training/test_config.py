"""`TrainConfig`: settings in five parts, every flag a setting declared once, checked where it
enters (from a command line or from Python alike), and back to a command line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import zoo
from components.settings import dest_of, settings_of
from components.training.config import ConfigError, TrainConfig
from components.training.settings import (
    MODEL_DEFAULT_FIELDS,
    PARTS,
    ControlSettings,
    DataSettings,
    ModelSettings,
    OptimizationSettings,
    OutputSettings,
)
from zoo.cli.train import build_parser, config_from_args


def _flags_of(parser) -> set[str]:
    return {a.dest for a in parser._actions if a.option_strings} - {"help", "verbose"}


def test_every_flag_is_a_setting_and_every_setting_a_flag_in_its_parts_group():
    parser = build_parser()
    settings = set(TrainConfig.of().settings())
    renamed = {"lr": "learning_rate", "model_arg": "model_options", "format": "export_format"}
    flags = {renamed.get(f, f) for f in _flags_of(parser)}
    assert flags == settings
    groups = {g.title: {a.dest for a in g._group_actions} for g in parser._action_groups}
    for part, cls in PARTS.items():
        assert groups[f"{part} settings"] == {dest_of(f) for f in settings_of(cls)}
    # Each setting lives in one part only.
    assert sum(len(settings_of(cls)) for cls in PARTS.values()) == len(settings)


def test_the_parts_are_passed_their_own_settings():
    config = TrainConfig.of(model="vgg11_bn", epochs=3, batch_size=64, val_split=0.1, seed=4)
    assert config.model == ModelSettings(name="vgg11_bn")
    assert config.optimization == OptimizationSettings(epochs=3, batch_size=64)
    assert config.data == DataSettings(val_split=0.1)
    assert config.control == ControlSettings(seed=4)
    assert config.output == OutputSettings()
    assert config.replace(epochs=5).optimization.epochs == 5
    with pytest.raises(ConfigError, match="unknown setting epoch; valid: augment"):
        TrainConfig.of(epoch=3)
    with pytest.raises(ConfigError, match="data must be a DataSettings, got dict"):
        TrainConfig(data={"val_split": 0.1})


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--epochs", "0"], "argument --epochs: must be a positive integer, got 0"),
        (["--epochs", "two"], "argument --epochs: must be a positive integer, got 'two'"),
        (["--lr", "nan"], "argument --lr: must be a finite positive number, got nan"),
        (["--augment", "rotate"], "argument --augment: unknown augmentation 'rotate'"),
        (["--monitor", "loss"], "argument --monitor: unknown monitor 'loss'"),
        (["--model-arg", "3=x"], "argument --model-arg: expected KEY=VALUE, got '3=x'"),
        # Ran out of memory in a raw traceback before.
        (["--resize", "10000"], "argument --resize: must be an integer in 1..1024, got 10000"),
    ],
)
def test_a_flag_is_checked_by_its_settings_rule(argv, message, capsys):
    """The command line meets the same rule, with the same words, as `TrainConfig.of`."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    assert message in capsys.readouterr().err


def test_the_fields_have_the_flags_defaults():
    parser = build_parser()
    args = parser.parse_args([])
    config = config_from_args(args, command=["classiczoo", "train"])
    assert config.replace(command=None) == TrainConfig.of()


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig.of(model="vgg11_bn", epochs=3, val_split=0.1, learning_rate=0.002),
        TrainConfig.of(
            model="googlenet",
            width=0.25,
            model_options={"aux_classifiers": True},
            monitor=("gradients", "activations"),
            deterministic=True,
            pause_every=100,
            pause_control="file",
            checkpoint_dir=Path("ckpt"),
            precision="mixed_bfloat16",
        ),
    ],
)
def test_to_argv_parses_back_to_the_same_config(config):
    args = build_parser().parse_args(config.to_argv())
    back = config_from_args(args, command=["x"])
    assert back.replace(command=None) == config


def test_resolve_fills_in_the_models_defaults_and_names_directories():
    config = TrainConfig.of(model="vgg16_bn", epochs=4).resolve(zoo.registry)
    defaults = zoo.get_defaults("vgg16_bn").recipe("default")
    settings = config.settings()
    assert settings["epochs"] == 4  # given: kept
    for name in set(MODEL_DEFAULT_FIELDS) - {"epochs"}:
        assert settings[name] == getattr(defaults, name)
    assert config.control.checkpoint_dir == Path("checkpoints/vgg16_bn")
    assert config.control.pause_file == Path("checkpoints/vgg16_bn.control")
    assert config.output.log_dir.parent == Path("logs/vgg16_bn")
    assert config.command == ("classiczoo", "train", "--model", "vgg16_bn", "--epochs", "4")


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"model": "lenet7"}, "unknown model 'lenet7'; valid models: alexnet, googlenet"),
        ({"model": "lenet5", "width": 0.5}, "model 'lenet5' has no option width"),
        ({"model_options": {"depth": 3}}, "has no option depth; its options: sync_batch_norm"),
    ],
)
def test_resolve_refuses_what_the_registry_does_not_know(fields, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig.of(**fields).resolve(zoo.registry)


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"epochs": 2.5}, "epochs must be a positive integer, got 2.5"),
        ({"seed": -1}, "seed must be an integer >= 0, got -1"),
        ({"weight_decay": -0.1}, "weight_decay must be finite and >= 0"),
        (
            {"learning_rate": float("inf")},
            "learning_rate must be a finite positive number, got inf",
        ),
        ({"lr_schedule": "linear"}, "lr_schedule must be one of constant, step"),
        ({"strategy": "tpu"}, "strategy must be one of auto, default"),
        ({"loop": "manual"}, "loop must be one of auto, fit, custom"),
        ({"precision": "float16"}, "precision must be one of float32"),
        ({"pause_on_timeout": "wait"}, "pause_on_timeout must be one of continue, stop"),
        ({"pause_control": "auto"}, "pause_control needs pause_every"),
        ({"monitor_every": 0}, "monitor_every must be a positive integer"),
        ({"model": ""}, "model must be a non-empty name, got ''"),
        ({"augment": "rotate"}, "unknown augmentation 'rotate'; valid: none, flip, crop"),
        ({"augment": "mixup,cutmix"}, "choose one of mixup and cutmix"),
        ({"label_smoothing": 1.0}, "label_smoothing must be in [0, 1), got 1.0"),
        ({"export_tta": "rotate"}, "export_tta must be one of none, flip"),
        ({"restore_best": True}, "restore_best needs val_split > 0"),
    ],
)
def test_bad_fields_are_refused_with_what_is_valid(fields, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        TrainConfig.of(**fields)
