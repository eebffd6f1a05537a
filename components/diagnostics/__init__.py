"""Looking inside a net: what its layers take and give, FLOPs, gradient checks, activations,
and bias vs variance against human-level error."""

from typing import TYPE_CHECKING

from components.diagnostics.activation_statistics import activation_statistics
from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.diagnostics.activation_plots import plot_activation_histograms
    from components.diagnostics.bias_variance import (
        BiasVarianceDiagnosis,
        diagnose_bias_variance,
        human_error_for,
    )
    from components.diagnostics.flops import count_flops, count_graph_flops
    from components.diagnostics.gradcheck import GradientCheck, check_gradients
    from components.diagnostics.recording import activation_kind, leaf_layers, recording_calls

_EXPORTS = {
    "BiasVarianceDiagnosis": "components.diagnostics.bias_variance",
    "GradientCheck": "components.diagnostics.gradcheck",
    "activation_kind": "components.diagnostics.recording",
    "check_gradients": "components.diagnostics.gradcheck",
    "count_flops": "components.diagnostics.flops",
    "count_graph_flops": "components.diagnostics.flops",
    "diagnose_bias_variance": "components.diagnostics.bias_variance",
    "human_error_for": "components.diagnostics.bias_variance",
    "leaf_layers": "components.diagnostics.recording",
    "plot_activation_histograms": "components.diagnostics.activation_plots",
    "recording_calls": "components.diagnostics.recording",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "BiasVarianceDiagnosis",
    "GradientCheck",
    "activation_kind",
    "activation_statistics",
    "check_gradients",
    "count_flops",
    "diagnose_bias_variance",
    "count_graph_flops",
    "human_error_for",
    "leaf_layers",
    "plot_activation_histograms",
    "recording_calls",
]
