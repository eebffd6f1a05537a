"""Recipes: a model's settings for one goal, filling what the command line leaves open."""

from __future__ import annotations

import dataclasses

import pytest

import zoo
from components.diagnostics.flops import count_flops
from components.training.config import ConfigError, TrainConfig
from zoo.defaults import FAST_BUDGET_TFLOP, ModelDefaults, Recipe

VGG_BN = ("vgg11_bn", "vgg13_bn", "vgg16_bn", "vgg19_bn")


def test_the_default_recipe_is_the_models_own_defaults():
    defaults = zoo.get_defaults("lenet5_bn")
    recipe = defaults.recipe()
    for field in ("optimizer", "learning_rate", "lr_schedule", "epochs", "batch_size", "augment"):
        assert getattr(recipe, field) == getattr(defaults, field)
    assert recipe.weight_decay == defaults.weight_decay and recipe.model_options == {}


@pytest.mark.parametrize("model", [*VGG_BN, "googlenet", "alexnet", "nin"])
def test_a_fast_recipe_fills_the_settings_left_open_and_a_flag_given_wins(model):
    config = TrainConfig.of(model=model, recipe="fast", epochs=2).resolve(zoo.registry)
    fast = zoo.get_defaults(model).recipe("fast")
    settings = config.settings()
    assert settings["epochs"] == 2  # given
    for name in ("optimizer", "learning_rate", "lr_schedule", "batch_size", "augment"):
        assert settings[name] == getattr(fast, name)
    assert settings["weight_decay"] == fast.weight_decay > 0
    # The recipe's model options: width and scale in their own fields, as the flags put them.
    options = {**config.model.model_options, **config.model.options()}
    assert {k: options[k] for k in fast.model_options} == fast.model_options
    assert "--recipe fast" in config.command_line()


@pytest.mark.parametrize("model", [*VGG_BN, "alexnet", "nin"])
def test_the_fast_recipes_training_compute_is_within_a_sixth_of_vgg16_bns_default(model):
    """Images seen x 3 x the model's forward FLOPs (counted on the built model), with the
    10 % validation split held out of Fashion-MNIST's 60,000."""
    fast = zoo.get_defaults(model).recipe("fast")
    flops = count_flops(zoo.create(model, **fast.model_options))  # at the recipe's width
    compute = fast.epochs * 54_000 * 3 * flops
    vgg16_default = 30 * 54_000 * 3 * count_flops(zoo.create("vgg16_bn"))
    assert compute <= FAST_BUDGET_TFLOP * 1e12
    assert compute <= vgg16_default / 6 + 1e12  # the budget is that sixth, rounded up
    if not fast.model_options:  # not chosen on validation yet: as many epochs as fit
        assert (fast.epochs + 1) * 54_000 * 3 * flops > FAST_BUDGET_TFLOP * 1e12


def test_an_unknown_recipe_is_refused_with_the_models_recipes():
    with pytest.raises(ConfigError, match=r"model 'lenet5_bn': unknown recipe 'fast'; this "
                       r"model's recipes: default\."):  # fmt: skip
        TrainConfig.of(model="lenet5_bn", recipe="fast").resolve(zoo.registry)
    defaults = dataclasses.replace(
        ModelDefaults(), recipes={"quick": Recipe("a test", "adam", 1e-3, "constant", 1, 32)}
    )
    assert defaults.recipe_names() == ["default", "quick"]
    with pytest.raises(ValueError, match="recipes: default, quick"):
        defaults.recipe("slow")
