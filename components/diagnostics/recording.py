"""Recording what layers take and give in one forward pass (nested layers included).

Keras offers no hook on the sublayers a custom layer calls inside its own `call`; this wraps
each layer's `call` for the duration of a `with` block. Used by the FLOP counter, LSUV and the
training monitors.
"""

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
def recording_calls(layers):
    """Within the block, the yielded dict maps each layer's path to `(inputs, outputs)` of its
    latest call (a layer the forward pass skips has no entry)."""
    calls, originals = {}, {}
    for layer in layers:

        def call(inputs, *args, _layer=layer, _call=layer.call, **kwargs):
            result = _call(inputs, *args, **kwargs)
            calls[_layer.path] = (inputs, result)
            return result

        originals[layer] = layer.call
        layer.call = call
    try:
        yield calls
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
