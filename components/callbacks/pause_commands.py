"""The little language a person answers a training pause with; parsed, never executed."""

from __future__ import annotations

import dataclasses
import math

HELP = (
    "Answer with one of: 'continue' (or an empty line), 'continue K' (ask again after K steps), "
    "'every N' (ask every N steps from now on), 'lr=X' and/or 'momentum=M' (then continue), "
    "'stop' (save and end; resume with --resume)."
)


@dataclasses.dataclass(frozen=True)
class Decision:
    """What to do at a pause.

    Args:
        action: `"continue"` or `"stop"`.
        steps: ask again after this many steps (None: the current interval).
        every: the new interval (None: unchanged).
        learning_rate: the new learning rate (None: unchanged).
        momentum: the new momentum (None: unchanged).
        source: who decided (`prompt`, `file`, `auto`, `timeout`).
    """

    action: str = "continue"
    steps: int | None = None
    every: int | None = None
    learning_rate: float | None = None
    momentum: float | None = None
    source: str = "auto"


def _positive_int(word: str, what: str) -> int:
    if not word.isdigit() or int(word) <= 0:
        raise ValueError(f"{what} must be a positive integer, got {word!r}. {HELP}")
    return int(word)


def _number(text: str, name: str, low: float, high: float, include_low: bool) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number. {HELP}") from None
    ok = math.isfinite(value) and (value >= low if include_low else value > low) and value < high
    if not ok:
        bound = "[" if include_low else "("
        raise ValueError(f"{name} must be in {bound}{low}, {high}), got {text}. {HELP}")
    return value


def parse_command(text: str, source: str = "prompt") -> Decision:
    """Parses one answer; raises ValueError (with the valid forms) on anything else.

    Example:
    >>> decision = parse_command("lr=0.01 momentum=0.9")
    >>> decision.action, decision.learning_rate, decision.momentum
    ('continue', 0.01, 0.9)
    """
    words = text.strip().lower().split()
    if not words or words == ["continue"] or words == ["c"]:
        return Decision(source=source)
    if words[0] in ("continue", "c") and len(words) == 2:
        return Decision(steps=_positive_int(words[1], "continue K"), source=source)
    if words[0] == "every" and len(words) == 2:
        return Decision(every=_positive_int(words[1], "every N"), source=source)
    if words == ["stop"]:
        return Decision(action="stop", source=source)
    settings = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or key not in ("lr", "momentum") or key in settings:
            raise ValueError(f"Cannot read {text.strip()!r}. {HELP}")
        settings[key] = value
    lr = settings.get("lr")
    momentum = settings.get("momentum")
    return Decision(
        learning_rate=_number(lr, "lr", 0.0, math.inf, False) if lr is not None else None,
        momentum=_number(momentum, "momentum", 0.0, 1.0, True) if momentum is not None else None,
        source=source,
    )
