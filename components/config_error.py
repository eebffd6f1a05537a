"""The error of a setting that is not valid: raised where the setting enters."""

from __future__ import annotations


class ConfigError(ValueError):
    """A training setting that is not valid, with the valid values in the message."""


__all__ = ["ConfigError"]
