"""A keras-tuner `HyperModel` of a classifier whose options come from a `SearchSpace`.

`ClassifierHyperModel.build` samples the hyperparameters, builds the model with the chosen
options and compiles it; `fit` batches the data with the chosen batch size (keras-tuner has no
batch-size hyperparameter of its own, so `fit` is overridden as its docs suggest). Components
never import `zoo`: the builder and its space are passed in.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import keras
import keras_tuner

from components.data.preprocessing import Preprocessing
from components.optimizers import make_optimizer
from components.training.compile import compile_classifier
from components.tuning.search_space import MODEL_OPTIONS, FloatRange, SearchSpace

if TYPE_CHECKING:
    import tensorflow as tf


def _float(hp: keras_tuner.HyperParameters, name: str, span: FloatRange) -> float:
    return hp.Float(name, span.min_value, span.max_value, step=span.step, sampling=span.sampling)


def _choice(hp: keras_tuner.HyperParameters, name: str, values: tuple):
    if len(values) == 1:
        return hp.Fixed(name, values[0])
    if set(values) == {False, True}:
        return hp.Boolean(name)
    return hp.Choice(name, list(values))


def declare_hyperparameters(hp: keras_tuner.HyperParameters, space: SearchSpace) -> dict:
    """Declares every dimension of `space` in `hp` and returns the values `hp` holds now.

    The learning rate is a `Float` (log-sampled by default), dropout a `Float`, the others
    `Choice`, `Boolean` or, with one value, `Fixed`; each is named as its `SearchSpace` field.

    Args:
        hp: the trial's hyperparameters (keras-tuner's container).
        space: the dimensions to declare; empty ones are left out.

    Example:
    >>> hp = keras_tuner.HyperParameters()
    >>> sorted(declare_hyperparameters(hp, SearchSpace()))
    ['batch_size', 'learning_rate', 'optimizer', 'weight_decay']
    """
    values = {"learning_rate": _float(hp, "learning_rate", space.learning_rate)}
    for name in ("optimizer", "batch_size", "weight_decay", "kernel_initializer", "activation"):
        if getattr(space, name):
            values[name] = _choice(hp, name, getattr(space, name))
    if space.dropout is not None:
        values["dropout"] = _float(hp, "dropout", space.dropout)
    if space.batch_norm:
        values["batch_norm"] = _choice(hp, "batch_norm", space.batch_norm)
    return values


def _builder_options(build_model: Callable) -> set[str] | None:
    """The keyword options of `build_model`, or None where it takes any (`**kwargs`)."""
    parameters = inspect.signature(build_model).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return None
    return {p.name for p in parameters}


class ClassifierHyperModel(keras_tuner.HyperModel):
    """A classifier whose options, optimizer and batch size come from a `SearchSpace`.

    Args:
        build_model: takes the space's model options as keywords (`activation="elu"`, ...)
            and returns an uncompiled `keras.Model` that outputs logits (more outputs are
            auxiliary heads, trained as `components.training.compile_classifier` does).
        space: what to search.
        preprocessing: the input pipeline's (`components.data.make_pipeline`).
        build_options: the keyword options `build_model` takes; a space that sets another is
            refused. Default: read from `build_model`'s signature.
        seed: the pipeline's shuffle seed.
        name: the HyperModel's name.

    Example:
    >>> import functools
    >>> from components.data import Preprocessing
    >>> hypermodel = ClassifierHyperModel(
    ...     functools.partial(zoo.create, "lenet5_bn"), zoo.get_defaults("lenet5_bn").search_space,
    ...     preprocessing=Preprocessing(mean=(0.29,), std=(0.35,)),
    ...     build_options=zoo.registry.model_options("lenet5_bn"),
    ... )
    >>> hypermodel.space.model_options()
    ('kernel_initializer', 'activation', 'dropout', 'batch_norm')
    """

    def __init__(
        self,
        build_model: Callable[..., keras.Model],
        space: SearchSpace,
        *,
        preprocessing: Preprocessing,
        build_options: Sequence[str] | None = None,
        seed: int | None = 0,
        name: str | None = None,
    ):
        super().__init__(name=name, tunable=True)
        known = set(build_options) if build_options is not None else None
        if known is None:
            known = _builder_options(build_model)
        unsupported = [o for o in space.model_options() if known is not None and o not in known]
        if unsupported:
            raise ValueError(
                f"The search space sets {', '.join(unsupported)}, which the model builder does "
                f"not take; it takes: {', '.join(sorted(known)) or 'nothing'}. Valid model "
                f"options of a space: {', '.join(MODEL_OPTIONS)}."
            )
        self.build_model = build_model
        self.space = space
        self.preprocessing = preprocessing
        self.seed = seed

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        values = declare_hyperparameters(hp, self.space)
        model = self.build_model(**{k: v for k, v in values.items() if k in MODEL_OPTIONS})
        optimizer = make_optimizer(
            values["optimizer"], values["learning_rate"], weight_decay=values["weight_decay"]
        )
        return compile_classifier(model, optimizer)

    def fit(
        self,
        hp: keras_tuner.HyperParameters,
        model: keras.Model,
        x: tf.data.Dataset | tuple,
        *args,
        validation_data: tf.data.Dataset | tuple | None = None,
        **kwargs,
    ):
        """Trains on unbatched `(uint8 image, label)` data, batched by the trial's batch size.

        Args:
            hp: the trial's hyperparameters.
            model: the model `build` made.
            x: unbatched training `(image, label)` pairs (e.g. `ImageClassificationData.train`),
                or `(images, labels)` NumPy arrays (on any Keras backend: `ArrayBatches`, as
                the JAX run batches them).
            validation_data: the same kind, or None.
            *args, **kwargs: for `model.fit` (keras-tuner passes `epochs` and callbacks).
        """
        batch_size = hp.get("batch_size")
        kwargs.pop("batch_size", None)  # the trial's decides
        if isinstance(x, tuple):
            return self._fit_arrays(model, x, validation_data, batch_size, *args, **kwargs)
        from components.data.pipeline import make_pipeline  # tf.data's
        from components.training.compile import with_aux_targets

        train = make_pipeline(
            x, self.preprocessing, batch_size=batch_size, training=True, seed=self.seed
        )
        if validation_data is not None:
            validation_data = with_aux_targets(
                make_pipeline(
                    validation_data, self.preprocessing, batch_size=batch_size, training=False
                ),
                model,
            )
        kwargs.setdefault("shuffle", False)  # the pipeline shuffles
        return model.fit(
            with_aux_targets(train, model), *args, validation_data=validation_data, **kwargs
        )

    def _fit_arrays(self, model, train, validation, batch_size, *args, **kwargs):
        from components.data.array_batches import ArrayBatches

        def batches(pair, training):
            return ArrayBatches(
                *pair,
                self.preprocessing,
                batch_size=batch_size,
                seed=self.seed if training else None,
                num_outputs=len(model.outputs),
            )

        batched = batches(train, training=True)
        kwargs["callbacks"] = [*kwargs.get("callbacks", []), batched.epoch_setter()]
        kwargs.setdefault("shuffle", False)  # the batches are drawn in each epoch's order
        if validation is not None:
            validation = batches(validation, training=False)
        return model.fit(batched, *args, validation_data=validation, **kwargs)


__all__ = ["ClassifierHyperModel", "declare_hyperparameters"]
