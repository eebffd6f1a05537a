"""Compiling a classifier that outputs logits, with or without auxiliary heads.

GoogLeNet trains with two auxiliary classifiers whose losses count with weight 0.3 (Szegedy et
al. 2014, section 5); inference uses the main head alone. These helpers give `model.fit` that
setup, the matching targets, the model without its auxiliary heads, and the metric names of
the main head under Keras's multi-output naming.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import keras

from components.losses import SoftmaxCrossentropy
from components.metrics import ArgmaxAccuracy

if TYPE_CHECKING:
    import tensorflow as tf

# GoogLeNet's auxiliary classifiers count with this weight in the training loss (the paper).
AUX_LOSS_WEIGHT = 0.3


def compile_classifier(
    model: keras.Model,
    optimizer: keras.optimizers.Optimizer | None = None,
    *,
    aux_loss_weight: float = AUX_LOSS_WEIGHT,
    jit_compile: bool | str = "auto",
    soft_labels: bool = False,
    label_smoothing: float = 0.0,
) -> keras.Model:
    """Compiles a logits-output classifier with softmax cross-entropy and accuracy.

    Keras's `SparseCategoricalCrossentropy(from_logits=True)` computes the numerically stable
    log-sum-exp form, so the model ends in a plain Dense layer, not a softmax. A model with
    several outputs `[logits, aux1, ...]` (auxiliary classifiers) is trained on
    `loss(logits) + aux_loss_weight * sum(loss(aux_i))`, with accuracy on the main head only;
    feed it targets from `with_aux_targets`.

    Args:
        model: a model whose first output is the main logits.
        optimizer: the optimizer; None for a model that is only evaluated.
        aux_loss_weight: weight of each auxiliary loss.
        jit_compile: Keras's `compile(jit_compile=...)`: XLA on, off or Keras's choice.
        soft_labels: the training labels are targets `[N, K]` (MixUp, CutMix, label
            smoothing) while validation keeps class ids: `SoftmaxCrossentropy` and
            `ArgmaxAccuracy`, which take both.
        label_smoothing: of the targets (implies `soft_labels`).
    """
    num_outputs = len(model.outputs)
    if soft_labels or label_smoothing:
        loss = SoftmaxCrossentropy(label_smoothing)
        accuracy = ArgmaxAccuracy(name="accuracy")
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
    if num_outputs == 1:
        model.compile(
            optimizer=optimizer or "sgd", loss=loss, metrics=[accuracy], jit_compile=jit_compile
        )
    else:
        model.compile(
            optimizer=optimizer or "sgd",
            loss=[loss] * num_outputs,
            loss_weights=[1.0] + [aux_loss_weight] * (num_outputs - 1),
            metrics=[[accuracy]] + [[] for _ in range(num_outputs - 1)],
            jit_compile=jit_compile,
        )
    return model


def with_aux_targets(dataset: tf.data.Dataset, model: keras.Model) -> tf.data.Dataset:
    """Repeats each label once per model output, for models with auxiliary classifiers."""
    from components.data.pipeline import labels_per_head  # TensorFlow's

    return labels_per_head(dataset, len(model.outputs))


def inference_model(model: keras.Model) -> keras.Model:
    """The model without auxiliary heads: its input and its first output (the main logits).

    Models with auxiliary classifiers (GoogLeNet's) output `[logits, aux1, aux2, ...]` for
    training; inference and export use only the main head. Others are returned as they are.

    Example:
    >>> inputs = keras.Input((4,))
    >>> heads = [keras.layers.Dense(3)(inputs), keras.layers.Dense(3)(inputs)]
    >>> two_heads = keras.Model(inputs, heads)
    >>> len(inference_model(two_heads).outputs)
    1
    """
    if len(model.outputs) == 1:
        return model
    return keras.Model(model.inputs, model.outputs[0], name=f"{model.name}_inference")


def validation_accuracy_key(model: keras.Model, trainer=None) -> str:
    """What the main head's validation accuracy is logged as: Keras names it after the head
    where there are auxiliary heads; the project's loop (`trainer`) logs it as `val_accuracy`."""
    if trainer is not None or len(model.outputs) == 1:
        return "val_accuracy"
    return f"val_{model.output_names[0]}_accuracy"


def main_head_names(keys, model: keras.Model) -> dict[str, str]:
    """Maps logged metric names to the names every run records: `loss`, `accuracy`, ...

    With auxiliary heads Keras names the main head's accuracy after its output layer
    (`classifier_accuracy`), adds each head's own loss, and `loss` is the weighted sum of all
    heads' losses. The run records `loss` (that total: what was minimized) and `accuracy` (the
    main head's), with their `val_` forms, and every other name that is no per-head figure
    (`learning_rate`) as it is. Keys of a single-output model map to themselves.

    Args:
        keys: the logged names (of a History or an epoch's logs).
        model: the model that logged them.

    Example:
    >>> inputs = keras.Input((4,))
    >>> heads = [keras.layers.Dense(3, name=n)(inputs) for n in ("classifier", "aux1")]
    >>> model = keras.Model(inputs, heads)
    >>> main_head_names(["loss", "classifier_loss", "classifier_accuracy", "aux1_loss"], model)
    {'loss': 'loss', 'classifier_accuracy': 'accuracy'}
    """
    keys = list(keys)
    if len(model.outputs) == 1:
        return {key: key for key in keys}
    heads = [output.name.split("/")[0] for output in model.outputs]
    heads = list(getattr(model, "output_names", None) or heads)
    names = {}
    for key in keys:
        prefix = "val_" if key.startswith("val_") else ""
        bare = key.removeprefix(prefix)
        if bare == "loss" or not any(bare.startswith(f"{head}_") for head in heads):
            if not bare.endswith("accuracy"):
                names[key] = key
        elif bare == f"{heads[0]}_accuracy":
            names[key] = f"{prefix}accuracy"
    return names
