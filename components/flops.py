"""FLOPs per image of a Keras model, two independent ways.

`count_flops` is analytic: it runs the model once on zeros, records the input and output shapes
of every Conv2D and Dense layer (nested ones included), and adds `2 * multiply-adds` for each.
`count_graph_flops` asks TensorFlow's profiler to count the Conv2D and MatMul ops of the traced
graph. Both count only those layers (biases, normalization, activations and pooling are a few
percent at most); a test checks that they agree. Keras has no FLOP counter, hence this module.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def _conv_and_dense_layers(model: keras.Model):
    return [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
    ]


def count_flops(model: keras.Model) -> int:
    """Analytic FLOPs (2 x multiply-adds of Conv2D and Dense layers) for one image."""
    shapes = {}
    originals = {}
    for layer in _conv_and_dense_layers(model):

        def recording_call(inputs, *args, _layer=layer, _call=layer.call, **kwargs):
            outputs = _call(inputs, *args, **kwargs)
            shapes[id(_layer)] = (tuple(inputs.shape), tuple(outputs.shape))
            return outputs

        originals[layer] = layer.call
        layer.call = recording_call
    try:
        model(np.zeros((1, *model.input_shape[1:]), "float32"), training=False)
    finally:
        for layer, call in originals.items():
            layer.call = call
    flops = 0
    for layer in originals:
        if id(layer) not in shapes:
            continue  # a layer the forward pass does not use
        in_shape, out_shape = shapes[id(layer)]
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw = layer.kernel_size
            in_per_group = in_shape[-1] // layer.groups
            flops += 2 * kh * kw * in_per_group * int(np.prod(out_shape[1:]))
        else:
            flops += 2 * in_shape[-1] * int(np.prod(out_shape[1:]))
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
