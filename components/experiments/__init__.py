"""The lessons' harness: small, quick experiments behind `components.lessons`.

Everything the lessons share, one job per module: their flags and budgets (`arguments`), a
Fashion-MNIST slice as arrays (`data`), the small nets they compare (`mlp`), a metric and a
callback that record the loss of every step (`last_batch_loss`, `step_loss_recorder`), the
training of each arm from one seed (`runner`), the numbers of their tables (`statistics`), the
markdown table (`markdown`), their curves (`plots`) and the notes' initialization experiment
(`initialization`). A lesson lists its variants and calls these.
"""

from components.experiments.ablation import (
    AblationVariant,
    Technique,
    ablation_conclusions,
    ablation_headers,
    ablation_row,
    ablation_variants,
)
from components.experiments.arguments import (
    FASHION_MNIST_TEST,
    FASHION_MNIST_TRAIN,
    Budget,
    budget_from_args,
    lesson_parser,
)
from components.experiments.cnn import make_small_cnn
from components.experiments.data import LessonData, load_fashion_mnist_slice
from components.experiments.epoch_clock import EpochClock
from components.experiments.gap import gap_headers, gap_row, plot_train_vs_held_out
from components.experiments.initialization import (
    NOTES_INITIALIZATION_SETTINGS,
    initialization_experiment,
    unit_gaussian_batch,
)
from components.experiments.last_batch_loss import LastBatchLoss
from components.experiments.markdown import markdown_table, write_markdown_report
from components.experiments.mlp import ACTIVATIONS, LEAKY_RELU_SLOPE, make_mlp
from components.experiments.plots import (
    plot_ablation,
    plot_epoch_curves,
    plot_lines,
    plot_step_losses,
)
from components.experiments.runner import RunRecord, Variant, train_variant, train_variants
from components.experiments.statistics import (
    moving_average,
    smoothing_window,
    step_loss_noise,
    steps_to_target,
)
from components.experiments.step_loss_recorder import StepLossRecorder
from components.experiments.synthetic import noisy_circle
from components.experiments.time_to_accuracy import (
    PLAIN_SETTINGS,
    THRESHOLDS,
    median_reached,
    summarize_seeds,
    threshold_crossings,
    threshold_key,
    time_ratio,
    train_and_test,
)

__all__ = [
    "ACTIVATIONS",
    "AblationVariant",
    "FASHION_MNIST_TEST",
    "FASHION_MNIST_TRAIN",
    "LEAKY_RELU_SLOPE",
    "NOTES_INITIALIZATION_SETTINGS",
    "PLAIN_SETTINGS",
    "THRESHOLDS",
    "Budget",
    "EpochClock",
    "LastBatchLoss",
    "LessonData",
    "RunRecord",
    "StepLossRecorder",
    "Technique",
    "Variant",
    "ablation_conclusions",
    "ablation_headers",
    "ablation_row",
    "ablation_variants",
    "budget_from_args",
    "gap_headers",
    "gap_row",
    "initialization_experiment",
    "lesson_parser",
    "load_fashion_mnist_slice",
    "make_mlp",
    "make_small_cnn",
    "markdown_table",
    "median_reached",
    "moving_average",
    "noisy_circle",
    "plot_ablation",
    "plot_epoch_curves",
    "plot_lines",
    "plot_step_losses",
    "plot_train_vs_held_out",
    "smoothing_window",
    "step_loss_noise",
    "steps_to_target",
    "summarize_seeds",
    "threshold_crossings",
    "threshold_key",
    "time_ratio",
    "train_and_test",
    "train_variant",
    "train_variants",
    "unit_gaussian_batch",
    "write_markdown_report",
]
