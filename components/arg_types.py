"""argparse value types shared by the commands: bad flags are refused before anything starts,
with the bad value in the message."""

from __future__ import annotations

import argparse
import math


def positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value < math.inf:  # NaN fails too
        raise argparse.ArgumentTypeError(f"must be a finite positive number, got {text}")
    return value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"must be finite and >= 0, got {text}")
    return value


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def error_rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be an error rate in [0, 1], got {text}")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {text}")
    return value


def int_in_range(low: int, high: int):
    """An argparse type for integers in `low..high` (both included)."""

    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer in {low}..{high}, got {text}")
        return value

    parse.__name__ = f"integer in {low}..{high}"
    return parse


def comma_separated(item_type, what: str):
    """An argparse type for a comma-separated list, each part parsed by `item_type`.

    Args:
        item_type: parses one part (raises ValueError or ArgumentTypeError on a bad one).
        what: the valid parts in words, for the error message ("positive numbers").

    Example:
    >>> comma_separated(positive_float, "positive numbers")("0.01,0.1")
    [0.01, 0.1]
    """

    def parse(text: str) -> list:
        try:
            return [item_type(part) for part in text.split(",")]
        except (ValueError, argparse.ArgumentTypeError):
            raise argparse.ArgumentTypeError(
                f"must be comma-separated {what}, got {text}"
            ) from None

    parse.__name__ = f"comma-separated {what}"
    return parse


def key_value(text: str) -> tuple[str, object]:
    """`KEY=VALUE` with VALUE an int, float, true/false or a string; never evaluated as code.

    Example:
    >>> key_value("aux_classifiers=true"), key_value("width=0.5"), key_value("scale=paper")
    (('aux_classifiers', True), ('width', 0.5), ('scale', 'paper'))
    """
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    lowered = value.lower()
    if lowered in ("true", "false"):
        return key, lowered == "true"
    for convert in (int, float):
        try:
            return key, convert(value)
        except ValueError:
            pass
    return key, value


def names_from(valid: tuple[str, ...], what: str):
    """An argparse type for a comma-separated list of names out of `valid`.

    Example:
    >>> names_from(("gradients", "activations"), "monitor")("gradients,activations")
    ['gradients', 'activations']
    """

    def parse(text: str) -> list[str]:
        names = [name.strip() for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in valid]
        if unknown or not names:
            raise argparse.ArgumentTypeError(
                f"unknown {what} {', '.join(unknown) or text!r}; valid: {', '.join(valid)}"
            )
        return names

    parse.__name__ = f"comma-separated {what}s"
    return parse


def validated(check, convert=str):
    """An argparse type that converts the text and checks it with `check`, which raises
    ValueError with its own message (argparse then shows that message).

    Example:
    >>> validated(lambda v: v)("onnx")
    'onnx'
    """

    def parse(text: str):
        try:
            return check(convert(text))
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    return parse
