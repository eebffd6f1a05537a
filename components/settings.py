"""Settings declared once: a dataclass field carries its flag, its help and its check.

A command's settings are frozen dataclasses whose fields are made with `setting`: the field's
metadata holds what argparse needs (the flag, help, choices) and a `ValueKind` that both parses
the flag's text and checks a value given from Python. `add_flags` generates the argparse flags
from the fields, `check_fields` checks an instance's values with the same kinds, and `to_flags`
writes an instance back as the flags that give it. A flag, its default, its valid values and its
error message are therefore written in one place, whether the value comes from a command line or
from `zoo.train(epochs=0)`.

argparse has no notion of a dataclass; this module is the bridge, in the manner of
`simple_parsing`'s field metadata, without the dependency.

Example:
>>> @dataclasses.dataclass(frozen=True)
... class Part:
...     epochs: int | None = setting(None, POSITIVE_INT, "default: the model's")
...     def __post_init__(self):
...         check_fields(self)
>>> parser = argparse.ArgumentParser()
>>> add_flags(parser, Part)
>>> Part(**flag_values(parser.parse_args(["--epochs", "3"]), Part))
Part(epochs=3)
>>> Part(epochs=0)
Traceback (most recent call last):
...
components.config_error.ConfigError: epochs must be a positive integer, got 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import numbers
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from components.config_error import ConfigError


@dataclasses.dataclass(frozen=True)
class ValueKind:
    """What values a setting takes: how its flag's text becomes one, and which are valid.

    Args:
        what: the valid values in words, after "must be" ("a positive integer").
        convert: the flag's text to a value (raises ValueError on text it cannot read).
        valid: True for a valid value; may raise ValueError with a message of its own.
        choices: the valid values, where they are a list (argparse shows them).
    """

    what: str
    convert: Callable[[str], Any] = str
    valid: Callable[[Any], bool] = lambda value: True
    choices: tuple | None = None

    def error(self, value: Any, name: str | None = None) -> str | None:
        """Why `value` is not valid, None where it is: its check's own message, or "`name`
        must be ..." (without `name` as argparse words it, after the flag's name)."""
        try:
            if self.valid(value):
                return None
        except ValueError as err:  # a check with its own message
            return str(err)
        if name is None:
            return f"must be {self.what}, got {value!r}"
        return f"{name} must be {self.what}, got {value!r}."

    def check(self, name: str, value: Any) -> None:
        """Raises a `ConfigError` naming `name`, the value and what is valid."""
        message = self.error(value, name)
        if message is not None:
            raise ConfigError(message)

    def parse(self, text: str) -> Any:
        """argparse's `type`: the text's value, or an `ArgumentTypeError` saying what is valid."""
        try:
            value = self.convert(text)
        except (ValueError, argparse.ArgumentTypeError):
            raise argparse.ArgumentTypeError(f"must be {self.what}, got {text!r}") from None
        message = self.error(value)
        if message is not None:
            raise argparse.ArgumentTypeError(message)
        return value


def _is_int(value) -> bool:  # NumPy's integers too
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value) -> bool:  # NumPy's numbers too
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


POSITIVE_INT = ValueKind("a positive integer", int, lambda v: _is_int(v) and v >= 1)
NON_NEGATIVE_INT = ValueKind("an integer >= 0", int, lambda v: _is_int(v) and v >= 0)
POSITIVE_NUMBER = ValueKind(
    "a finite positive number", float, lambda v: _is_number(v) and 0 < v < math.inf
)
NON_NEGATIVE_NUMBER = ValueKind(
    "finite and >= 0", float, lambda v: _is_number(v) and 0 <= v < math.inf
)
FRACTION = ValueKind("in [0, 1)", float, lambda v: _is_number(v) and 0 <= v < 1)
# A multiplicative decay per period: below 1 (1 or more would not decay, or grow).
DECAY_FACTOR = ValueKind("in (0, 1)", float, lambda v: _is_number(v) and 0 < v < 1)
TEXT = ValueKind("text", str, lambda v: isinstance(v, str))
NAME = ValueKind("a non-empty name", str, lambda v: isinstance(v, str) and bool(v))
PATH = ValueKind("a path", Path, lambda v: isinstance(v, (str, Path)))
SWITCH = ValueKind("True or False", valid=lambda v: isinstance(v, bool))


def int_in(low: int, high: int) -> ValueKind:
    """A kind whose values are the integers `low..high`."""
    return ValueKind(
        f"an integer in {low}..{high}", int, lambda v: _is_int(v) and low <= v <= high
    )


def one_of(choices: Iterable[str]) -> ValueKind:
    """A kind whose values are `choices`."""
    choices = tuple(choices)
    return ValueKind(f"one of {', '.join(choices)}", str, lambda v: v in choices, choices)


def checked_by(what: str, check: Callable[[Any], Any], convert=str) -> ValueKind:
    """A kind checked by a function that raises ValueError with its own message (e.g.
    `parse_augment`)."""

    def valid(value) -> bool:
        check(value)
        return True

    return ValueKind(what, convert, valid)


