"""`TrainConfig`: every setting of a training run, in five parts, checked where it enters.

The parts are the model (`ModelSettings`), the data (`DataSettings`), the optimization
(`OptimizationSettings`), the control of the run (`ControlSettings`) and its output
(`OutputSettings`); a function that needs one part gets that part. Each setting is declared
once, as a field with its flag, help and check (`components.settings.setting`): the flags of
`classiczoo train` (and the training flags of `cross-validate` and `tune`) are generated from
the fields. The flag is `--` + the setting's name with `-` for `_` (`--lr` is `learning_rate`,
`--model` the model's name, `--model-arg` a model option). Settings that default to None take
the value of the model's recipe (`--recipe`, `zoo.get_defaults(model).recipe(name)`) when the
run resolves them against the
registry (`TrainConfig.resolve`). Bad values raise a `ConfigError` naming the setting, the value
and what is valid, before anything is loaded or trained.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import shlex
import sys
from pathlib import Path
from typing import Any, Protocol

from components.config_error import ConfigError
from components.settings import keyword_of, settings_of, to_flags
from components.training.settings import (
    MODEL_DEFAULT_FIELDS,
    PARTS,
    ControlSettings,
    DataSettings,
    ModelSettings,
    OptimizationSettings,
    OutputSettings,
)


class ModelRegistry(Protocol):
    """What a run needs of a model registry (`zoo.registry` is one)."""

    def list_models(self, pattern: str = "*") -> list[str]: ...

    def get_defaults(self, name: str) -> Any: ...

    def model_options(self, name: str) -> list[str]: ...

    def create(self, name: str, input_shape=None, num_classes=None, **options) -> Any: ...


# The order `to_argv` writes the parts in: after the model's name, how long and how fast.
ARGV_ORDER = ("optimization", "data", "model", "control", "output")


@functools.cache
def _part_of_keyword() -> dict[str, tuple[str, str]]:
    """Each setting's keyword -> (its part, its field's name)."""
    return {
        keyword_of(field): (part, field.name)
        for part, cls in PARTS.items()
        for field in settings_of(cls)
    }


# The project's multi-worker loop validates and checkpoints by itself, without Keras's hooks.
CUSTOM_LOOP_AVERAGE = (
    "ema_momentum (a moving average of the weights) needs Keras's fit; the project's own loop "
    "(loop custom, the only loop under a multi-worker strategy) does not keep one. Leave "
    "ema_momentum out there, or train with loop fit under another strategy."
)


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """How to train a zoo model, export it and evaluate it: the settings of `classiczoo train`,
    in five parts, each passed only where it is used.

    Each setting is declared once, as a field of its part with its flag, help and check
    (`components.settings.setting`): the command's flags are generated from the fields, and a
    bad value is refused with the same message from a command line or from Python. Settings
    that default to None take the value of the model's recipe (`ModelSettings.recipe`) when the run
    resolves them against the registry (`TrainConfig.resolve`).

    Args:
        model: a `ModelSettings`.
        data: a `DataSettings`.
        optimization: an `OptimizationSettings`.
        control: a `ControlSettings`.
        output: an `OutputSettings`.
        command: the command line that made this run, as words, for the metadata and the
            resume hint (None: the `classiczoo train` command of these settings).

    Example:
    >>> config = TrainConfig.of(model="vgg11_bn", epochs=3, val_split=0.1)
    >>> config.model.name, config.optimization.epochs, config.data.val_split
    ('vgg11_bn', 3, 0.1)
    >>> config.to_argv()
    ['--model', 'vgg11_bn', '--epochs', '3', '--val-split', '0.1']
    >>> TrainConfig.of(epochs=0)
    Traceback (most recent call last):
    ...
    components.config_error.ConfigError: epochs must be a positive integer, got 0.
    """

    model: ModelSettings = dataclasses.field(default_factory=ModelSettings)
    data: DataSettings = dataclasses.field(default_factory=DataSettings)
    optimization: OptimizationSettings = dataclasses.field(default_factory=OptimizationSettings)
    control: ControlSettings = dataclasses.field(default_factory=ControlSettings)
    output: OutputSettings = dataclasses.field(default_factory=OutputSettings)
    command: tuple[str, ...] | None = None

    def __post_init__(self):
        for part, cls in PARTS.items():
            if not isinstance(getattr(self, part), cls):
                raise ConfigError(
                    f"{part} must be a {cls.__name__}, got {type(getattr(self, part)).__name__}"
                    " (TrainConfig.of takes the settings by name)."
                )
        if self.command is not None:
            object.__setattr__(self, "command", tuple(self.command))
        # The rules that span parts.
        if self.control.restore_best and not self.data.val_split:
            raise ConfigError("restore_best needs val_split > 0: the best epoch is chosen on it.")
        if self.optimization.ema_momentum and self.control.loop == "custom":
            raise ConfigError(CUSTOM_LOOP_AVERAGE)

    @classmethod
    def of(cls, command=None, **settings) -> TrainConfig:
        """A config from settings by name (`model="vgg11_bn", epochs=3`), each put in its part.

        Raises:
            ConfigError: an unknown setting (the valid ones listed) or a bad value.
        """
        places = _part_of_keyword()
        unknown = sorted(set(settings) - set(places))
        if unknown:
            raise ConfigError(
                f"unknown setting {', '.join(unknown)}; valid: {', '.join(sorted(places))}."
            )
        parts: dict[str, dict] = {part: {} for part in PARTS}
        for keyword, value in settings.items():
            part, name = places[keyword]
            parts[part][name] = value
        return cls(
            **{part: PARTS[part](**values) for part, values in parts.items()}, command=command
        )

    def replace(self, **settings) -> TrainConfig:
        """This config with some settings changed, by name (`command` too)."""
        places = _part_of_keyword()
        unknown = sorted(set(settings) - set(places) - {"command"})
        if unknown:
            raise ConfigError(
                f"unknown setting {', '.join(unknown)}; valid: {', '.join(sorted(places))}."
            )
        changes: dict[str, dict] = {}
        for keyword, value in settings.items():
            if keyword == "command":
                continue
            part, name = places[keyword]
            changes.setdefault(part, {})[name] = value
        parts = {
            part: dataclasses.replace(getattr(self, part), **c) for part, c in changes.items()
        }
        if "command" in settings:
            parts["command"] = settings["command"]
        return dataclasses.replace(self, **parts)

    def settings(self) -> dict:
        """Every setting by name (the keywords of `TrainConfig.of`)."""
        return {
            keyword: getattr(getattr(self, part), name)
            for keyword, (part, name) in _part_of_keyword().items()
        }

    # -- the registry's part ---------------------------------------------------------------
    def resolve(self, registry: ModelRegistry) -> TrainConfig:
        """This config with the values of the model's recipe filled in and the model and its
        options checked; the default checkpoint and log directories named.

        Raises:
            ConfigError: an unknown model or recipe, an option its builder does not take, or
                a pause prompt without a terminal to ask at.
        """
        model, control = self.model.name, self.control
        check_model_options(registry, model, self.model.options())
        try:
            recipe = registry.get_defaults(model).recipe(self.model.recipe)
        except ValueError as err:
            raise ConfigError(f"model {model!r}: {err}") from None
        # The recipe's model options, under those given; its scale and width go to their own
        # fields (where not given), as a flag would put them.
        model_options = {**recipe.model_options, **self.model.model_options}
        shortcuts = {
            name: model_options.pop(name) for name in ("scale", "width") if name in model_options
        }
        shortcuts = {k: v for k, v in shortcuts.items() if getattr(self.model, k) is None}
        check_model_options(
            registry, model, {**self.model.options(), **shortcuts, **model_options}
        )
        if (
            control.pause_control == "file"
            and control.pause_file is not None
            and not Path(control.pause_file).parent.is_dir()
        ):
            raise ConfigError(
                f"--pause-file {control.pause_file}: its directory does not exist (the run would "
                "wait forever for a file nobody can write there)."
            )
        if control.pause_control == "prompt" and not sys.stdin.isatty():
            raise ConfigError(
                "--pause-control prompt needs a terminal on stdin; use file or auto."
            )
        settings = self.settings()
        filled = {
            name: settings[name] if settings[name] is not None else getattr(recipe, name)
            for name in MODEL_DEFAULT_FIELDS
        }
        checkpoint_dir = Path(control.checkpoint_dir or Path("checkpoints") / model)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.replace(
            **filled,
            **shortcuts,
            model_options=model_options,
            checkpoint_dir=checkpoint_dir,
            pause_file=Path(
                control.pause_file or checkpoint_dir.with_name(checkpoint_dir.name + ".control")
            ),
            log_dir=self.output.log_dir or Path("logs") / model / stamp,
            command=self.command or ("classiczoo", "train", *self.to_argv()),
        )

    # -- back to a command line ------------------------------------------------------------
    def to_argv(self) -> list[str]:
        """The `classiczoo train` flags that give this config: `--model`, then those not at
        their default, part by part (`ARGV_ORDER`)."""
        argv = ["--model", self.model.name]
        for part in ARGV_ORDER:
            argv += [
                word
                for word in to_flags(getattr(self, part))
                if not (part == "model" and word in ("--model", self.model.name))
            ]
        return argv

    def command_line(self) -> str:
        """`command` (or the `classiczoo train` command of this config) as one shell line."""
        return shlex.join(self.command or ("classiczoo", "train", *self.to_argv()))


def check_model_options(registry: ModelRegistry, model: str, options) -> None:
    """Raises a `ConfigError` for an unknown model, options its builder does not take, or
    (where the registry can tell: `check_option_values`) an option of the wrong type or range."""
    models = registry.list_models()
    if model not in models:
        raise ConfigError(f"unknown model {model!r}; valid models: {', '.join(models)}.")
    known = registry.model_options(model)
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise ConfigError(
            f"model {model!r} has no option {', '.join(unknown)}; "
            f"its options: {', '.join(known) or 'none'}."
        )
    check_values = getattr(registry, "check_option_values", None)
    if check_values is not None:  # a registry that knows its options' types checks them here
        try:
            check_values(model, dict(options))
        except ValueError as err:
            raise ConfigError(str(err)) from None


__all__ = ["ConfigError", "ModelRegistry", "TrainConfig", "check_model_options"]
