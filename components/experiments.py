"""Small, quick experiments behind the lesson recipes (`recipes/lessons/`).

Everything the lessons share: a Fashion-MNIST slice as arrays, the small nets they compare, a
training run that records the loss of every step (Keras's logs hold the epoch's running mean
instead), the numbers the tables report (steps to a target loss, per-step loss noise), the
markdown table and the curves. A lesson recipe lists its variants and calls these.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
from keras import ops

from components.cli import int_in_range, non_negative_int, positive_int
from components.figures import pyplot, save_figure
from components.initializers import layer_initializer

FASHION_MNIST_TRAIN, FASHION_MNIST_TEST = 60_000, 10_000
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "maxout")
LEAKY_RELU_SLOPE = 0.01  # the notes' leaky ReLU, max(0.01 x, x); Keras's default slope is 0.3


@dataclasses.dataclass(frozen=True)
class Budget:
    """How much a lesson trains: images of the slices, epochs and batch size."""

    train_images: int
    test_images: int
    epochs: int
    batch_size: int

    def describe(self) -> str:
        """E.g. `"5 epochs of batch 64"`."""
        return f"{self.epochs} epoch{'s' if self.epochs != 1 else ''} of batch {self.batch_size}"


def lesson_parser(
    lesson: str, description: str, *, quick: Budget | None, full: Budget | None
) -> argparse.ArgumentParser:
    """The flags every lesson recipe takes; the data and budget flags only where it trains.

    `--out` (default `lessons_out/<lesson>`), `--seed`, `--full` (the long version), and with
    budgets: `--data-dir`, `--train-images`, `--test-images`, `--epochs`, `--batch-size`, which
    override the quick or `--full` budget (see `budget_from_args`).

    Args:
        lesson: the lesson's name, for the default output directory.
        description: the recipe's one-line description.
        quick: the default budget (None: the lesson does not train on data).
        full: the `--full` budget.

    Example:
    >>> parser = lesson_parser("loss", "Softmax vs SVM.", quick=Budget(2000, 1000, 5, 32),
    ...                        full=Budget(60000, 10000, 20, 64))
    >>> parser.parse_args(["--epochs", "2"]).epochs
    2
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("lessons_out") / lesson,
        help=f"output directory (lessons_out/{lesson})",
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (0)")
    parser.add_argument("--full", action="store_true", help="the long version: more data, epochs")
    if quick is None:
        return parser
    parser.add_argument("--data-dir", help="tfds data dir (tfds's own by default)")
    parser.add_argument(
        "--train-images",
        type=int_in_range(1, FASHION_MNIST_TRAIN),
        help=f"first N training images ({quick.train_images}; --full: {full.train_images})",
    )
    parser.add_argument(
        "--test-images",
        type=int_in_range(1, FASHION_MNIST_TEST),
        help=f"first N test images ({quick.test_images}; --full: {full.test_images})",
    )
    parser.add_argument(
        "--epochs", type=positive_int, help=f"epochs ({quick.epochs}; --full: {full.epochs})"
    )
    parser.add_argument(
        "--batch-size",
        type=positive_int,
        help=f"batch size ({quick.batch_size}; --full: {full.batch_size})",
    )
    return parser


def budget_from_args(args: argparse.Namespace, quick: Budget, full: Budget) -> Budget:
    """The quick (or `--full`) budget with any flag given on the command line put in.

    Args:
        args: parsed by a `lesson_parser` with budgets.
        quick, full: the lesson's two budgets.

    Example:
    >>> quick, full = Budget(2000, 1000, 5, 32), Budget(60000, 10000, 20, 64)
    >>> parser = lesson_parser("loss", "", quick=quick, full=full)
    >>> args = parser.parse_args(["--full", "--epochs=3"])
    >>> budget_from_args(args, quick, full)
    Budget(train_images=60000, test_images=10000, epochs=3, batch_size=64)
    """
    base = full if args.full else quick
    return Budget(
        train_images=args.train_images or base.train_images,
        test_images=args.test_images or base.test_images,
        epochs=args.epochs or base.epochs,
        batch_size=args.batch_size or base.batch_size,
    )


