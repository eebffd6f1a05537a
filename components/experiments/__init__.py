"""The lessons' harness: small, quick experiments behind `components.lessons`.

Everything the lessons share, one job per module: their flags and budgets (`arguments`), a
Fashion-MNIST slice as arrays (`data`), the small nets they compare (`mlp`), a metric and a
callback that record the loss of every step (`last_batch_loss`, `step_loss_recorder`), the
training of each arm from one seed (`runner`), the numbers of their tables (`statistics`), the
markdown table (`markdown`), their curves (`plots`) and the notes' initialization experiment
(`initialization`). A lesson lists its variants and calls these.
"""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

# What static tools see; at run time each name loads on first use (some need TensorFlow).
if TYPE_CHECKING:
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
        seedwise_time_ratio,
        summarize_seeds,
        threshold_crossings,
        threshold_key,
        time_ratio,
        train_and_test,
    )

_EXPORTS = {
    "AblationVariant": "components.experiments.ablation",
    "Technique": "components.experiments.ablation",
    "ablation_conclusions": "components.experiments.ablation",
    "ablation_headers": "components.experiments.ablation",
    "ablation_row": "components.experiments.ablation",
    "ablation_variants": "components.experiments.ablation",
    "FASHION_MNIST_TEST": "components.experiments.arguments",
    "FASHION_MNIST_TRAIN": "components.experiments.arguments",
    "Budget": "components.experiments.arguments",
    "budget_from_args": "components.experiments.arguments",
    "lesson_parser": "components.experiments.arguments",
    "make_small_cnn": "components.experiments.cnn",
    "LessonData": "components.experiments.data",
    "load_fashion_mnist_slice": "components.experiments.data",
    "EpochClock": "components.experiments.epoch_clock",
    "gap_headers": "components.experiments.gap",
    "gap_row": "components.experiments.gap",
    "plot_train_vs_held_out": "components.experiments.gap",
    "NOTES_INITIALIZATION_SETTINGS": "components.experiments.initialization",
    "initialization_experiment": "components.experiments.initialization",
    "unit_gaussian_batch": "components.experiments.initialization",
    "LastBatchLoss": "components.experiments.last_batch_loss",
    "markdown_table": "components.experiments.markdown",
    "write_markdown_report": "components.experiments.markdown",
    "ACTIVATIONS": "components.experiments.mlp",
    "LEAKY_RELU_SLOPE": "components.experiments.mlp",
    "make_mlp": "components.experiments.mlp",
    "plot_ablation": "components.experiments.plots",
    "plot_epoch_curves": "components.experiments.plots",
    "plot_lines": "components.experiments.plots",
    "plot_step_losses": "components.experiments.plots",
    "RunRecord": "components.experiments.runner",
    "Variant": "components.experiments.runner",
    "train_variant": "components.experiments.runner",
    "train_variants": "components.experiments.runner",
    "moving_average": "components.experiments.statistics",
    "smoothing_window": "components.experiments.statistics",
    "step_loss_noise": "components.experiments.statistics",
    "steps_to_target": "components.experiments.statistics",
    "StepLossRecorder": "components.experiments.step_loss_recorder",
    "noisy_circle": "components.experiments.synthetic",
    "PLAIN_SETTINGS": "components.experiments.time_to_accuracy",
    "THRESHOLDS": "components.experiments.time_to_accuracy",
    "median_reached": "components.experiments.time_to_accuracy",
    "seedwise_time_ratio": "components.experiments.time_to_accuracy",
    "summarize_seeds": "components.experiments.time_to_accuracy",
    "threshold_crossings": "components.experiments.time_to_accuracy",
    "threshold_key": "components.experiments.time_to_accuracy",
    "time_ratio": "components.experiments.time_to_accuracy",
    "train_and_test": "components.experiments.time_to_accuracy",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

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
    "seedwise_time_ratio",
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
