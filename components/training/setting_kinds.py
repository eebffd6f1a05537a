"""The kinds of value a run's settings take beyond the generic ones of `components.settings`:
an augmentation policy, an error rate, monitor names, an image size, a model's options."""

from __future__ import annotations

from components.arg_types import key_value
from components.data.augmentation import parse_augment
from components.diagnostics.bias_variance import check_error_rate
from components.settings import ValueKind, checked_by, int_in

MONITORS = ("gradients", "activations")


def _error_rate(value) -> None:
    check_error_rate("human_error", value)


def _monitors(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _known_monitors(value) -> bool:
    unknown = [name for name in value if name not in MONITORS]
    if unknown or not isinstance(value, tuple):
        raise ValueError(
            f"unknown monitor {', '.join(map(repr, unknown)) or repr(value)}; "
            f"valid: {', '.join(MONITORS)}."
        )
    return True


AUGMENT_POLICY = checked_by("an augmentation policy", parse_augment)
ERROR_RATE = checked_by("an error rate in [0, 1]", _error_rate, convert=float)
MONITOR_NAMES = ValueKind(
    f"comma-separated monitors ({', '.join(MONITORS)})", _monitors, _known_monitors
)
# The zoo's largest input is 299 px; --resize 10000 ran out of memory in a raw traceback.
IMAGE_SIZE = int_in(1, 1024)
MODEL_OPTIONS = ValueKind("KEY=VALUE pairs", key_value, lambda value: isinstance(value, dict))


__all__ = [
    "AUGMENT_POLICY",
    "ERROR_RATE",
    "IMAGE_SIZE",
    "MODEL_OPTIONS",
    "MONITORS",
    "MONITOR_NAMES",
]