@dataclasses.dataclass(frozen=True)
class LessonData:
    """Images `[N, 28, 28, 1]` float32 and int labels of a train and a test slice."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    description: str


def load_fashion_mnist_slice(
    train_images: int,
    test_images: int,
    *,
    data_dir: str | Path | None = None,
    standardize: bool = True,
) -> LessonData:
    """The first images of Fashion-MNIST's train and test splits, as arrays.

    Loaded with `components.data.load_image_classification` (tfds slicing `train[:N]`) and
    preprocessed by the training pipeline's own `Preprocessing`: standardized with the slice's
    mean and std, or (`standardize=False`) only scaled to [0, 1], the "raw" input.

    Args:
        train_images: N, the first N training images (1..60000).
        test_images: the first M test images (1..10000).
        data_dir: tfds data dir; default tfds's own.
        standardize: standardize (else pixels / 255).

    Example:
    >>> data = load_fashion_mnist_slice(2000, 1000)  # doctest: +SKIP
    >>> data.x_train.shape  # doctest: +SKIP
    (2000, 28, 28, 1)
    """
    from components.data import Preprocessing, load_image_classification, make_pipeline

    if not 1 <= train_images <= FASHION_MNIST_TRAIN:
        raise ValueError(f"train_images must be in 1..{FASHION_MNIST_TRAIN}, got {train_images}.")
    if not 1 <= test_images <= FASHION_MNIST_TEST:
        raise ValueError(f"test_images must be in 1..{FASHION_MNIST_TEST}, got {test_images}.")
    data = load_image_classification(
        "fashion_mnist",
        data_dir=data_dir,
        train_split=f"train[:{train_images}]",
        test_split=f"test[:{test_images}]",
    )
    if standardize:
        preprocessing = Preprocessing.fit(data.train)
    else:
        preprocessing = Preprocessing(mean=(0.0,), std=(1.0,))

    def arrays(dataset):
        batches = list(
            make_pipeline(
                dataset, preprocessing, batch_size=4096, training=False, cache=False
            ).as_numpy_iterator()
        )
        return np.concatenate([x for x, _ in batches]), np.concatenate([y for _, y in batches])

    x_train, y_train = arrays(data.train)
    x_test, y_test = arrays(data.test)
    kind = "standardized" if standardize else "pixels / 255"
    return LessonData(
        x_train,
        y_train,
        x_test,
        y_test,
        data.class_names,
        f"Fashion-MNIST train[:{train_images}], test[:{test_images}], {kind}",
    )


def make_mlp(
    input_shape: tuple[int, ...],
    num_classes: int,
    *,
    hidden: Sequence[int] = (128, 128),
    activation: str = "relu",
    kernel_initializer: str | keras.initializers.Initializer = "glorot_uniform",
    batch_norm: bool = False,
    dropout: float = 0.0,
    l2: float = 0.0,
    maxout_pieces: int = 2,
    preprocessing: keras.layers.Layer | None = None,
    name: str = "mlp",
) -> keras.Model:
    """A fully connected classifier that outputs logits: the lessons' small net.

    Each hidden layer is `Dense -> [BatchNorm] -> activation -> [Dropout]`; with `maxout`, the
    Dense layer has `maxout_pieces` times the units and `components.layers.Maxout` takes the
    maximum over each group.

    Args:
        input_shape: one example's shape (flattened first).
        num_classes: outputs of the last Dense layer.
        hidden: units per hidden layer.
        activation: one of `ACTIVATIONS`.
        kernel_initializer: initializer of every Dense kernel (a new one per layer).
        batch_norm: BatchNorm between each Dense and its activation.
        dropout: dropout rate after each activation, in [0, 1).
        l2: L2 penalty `l2 * sum(w^2)` on every kernel, >= 0.
        maxout_pieces: pieces per Maxout unit, >= 2.
        preprocessing: an (adapted) layer applied to the raw input first.
        name: the model's name.

    Example:
    >>> model = make_mlp((28, 28, 1), 10, hidden=(64,), activation="maxout")
    >>> model.output_shape
    (None, 10)
    """
    from components.layers import BN_MOMENTUM, Maxout

    if activation not in ACTIVATIONS:
        raise ValueError(f"Unknown activation {activation!r}. Valid: {', '.join(ACTIVATIONS)}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}.")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}.")
    if maxout_pieces < 2:
        raise ValueError(f"maxout_pieces must be >= 2, got {maxout_pieces}.")

    def kernel_args():
        return {
            "kernel_initializer": layer_initializer(kernel_initializer),
            "kernel_regularizer": keras.regularizers.L2(l2) if l2 else None,
        }

    inputs = keras.Input(input_shape)
    x = preprocessing(inputs) if preprocessing is not None else inputs
    x = keras.layers.Flatten()(x)
    for i, units in enumerate(hidden, start=1):
        pieces = maxout_pieces if activation == "maxout" else 1
        x = keras.layers.Dense(
            units * pieces, use_bias=not batch_norm, name=f"{name}_dense{i}", **kernel_args()
        )(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn{i}")(x)
        if activation == "maxout":
            x = Maxout(units, name=f"{name}_maxout{i}")(x)
        elif activation == "leaky_relu":
            x = keras.layers.LeakyReLU(LEAKY_RELU_SLOPE, name=f"{name}_leaky_relu{i}")(x)
        elif activation == "elu":
            x = keras.layers.ELU(name=f"{name}_elu{i}")(x)
        else:
            x = keras.layers.Activation(activation, name=f"{name}_{activation}{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{name}_dropout{i}")(x)
    outputs = keras.layers.Dense(num_classes, name=f"{name}_logits", **kernel_args())(x)
    return keras.Model(inputs, outputs, name=name)


@keras.saving.register_keras_serializable(package="classiczoo")
class LastBatchLoss(keras.metrics.Metric):
    """The loss of the latest batch alone, without regularization penalties.

    Keras's logs hold the epoch's running mean of the loss; the per-step loss (its noise, the
    step at which it reaches a target) needs each batch's own value. Computed on the training
    step's own predictions, so it costs one loss evaluation.

    Args:
        loss: the loss (a Keras loss instance or its config).
        name, dtype: as for any Keras metric.

    Example:
    >>> metric = LastBatchLoss(keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    >>> metric.update_state(np.array([0]), np.array([[0.0, 0.0]]))
    >>> round(float(metric.result()), 4)  # log 2
    0.6931
    """

    def __init__(self, loss, name: str = "last_batch_loss", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.loss = keras.losses.get(loss)
        self.value = self.add_variable(shape=(), initializer="zeros", name="value")

    def get_config(self):
        return {"loss": keras.losses.serialize(self.loss), "name": self.name, "dtype": self.dtype}

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.value.assign(ops.cast(self.loss(y_true, y_pred), self.dtype))

    def result(self):
        return ops.convert_to_tensor(self.value)

    def reset_state(self):
        self.value.assign(0.0)


class StepLossRecorder(keras.callbacks.Callback):
    """Records `LastBatchLoss` at every step and the seconds of each epoch's steps.

    An epoch's time runs from its start to its last step's end (validation excluded); the first
    epoch's includes tracing the training step.
    """

    def on_train_begin(self, logs=None):
        self.losses: list[float] = []
        self.epoch_seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["last_batch_loss"]))
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_seconds.append(self._last - self._start)


@dataclasses.dataclass(frozen=True)
class Variant:
    """One arm of a lesson's comparison: how to build its model, optimizer and loss.

    Args:
        name: the name in tables and legends.
        build_model: returns a new, uncompiled model (called after seeding).
        make_optimizer: returns a new optimizer.
        loss: the loss (default softmax cross-entropy on logits).
        batch_size: overrides the budget's batch size.
    """

    name: str
    build_model: Callable[[], keras.Model]
    make_optimizer: Callable[[], keras.optimizers.Optimizer]
    loss: keras.losses.Loss | None = None
    batch_size: int | None = None


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
    variant: Variant, data: LessonData, budget: Budget, *, seed: int = 0, verbose="auto"
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
        verbose: `model.fit`'s (the progress bar by default).

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
    history = model.fit(
        data.x_train,
        data.y_train,
        batch_size=batch_size,
        epochs=budget.epochs,
        validation_data=(data.x_test, data.y_test),
        callbacks=[recorder, keras.callbacks.TerminateOnNaN()],
        verbose=verbose,
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


def steps_to_target(step_losses: Sequence[float], target: float, window: int = 1) -> int | None:
    """The first step at which the mean loss of the last `window` steps is at most `target`.

    Steps count from 1; the first candidate is step `window` (a full window). None: never.

    Args:
        step_losses: the loss of each step.
        target: the loss to reach.
        window: steps averaged, >= 1 (single batches are noisy).

    Example:
    >>> steps_to_target([3.0, 1.0, 1.0, 0.5], target=1.0, window=2)  # (1.0 + 1.0) / 2
    3
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}.")
    losses = np.asarray(step_losses, np.float64)
    if len(losses) < window:
        return None
    means = np.convolve(losses, np.ones(window), mode="valid") / window  # a NaN spoils its own
    reached = np.flatnonzero(means <= target)
    return int(reached[0]) + window if len(reached) else None


