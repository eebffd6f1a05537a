"""Recording what each layer outputs in one forward pass (nested layers included)."""

from __future__ import annotations

import contextlib

import keras


def leaf_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Layers without sublayers, in the order the model creates them."""
    return [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if not list(layer._flatten_layers(include_self=False, recursive=False))
        and not isinstance(layer, keras.layers.InputLayer)
    ]


@contextlib.contextmanager
def recording_outputs(layers):
    """Within the block, each layer's latest output is in the yielded dict (by layer path)."""
    outputs, originals = {}, {}
    for layer in layers:

        def call(*args, _layer=layer, _call=layer.call, **kwargs):
            result = _call(*args, **kwargs)
            outputs[_layer.path] = result
            return result

        originals[layer] = layer.call
        layer.call = call
    try:
        yield outputs
    finally:
        for layer, original in originals.items():
            layer.call = original


def activation_kind(layer: keras.layers.Layer) -> str | None:
    """`relu`, `tanh`, `sigmoid` or None: the nonlinearity a layer applies last."""
    if isinstance(layer, keras.layers.ReLU):
        return "relu"
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", "")
    return name if name in ("relu", "tanh", "sigmoid") else None
