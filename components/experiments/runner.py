"""Training the arms of a lesson's comparison: each from the same seed, every step recorded.

A lesson lists its `Variant`s (how to build the model, optimizer and loss) and calls
`train_variants`; each run comes back as a `RunRecord` of per-step losses, Keras's History,
epoch times and final figures evaluated in inference mode."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from components.console import progress_verbosity
from components.experiments.arguments import Budget
from components.experiments.data import LessonData
from components.experiments.last_batch_loss import LastBatchLoss
from components.experiments.statistics import smoothing_window, steps_to_target
from components.experiments.step_loss_recorder import StepLossRecorder


@dataclasses.dataclass(frozen=True)
class Variant:
    """One arm of a lesson's comparison: how to build its model, optimizer and loss.

    Args:
        name: the name in tables and legends.
        build_model: returns a new, uncompiled model (called after seeding).
        make_optimizer: returns a new optimizer.
        loss: the loss (default softmax cross-entropy on logits).
        batch_size: overrides the budget's batch size.
        augment: applied to each training batch `(images, labels)` in tf.data (e.g. a
            `components.data.Augmenter`); None: the arrays as they are.
    """

    name: str
    build_model: Callable[[], keras.Model]
    make_optimizer: Callable[[], keras.optimizers.Optimizer]
    loss: keras.losses.Loss | None = None
    batch_size: int | None = None
    augment: Callable | None = None


@dataclasses.dataclass
class RunRecord:
    """What one training run leaves: per-step losses, Keras's History, times, final figures.

    `history` is Keras's History: `loss` (with regularization penalties), `data_loss` (without),
    `accuracy`, and their `val_` (test) forms. `final` holds `train_loss`, `train_accuracy`,
    `test_loss`, `test_accuracy`, evaluated after training in inference mode (no dropout,
    BatchNorm's moving statistics), the losses without regularization penalties.
    """

    name: str
    step_losses: np.ndarray
    steps_per_epoch: int
    batch_size: int
    history: dict[str, list[float]]
    epoch_seconds: list[float]
    final: dict[str, float]

    def step_epochs(self) -> np.ndarray:
        """Each step's position in epochs (1/steps_per_epoch, 2/steps_per_epoch, ...)."""
        return np.arange(1, len(self.step_losses) + 1) / self.steps_per_epoch

    def steps_to(self, target: float) -> int | None:
        """Steps until the loss, averaged over `smoothing_window` steps, reaches `target`."""
        return steps_to_target(self.step_losses, target, smoothing_window(self.steps_per_epoch))


def train_variant(
    variant: Variant,
    data: LessonData,
    budget: Budget,
    *,
    seed: int = 0,
    verbose: int | None = None,
) -> RunRecord:
    """Seeds, builds, compiles and fits one variant with `model.fit`, recording every step.

    Every variant starts from the same seed (after `keras.backend.clear_session()`), so they
    differ only by what the variant changes. A run whose loss turns NaN stops there
    (`keras.callbacks.TerminateOnNaN`).

    Args:
        variant: what to train.
        data: the slices to train on and test on (the test slice is Keras's validation data).
        budget: epochs and batch size (the variant's batch size wins).
        seed: seeds Python, NumPy, TensorFlow and the shuffle.
        verbose: `model.fit`'s; None: `progress_verbosity()` (a live bar on a terminal, one
            line per epoch in a file or a pipe).

    Example:
    >>> record = train_variant(Variant("relu", make_mlp_fn, sgd), data, budget)  # doctest: +SKIP
    """
    keras.backend.clear_session()  # the previous variants' graphs and state go
    keras.utils.set_random_seed(seed)
    model = variant.build_model()
    loss = variant.loss or keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    # Keras's "loss" includes regularization penalties (L2); "data_loss" is the loss alone.
    per_example = type(loss).from_config({**loss.get_config(), "reduction": "none"})
    model.compile(
        optimizer=variant.make_optimizer(),
        loss=loss,
        metrics=[
            keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
            keras.metrics.MeanMetricWrapper(per_example, name="data_loss"),
            LastBatchLoss(loss),
        ],
        jit_compile=False,  # XLA's compile time outweighs its gain on runs this short
    )
    batch_size = min(variant.batch_size or budget.batch_size, len(data.x_train))
    recorder = StepLossRecorder()
    inputs = {"x": data.x_train, "y": data.y_train, "batch_size": batch_size}
    if variant.augment is not None:  # shuffled and augmented anew every epoch, in tf.data
        inputs = {
            "x": tf.data.Dataset.from_tensor_slices((data.x_train, data.y_train))
            .shuffle(len(data.x_train), seed=seed)
            .batch(batch_size)
            .map(variant.augment, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE),
            "shuffle": False,  # the dataset shuffles; this silences Keras's warning that it won't
        }
    history = model.fit(
        **inputs,
        epochs=budget.epochs,
        validation_data=(data.x_test, data.y_test),
        callbacks=[recorder, keras.callbacks.TerminateOnNaN()],
        verbose=progress_verbosity() if verbose is None else verbose,
    )
    train = model.evaluate(
        data.x_train, data.y_train, batch_size=1024, verbose=0, return_dict=True
    )
    final = {
        "train_loss": float(train["data_loss"]),
        "train_accuracy": float(train["accuracy"]),
        # Keras validates after every epoch, the last one (or a NaN stop) included: on the
        # final weights, in inference mode.
        "test_loss": float(history.history["val_data_loss"][-1]),
        "test_accuracy": float(history.history["val_accuracy"][-1]),
    }
    return RunRecord(
        name=variant.name,
        step_losses=np.asarray(recorder.losses, np.float64),
        steps_per_epoch=math.ceil(len(data.x_train) / batch_size),
        batch_size=batch_size,
        history={k: [float(v) for v in values] for k, values in history.history.items()},
        epoch_seconds=recorder.epoch_seconds,
        final=final,
    )


def train_variants(
    variants: Sequence[Variant], data: LessonData, budget: Budget, *, seed: int = 0
) -> list[RunRecord]:
    """`train_variant` for each variant in turn, announcing each before its progress bar.

    Args:
        variants: the arms of the comparison, trained in this order from the same seed.
        data, budget, seed: as for `train_variant`.

    Example:
    >>> records = train_variants([relu, tanh], data, Budget(2000, 1000, 5, 32))  # doctest: +SKIP
    """
    records = []
    for i, variant in enumerate(variants, start=1):
        print(f"[{i}/{len(variants)}] {variant.name}", flush=True)
        records.append(train_variant(variant, data, budget, seed=seed))
    return records


__all__ = ["RunRecord", "Variant", "train_variant", "train_variants"]