def step_loss_noise(step_losses: Sequence[float]) -> float:
    """The noise of a per-step loss curve: `std(l_t - l_{t-1}) / sqrt(2)`.

    For a slowly falling trend plus independent noise of std s, successive differences have
    std `s sqrt(2)`; the trend, which a plain std would count as noise, mostly cancels. NaN
    with fewer than 3 steps.

    Example:
    >>> step_loss_noise([3.0, 2.5, 2.0, 1.5])  # a steady fall is no noise
    0.0
    """
    losses = np.asarray(step_losses, np.float64)
    if len(losses) < 3:
        return float("nan")
    return float(np.std(np.diff(losses)) / np.sqrt(2.0))


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; floats to 4 significant digits, None as "—".

    Example:
    >>> print(markdown_table(["optimizer", "loss"], [["sgd", 0.123456], ["adam", None]]))
    | optimizer | loss |
    |---|---|
    | sgd | 0.1235 |
    | adam | — |
    """
    if not headers:
        raise ValueError("A table needs at least one column.")
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    lines.append("|" + "---|" * len(headers))
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(
                f"Row {list(row)} has {len(row)} cells; the header has {len(headers)}."
            )
        lines.append("| " + " | ".join(_cell(value) for value in row) + " |")
    return "\n".join(lines)


def write_markdown_report(
    path: str | Path,
    title: str,
    intro: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    notes: Sequence[str] = (),
) -> Path:
    """Writes `# title`, the intro, the table and notes to `path` (atomically).

    Args:
        path: the markdown file (its directory is created).
        title, intro: the heading and the paragraph before the table.
        headers, rows: the table, as for `markdown_table`.
        notes: paragraphs after the table.

    Example:
    >>> write_markdown_report("out/results.md", "Lesson", "Setup.", ["a"], [[1]])  # doctest: +SKIP
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = [f"# {title}", intro.strip(), markdown_table(headers, rows), *notes]
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("\n\n".join(part for part in parts if part) + "\n")
    tmp.replace(path)
    return path


