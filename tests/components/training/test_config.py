"""`TrainConfig`: every flag a field, checked where it enters, and back to a command line."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import zoo
from components.training.config import MODEL_DEFAULT_FIELDS, ConfigError, TrainConfig
from zoo.cli.train import FIELD_OF_FLAG, build_parser, config_from_args


def _flags_of(parser) -> set[str]:
    return {a.dest for a in parser._actions if a.option_strings} - {"help", "verbose"}


def test_every_flag_is_a_field_and_every_field_a_flag():
    fields = {f.name for f in dataclasses.fields(TrainConfig)} - {"command"}
    assert FIELD_OF_FLAG == {"lr": "learning_rate", "model_arg": "model_options"}
    flags = {FIELD_OF_FLAG.get(flag, flag) for flag in _flags_of(build_parser())}
    assert flags == fields


def test_the_fields_have_the_flags_defaults():
    parser = build_parser()
    args = parser.parse_args([])
    config = config_from_args(args, command=["classiczoo", "train"])
    assert dataclasses.replace(config, command=None) == TrainConfig()


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(model="vgg11_bn", epochs=3, val_split=0.1, learning_rate=0.002),
        TrainConfig(
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
    assert dataclasses.replace(back, command=None) == config


def test_resolve_fills_in_the_models_defaults_and_names_directories():
    config = TrainConfig(model="vgg16_bn", epochs=4).resolve(zoo.registry)
    defaults = zoo.get_defaults("vgg16_bn")
    assert config.epochs == 4  # given: kept
    for name in set(MODEL_DEFAULT_FIELDS) - {"epochs"}:
        assert getattr(config, name) == getattr(defaults, name)
    assert config.checkpoint_dir == Path("checkpoints/vgg16_bn")
    assert config.pause_file == Path("checkpoints/vgg16_bn.control")
    assert config.log_dir.parent == Path("logs/vgg16_bn")
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
        TrainConfig(**fields).resolve(zoo.registry)


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"epochs": 2.5}, "epochs must be a positive integer, got 2.5"),
        ({"seed": -1}, "seed must be an integer >= 0, got -1"),
        ({"weight_decay": -0.1}, "weight_decay must be finite and >= 0"),
        ({"learning_rate": float("inf")}, "learning_rate must be finite"),
        ({"lr_schedule": "linear"}, "lr_schedule must be one of constant, step"),
        ({"strategy": "tpu"}, "strategy must be one of auto, default"),
        ({"loop": "manual"}, "loop must be one of auto, fit, custom"),
        ({"precision": "float16"}, "precision must be one of float32"),
        ({"pause_on_timeout": "wait"}, "pause_on_timeout must be one of continue, stop"),
        ({"pause_control": "auto"}, "pause_control needs pause_every"),
        ({"monitor_every": 0}, "monitor_every must be a positive integer"),
        ({"model": ""}, "model must be a zoo model's name"),
        ({"augment": "rotate"}, "unknown augmentation 'rotate'; valid: none, flip, crop"),
        ({"augment": "mixup,cutmix"}, "choose one of mixup and cutmix"),
        ({"label_smoothing": 1.0}, "label_smoothing must be in [0, 1), got 1.0"),
        ({"export_tta": "rotate"}, "export_tta must be one of none, flip"),
        ({"restore_best": True}, "restore_best needs val_split > 0"),
    ],
)
def test_bad_fields_are_refused_with_what_is_valid(fields, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        TrainConfig(**fields)
