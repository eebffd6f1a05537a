"""SearchSpace: defaults, validation with clear messages, and its dict round trip."""

from __future__ import annotations

import json
import re

import pytest

from components.tuning.search_space import FloatRange, SearchSpace


def test_default_space_is_the_training_dimensions():
    space = SearchSpace()
    assert space.learning_rate == FloatRange(1e-4, 1e-1, sampling="log")
    assert space.optimizer == ("momentum", "adam", "rmsprop")
    assert space.model_options() == ()
    assert "learning_rate 0.0001..0.1 (log)" in space.describe()


def test_model_options_and_round_trip_through_json():
    space = SearchSpace(
        activation=["relu", "elu"],  # lists become tuples
        kernel_initializer=("he_normal",),
        dropout=FloatRange(0.0, 0.5, step=0.1),
        batch_norm=(False, True),
    )
    assert space.activation == ("relu", "elu")
    assert space.model_options() == ("kernel_initializer", "activation", "dropout", "batch_norm")
    again = SearchSpace.from_dict(json.loads(json.dumps(space.to_dict())))
    assert again == space


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"optimizer": ("adagrad",)}, "optimizer: unknown value 'adagrad'. Valid values: sgd"),
        ({"kernel_initializer": ("he",)}, "kernel_initializer: unknown value 'he'. Valid"),
        ({"activation": ("swishy",)}, "activation: bad value 'swishy'"),
        ({"batch_size": (0,)}, "batch_size: bad value 0"),
        ({"weight_decay": (-1e-4,)}, "weight_decay: bad value -0.0001"),
        ({"batch_norm": (1,)}, "batch_norm: bad value 1"),
        ({"optimizer": ("adam", "adam")}, "optimizer lists a value twice"),
        ({"optimizer": ()}, "optimizer needs at least one value"),
        ({"dropout": FloatRange(0.0, 1.0)}, "dropout must lie in [0, 1)"),
    ],
)
def test_bad_spaces_are_refused_with_the_valid_values(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        SearchSpace(**kwargs)


def test_bad_ranges_are_refused():
    with pytest.raises(ValueError, match="log sampling needs min_value > 0"):
        FloatRange(0.0, 1.0, sampling="log")
    with pytest.raises(ValueError, match="min_value must be < max_value"):
        FloatRange(0.5, 0.1)
    with pytest.raises(ValueError, match="sampling must be one of"):
        FloatRange(0.1, 0.5, sampling="exp")
