"""The recipes' argparse value types: good values parse, bad ones name themselves."""

from __future__ import annotations

import argparse

import pytest

from components.arg_types import comma_separated, int_in_range, non_negative_int, positive_float


def test_non_negative_int_and_int_in_range():
    assert non_negative_int("0") == 0
    with pytest.raises(argparse.ArgumentTypeError, match="must be an integer >= 0, got -1"):
        non_negative_int("-1")
    in_range = int_in_range(1, 10)
    assert in_range("1") == 1 and in_range("10") == 10
    with pytest.raises(argparse.ArgumentTypeError, match="must be an integer in 1..10, got 11"):
        in_range("11")
    with pytest.raises(ValueError):
        in_range("1.5")  # argparse turns this into "invalid integer in 1..10 value"
    assert in_range.__name__ == "integer in 1..10"


def test_comma_separated():
    rates = comma_separated(positive_float, "positive numbers")
    assert rates("0.01,0.1,1") == [0.01, 0.1, 1.0]
    for bad in ("0.1,-1", "0.1,x", ""):
        with pytest.raises(argparse.ArgumentTypeError, match=f"positive numbers, got {bad}"):
            rates(bad)
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", type=rates)
    assert parser.parse_args(["--rates", "2,3"]).rates == [2.0, 3.0]
