"""A model's hyperparameter search space, as pure data beside the model (timm keeps defaults so).

`SearchSpace` names each dimension as the hyperparameter and as the model-builder option it
sets, so one name serves the space, the tuner (`components.tuning`), the model card and the
export's metadata. Training dimensions (learning rate, optimizer, batch size, weight decay)
apply to every model; model dimensions (initializer, activation, dropout, BatchNorm) are
declared only by models whose builder takes that option. A dimension with one value is fixed;
an empty one is not searched (the builder's default holds).
"""

from __future__ import annotations

import dataclasses

import keras

from components.initializers import INITIALIZERS
from components.optimizers import OPTIMIZERS

SAMPLINGS = ("linear", "log")
# The space's model dimensions, each the name of a model-builder keyword option.
MODEL_OPTIONS = ("kernel_initializer", "activation", "dropout", "batch_norm")
TRAINING_DIMENSIONS = ("learning_rate", "optimizer", "batch_size", "weight_decay")


@dataclasses.dataclass(frozen=True)
class FloatRange:
    """A float range for `keras_tuner.HyperParameters.Float`.

    Args:
        min_value: lower bound (inclusive); > 0 for log sampling.
        max_value: upper bound (inclusive), > `min_value`.
        step: grid step, or None for a continuous range.
        sampling: `"linear"`, or `"log"` (uniform in the logarithm: each decade equally likely).

    Example:
    >>> FloatRange(1e-4, 1e-1, sampling="log")
    FloatRange(min_value=0.0001, max_value=0.1, step=None, sampling='log')
    """

    min_value: float
    max_value: float
    step: float | None = None
    sampling: str = "linear"

    def __post_init__(self):
        if self.sampling not in SAMPLINGS:
            raise ValueError(f"sampling must be one of {SAMPLINGS}, got {self.sampling!r}.")
        if not self.min_value < self.max_value:
            raise ValueError(
                f"min_value must be < max_value, got {self.min_value} and {self.max_value}."
            )
        if self.sampling == "log" and self.min_value <= 0:
            raise ValueError(f"log sampling needs min_value > 0, got {self.min_value}.")
        if self.step is not None and self.step <= 0:
            raise ValueError(f"step must be positive or None, got {self.step}.")

    def describe(self) -> str:
        step = f" step {self.step:g}" if self.step is not None else ""
        return f"{self.min_value:g}..{self.max_value:g} ({self.sampling}{step})"


def _check_choices(field: str, values, valid=None, check=None) -> tuple:
    values = tuple(values)
    if len(set(values)) != len(values):
        raise ValueError(f"{field} lists a value twice: {values}.")
    for value in values:
        if valid is not None and value not in valid:
            raise ValueError(
                f"{field}: unknown value {value!r}. Valid values: {', '.join(map(str, valid))}."
            )
        if check is not None and not check(value):
            raise ValueError(f"{field}: bad value {value!r}.")
    return values


def _is_activation(name) -> bool:
    try:
        keras.activations.get(name)
    except ValueError:
        return False
    return isinstance(name, str)


@dataclasses.dataclass(frozen=True)
class SearchSpace:
    """The hyperparameters a tuner may choose for one model, with their ranges or choices.

    Args:
        learning_rate: the (constant) learning rate's range; default 1e-4 to 1e-1 on a log
            scale.
        optimizer: names from `components.optimizers.OPTIMIZERS`; default SGD with momentum,
            Adam and RMSprop.
        batch_size: global batch sizes.
        weight_decay: L2 weight decay strengths, 0 for none (decoupled decay of
            `components.optimizers.make_optimizer`; biases and BatchNorm excluded).
        kernel_initializer: names from `components.initializers.INITIALIZERS`.
        activation: Keras activation names, e.g. `"relu"`, `"leaky_relu"`, `"elu"`.
        dropout: the dropout rate's range, or None.
        batch_norm: `(False, True)` to try both, `(True,)` to fix it, `()` to leave it alone.

    Example:
    >>> space = SearchSpace(activation=("relu", "elu"), batch_norm=(False, True))
    >>> space.model_options()
    ('activation', 'batch_norm')
    """

    learning_rate: FloatRange = FloatRange(1e-4, 1e-1, sampling="log")
    optimizer: tuple[str, ...] = ("momentum", "adam", "rmsprop")
    batch_size: tuple[int, ...] = (64, 128, 256)
    weight_decay: tuple[float, ...] = (0.0, 1e-5, 1e-4, 1e-3)
    kernel_initializer: tuple[str, ...] = ()
    activation: tuple[str, ...] = ()
    dropout: FloatRange | None = None
    batch_norm: tuple[bool, ...] = ()

    def __post_init__(self):
        checked = {
            "optimizer": _check_choices("optimizer", self.optimizer, OPTIMIZERS),
            "batch_size": _check_choices(
                "batch_size", self.batch_size, check=lambda v: isinstance(v, int) and v > 0
            ),
            "weight_decay": _check_choices(
                "weight_decay",
                self.weight_decay,
                check=lambda v: isinstance(v, (int, float)) and v >= 0,
            ),
            "kernel_initializer": _check_choices(
                "kernel_initializer", self.kernel_initializer, tuple(INITIALIZERS)
            ),
            "activation": _check_choices("activation", self.activation, check=_is_activation),
            "batch_norm": _check_choices(
                "batch_norm", self.batch_norm, check=lambda v: isinstance(v, bool)
            ),
        }
        for field, values in checked.items():
            object.__setattr__(self, field, values)  # lists become tuples: hashable, comparable
        for field in TRAINING_DIMENSIONS[1:]:
            if not getattr(self, field):
                raise ValueError(f"{field} needs at least one value.")
        if self.learning_rate.min_value <= 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}.")
        if self.dropout is not None and not (
            0 <= self.dropout.min_value and self.dropout.max_value < 1
        ):
            raise ValueError(f"dropout must lie in [0, 1), got {self.dropout}.")

    def model_options(self) -> tuple[str, ...]:
        """The model-builder options this space sets (its non-empty model dimensions)."""
        return tuple(
            name
            for name in MODEL_OPTIONS
            if getattr(self, name) is not None and getattr(self, name) != ()
        )

    def to_dict(self) -> dict:
        """JSON-ready: for the model card, the tuning directory's record and the metadata."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, config: dict) -> SearchSpace:
        """The space `to_dict` gave (its ranges as `FloatRange` again)."""
        config = dict(config)
        for field in ("learning_rate", "dropout"):
            if isinstance(config.get(field), dict):
                config[field] = FloatRange(**config[field])
        return cls(**config)

    def describe(self) -> str:
        """One line: each searched dimension and its range or choices."""
        parts = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None or value == ():
                continue
            if isinstance(value, FloatRange):
                text = value.describe()
            else:
                text = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
            parts.append(f"{field.name} {text}")
        return "; ".join(parts)


__all__ = ["MODEL_OPTIONS", "TRAINING_DIMENSIONS", "FloatRange", "SearchSpace"]
