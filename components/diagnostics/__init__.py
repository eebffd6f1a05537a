"""Looking inside a net: what its layers take and give, FLOPs, gradient checks, activations,
and bias vs variance against human-level error."""

from components.diagnostics.activation_plots import plot_activation_histograms
from components.diagnostics.activation_statistics import activation_statistics
from components.diagnostics.bias_variance import (
    BiasVarianceDiagnosis,
    diagnose_bias_variance,
    human_error_for,
)
from components.diagnostics.flops import count_flops, count_graph_flops
from components.diagnostics.gradcheck import GradientCheck, check_gradients
from components.diagnostics.recording import activation_kind, leaf_layers, recording_calls

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