def setting(
    default: Any = dataclasses.MISSING,
    kind: ValueKind = TEXT,
    help: str = "",  # noqa: A002 (argparse's word)
    *,
    flag: str | None = None,
    keyword: str | None = None,
    optional: bool | None = None,
    default_factory: Callable[[], Any] | None = None,
    metavar: str | None = None,
    repeat: bool = False,
) -> Any:
    """A dataclass field that is also a command-line flag.

    Args:
        default: the field's and the flag's default.
        kind: parses the flag's text and checks values (`ValueKind`).
        help: the flag's help.
        flag: the flag when it is not `--` + the field's name with `-` for `_`.
        keyword: the name of the setting among all of a command's (`TrainConfig.of`'s
            keywords) when it is not the field's name.
        optional: None is a valid value (default: when the default is None).
        default_factory: for a mutable default.
        metavar: argparse's name for the value in the help.
        repeat: the flag is given once per item (`--model-arg KEY=VALUE`), each parsed by
            `kind.convert`; the items' list becomes the field's value.
    """
    metadata = {
        "kind": kind,
        "help": help,
        "flag": flag,
        "keyword": keyword,
        "optional": default is None if optional is None else optional,
        "metavar": metavar,
        "repeat": repeat,
    }
    if default_factory is not None:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def like(cls, name: str, **changes) -> Any:
    """A `setting` that is another settings class's field `name` (same default, kind, flag
    and help, but the metadata in `changes`, e.g. `help=`): a command that shares a flag with
    another declares it once.

    Example: `components.tuning.tune_config.TuneConfig` takes `classiczoo train`'s `--seed`
    as `seed: int = like(ControlSettings, "seed")`.
    """
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    metadata = {**field.metadata, **changes}
    if field.default is dataclasses.MISSING:
        return dataclasses.field(default_factory=field.default_factory, metadata=metadata)
    return dataclasses.field(default=field.default, metadata=metadata)


def settings_of(cls) -> list[dataclasses.Field]:
    """The fields of `cls` made with `setting`."""
    return [field for field in dataclasses.fields(cls) if "kind" in field.metadata]


def keyword_of(field: dataclasses.Field) -> str:
    """The setting's name among a command's settings."""
    return field.metadata["keyword"] or field.name


def flag_of(field: dataclasses.Field) -> str:
    """The setting's command-line flag."""
    return field.metadata["flag"] or "--" + keyword_of(field).replace("_", "-")


def dest_of(field: dataclasses.Field) -> str:
    """The attribute argparse stores the flag's value under."""
    return flag_of(field).lstrip("-").replace("-", "_")


def check_fields(instance) -> None:
    """Checks each `setting` field of a dataclass instance with its kind (None passes where
    the setting is optional). Raises `ConfigError`."""
    for field in settings_of(type(instance)):
        value = getattr(instance, field.name)
        if value is None and field.metadata["optional"]:
            continue
        field.metadata["kind"].check(keyword_of(field), value)


def _default(field: dataclasses.Field):
    if field.default is not dataclasses.MISSING:
        return field.default
    return field.default_factory()


def add_flags(
    parser: argparse.ArgumentParser,
    cls,
    exclude: Collection[str] = (),
    helps: Mapping[str, str] | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Adds a flag to `parser` for each `setting` field of `cls` (but those whose keyword is
    in `exclude`); `helps` replaces the help of settings by keyword, and `choices` gives the
    valid values the settings cannot know (such as the zoo's models), by keyword."""
    helps, choices = helps or {}, choices or {}
    for field in settings_of(cls):
        keyword = keyword_of(field)
        if keyword in exclude:
            continue
        kind, default = field.metadata["kind"], _default(field)
        text = helps.get(keyword, field.metadata["help"])
        options = {"help": text or None, "dest": dest_of(field)}
        if field.metadata["metavar"]:
            options["metavar"] = field.metadata["metavar"]
        if kind is SWITCH:
            parser.add_argument(flag_of(field), action="store_true", **options)
            continue
        if field.metadata["repeat"]:  # KEY=VALUE pairs, the flag given once per pair
            parser.add_argument(
                flag_of(field), action="append", default=[], type=kind.convert, **options
            )
            continue
        options["default"] = default
        if keyword in choices:
            options["choices"] = tuple(choices[keyword])
        elif kind.choices is not None:
            options["choices"] = kind.choices
        else:
            options["type"] = kind.parse
        parser.add_argument(flag_of(field), **options)


def flag_values(args: argparse.Namespace, cls) -> dict:
    """The `setting` fields of `cls` that `args` has, by field name."""
    values = vars(args)
    return {f.name: values[dest_of(f)] for f in settings_of(cls) if dest_of(f) in values}


def to_flags(instance) -> list[str]:
    """The flags that give `instance`'s settings that are not at their defaults."""
    argv: list[str] = []
    for field in settings_of(type(instance)):
        value = getattr(instance, field.name)
        if value == _default(field):
            continue
        flag = flag_of(field)
        if isinstance(value, bool):
            argv.append(flag)
        elif isinstance(value, dict):  # KEY=VALUE, repeated
            for key, item in value.items():
                argv += [flag, f"{key}={flag_text(item)}"]
        elif isinstance(value, (tuple, list)):
            argv += [flag, ",".join(map(flag_text, value))]
        else:
            argv += [flag, flag_text(value)]
    return argv


def flag_text(value) -> str:
    """A value as a flag writes it (`true`, `0.001`, a path as it is)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


__all__ = [
    "FRACTION",
    "NAME",
    "NON_NEGATIVE_INT",
    "NON_NEGATIVE_NUMBER",
    "PATH",
    "POSITIVE_INT",
    "POSITIVE_NUMBER",
    "SWITCH",
    "TEXT",
    "ValueKind",
    "add_flags",
    "check_fields",
    "checked_by",
    "flag_of",
    "flag_text",
    "flag_values",
    "keyword_of",
    "like",
    "int_in",
    "one_of",
    "setting",
    "settings_of",
    "to_flags",
]
