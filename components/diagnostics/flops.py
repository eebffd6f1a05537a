"""FLOPs per image of a Keras model, two independent ways.

`count_flops` is analytic: it runs the model once on zeros, records the input and output shapes
of every Conv2D and Dense layer (nested ones included, `components.diagnostics.recording`),
and adds `2 * multiply-adds` for each.
`count_graph_flops` asks TensorFlow's profiler to count the Conv2D and MatMul ops of the traced
graph. Both count only those layers (biases, normalization, activations and pooling are a few
percent at most); a test checks that they agree. Keras has no FLOP counter, hence this module.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from components.diagnostics.recording import recording_calls


def _conv_and_dense_layers(model: keras.Model):
    return [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
    ]


def count_flops(model: keras.Model) -> int:
    """Analytic FLOPs (2 x multiply-adds of Conv2D and Dense layers) for one image."""
    layers = _conv_and_dense_layers(model)
    with recording_calls(layers) as calls:
        model(np.zeros((1, *model.input_shape[1:]), "float32"), training=False)
    flops = 0
    for layer in layers:
        if layer.path not in calls:
            continue  # a layer the forward pass does not use
        inputs, outputs = calls[layer.path]
        out_size = int(np.prod(outputs.shape[1:]))
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            flops += 2 * kh * kw * (inputs.shape[-1] // layer.groups) * out_size
        else:
            flops += 2 * inputs.shape[-1] * out_size
    return int(flops)


def count_graph_flops(model: keras.Model) -> int:
    """FLOPs of the Conv2D and MatMul ops in the model's TensorFlow graph, for one image."""
    from tensorflow.python.profiler import model_analyzer, option_builder

    spec = tf.TensorSpec((1, *model.input_shape[1:]), tf.float32)
    graph = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec).graph
    options = (
        option_builder.ProfileOptionBuilder(option_builder.ProfileOptionBuilder.float_operation())
        .with_empty_output()
        .build()
    )
    options["account_type_regexes"] = ["Conv2D", "MatMul"]
    profile = model_analyzer.profile(graph, options=options)
    return int(profile.total_float_ops)