def smoothing_window(steps_per_epoch: int) -> int:
    """Steps averaged in curves and in `steps_to_target`: a fifth of an epoch, at least 1."""
    return max(1, steps_per_epoch // 5)


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The trailing mean of up to `window` values at each position (as many values out)."""
    values = np.asarray(values, np.float64)
    sums = np.convolve(values, np.ones(window))[: len(values)]  # a NaN spoils its windows only
    return sums / np.minimum(np.arange(1, len(values) + 1), window)


def _save(figure, path: str | Path) -> Path:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return save_figure(figure, path, dpi=90)


def _y_limits(values: list[np.ndarray], log: bool) -> tuple[float, float] | None:
    """Limits that show the bulk of the values: a few exploding steps should not flatten all."""
    finite = np.concatenate([v[np.isfinite(v)] for v in values] or [np.zeros(0)])
    if log:
        finite = finite[finite > 0]
    if not finite.size:
        return None
    high = float(np.percentile(finite, 99))
    if log:
        return float(finite.min()) * 0.9, high * 1.1
    return min(0.0, float(finite.min())), high * 1.05 + 1e-12


def plot_step_losses(
    panels: dict[str, Sequence[RunRecord]],
    path: str | Path,
    *,
    title: str,
    ylabel: str = "training loss per step",
    log: bool = False,
    sharey: bool = True,
) -> Path:
    """Per-step loss against epochs: one panel per group, one colour per run.

    Each run's raw per-step losses are drawn faintly and their moving average (over a fifth of
    an epoch) on top, so batch sizes and step counts compare on one axis. The y axis shows the
    bulk of the losses (up to their 99th percentile); exploding ones leave it at the top.

    Args:
        panels: `{panel title: records}`; one panel: `{"": records}`.
        path: the PNG to write (atomically).
        title: the figure's title.
        ylabel: the y axis's label.
        log: log-scale y axis.
        sharey: one y scale for all panels (False for losses of different kinds).
    """
    plt = pyplot()
    figure, axes = plt.subplots(
        1, len(panels), figsize=(5.0 * len(panels), 3.6), squeeze=False, sharey=sharey
    )
    every_loss = [r.step_losses for records in panels.values() for r in records]
    for axis, (panel, records) in zip(axes[0], panels.items(), strict=True):
        limits = _y_limits(every_loss if sharey else [r.step_losses for r in records], log)
        # Values far off the axis are drawn at its edge: Agg mangles lines to 1e30 and beyond.
        top = 10 * limits[1] if limits else None
        for color, record in enumerate(records):
            x, y = record.step_epochs(), np.minimum(record.step_losses, top or np.inf)
            window = smoothing_window(record.steps_per_epoch)
            axis.plot(x, y, color=f"C{color}", alpha=0.2, linewidth=0.6)
            axis.plot(
                x,
                moving_average(y, window),
                color=f"C{color}",
                marker="o" if len(x) <= 30 else None,  # a few steps (full batch) stay visible
                markersize=3,
                label=record.name,
            )
        axis.set_title(panel, fontsize=10)
        axis.set_xlabel("epochs")
        if log:
            axis.set_yscale("log")
        if limits:
            axis.set_ylim(*limits)
        axis.legend(fontsize=7)
    axes[0][0].set_ylabel(ylabel)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    return _save(figure, path)


def plot_epoch_curves(
    records: Sequence[RunRecord],
    keys: dict[str, str],
    path: str | Path,
    *,
    title: str,
    ylabel: str,
) -> Path:
    """Per-epoch curves from Keras's History: one colour per run, one line style per key.

    Args:
        records: the runs.
        keys: `{History key: label}`, e.g. `{"accuracy": "train", "val_accuracy": "test"}`.
        path: the PNG to write (atomically).
        title, ylabel: the figure's title and y label.
    """
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6.0, 3.8))
    styles = ["-", "--", ":", "-."]
    for color, record in enumerate(records):
        for style, (key, label) in zip(styles, keys.items(), strict=False):
            values = record.history.get(key, [])
            axis.plot(
                np.arange(1, len(values) + 1),
                values,
                style,
                marker="o",
                markersize=3,
                color=f"C{color}",
                label=f"{record.name}, {label}",
            )
    axis.set_xlabel("epoch")
    axis.set_ylabel(ylabel)
    axis.legend(fontsize=7)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    return _save(figure, path)


def plot_lines(
    lines: dict[str, tuple[Sequence[float], Sequence[float]]],
    path: str | Path,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    log: bool = False,
) -> Path:
    """Named `(x, y)` lines on one axis, as PNG (atomically).

    Args:
        lines: `{legend label: (x values, y values)}`.
        path: the PNG to write (its directory is created).
        title, xlabel, ylabel: the labels.
        log: log-scale y axis.

    Example:
    >>> plot_lines({"a": ([1, 2], [3, 1])}, "out/a.png", title="", xlabel="step", ylabel="loss")
    ... # doctest: +SKIP
    """
    plt = pyplot()
    figure, axis = plt.subplots(figsize=(6.0, 3.8))
    for name, (x, y) in lines.items():
        axis.plot(x, y, marker="o", markersize=3, label=name)
    if log:
        axis.set_yscale("log")
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.legend(fontsize=7)
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    return _save(figure, path)
