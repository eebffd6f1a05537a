"""Weight initialization as the notes name it, and LSUV.

Keras has the classic initializers under other names; these are the same classes:
`xavier_uniform`/`xavier_normal` (Glorot & Bengio 2010, for tanh), `he_uniform`/`he_normal`
(He et al. 2015, for ReLU), `lecun_normal` (for SELU), and `small_normal`, the N(0, 0.01) that
makes activations collapse to zero in deep nets. What Keras lacks is data-driven
initialization, `lsuv_init` (Mishkin & Matas 2015, "All you need is a good init"), and the
identity kernel of a convolution, `Dirac` (PyTorch's `nn.init.dirac_`; airbench's convolutions).
"""

from __future__ import annotations

import keras
import numpy as np

from components.diagnostics.recording import recording_calls

INITIALIZERS = {
    "xavier_uniform": keras.initializers.GlorotUniform,
    "xavier_normal": keras.initializers.GlorotNormal,
    "he_uniform": keras.initializers.HeUniform,
    "he_normal": keras.initializers.HeNormal,
    "lecun_normal": keras.initializers.LecunNormal,
    "small_normal": lambda seed=None: keras.initializers.RandomNormal(stddev=0.01, seed=seed),
    "unit_normal": lambda seed=None: keras.initializers.RandomNormal(stddev=1.0, seed=seed),
    "orthogonal": keras.initializers.Orthogonal,
    # Identity on the first min(in, out) channels, He-normal beyond them (airbench's rule).
    "dirac": lambda seed=None: Dirac(remainder=keras.initializers.HeNormal(seed=seed)),
}


@keras.saving.register_keras_serializable(package="classiczoo")
class Dirac(keras.initializers.Initializer):
    """Identity (Dirac delta) kernels: a convolution that starts by copying its input.

    For a kernel `(*spatial, in, out)` (Conv1D/2D/3D, or Dense with no spatial axes),
    `kernel[centre, i, i] = 1` for `i < min(in, out)`, every other entry of those outputs 0
    (the centre is `k // 2` on each spatial axis): with `"same"` padding and stride 1, output
    channel i equals input channel i. Outputs beyond the input's channels (`out > in`) take
    `remainder`'s values: None leaves them 0, as PyTorch's `nn.init.dirac_` does; an
    initializer gives them its random values, as airbench does (its convolutions keep their
    default initialization beyond the first `in` outputs, "an implicit residual": Keller
    Jordan, "94% on CIFAR-10 in 3.29 Seconds on a Single GPU", arXiv 2404.00498). Repeated
    identity blocks (DiracNets) are not offered: the copies would start as identical channels.
    Keras's `Identity` initializer is the 2-D case only.

    Args:
        remainder: the initializer of the outputs beyond the identity (a Keras or
            `INITIALIZERS` name, config or instance; drawn for the whole kernel, so its fan-in
            and fan-out are the layer's, then sliced); None: zeros.

    Example:
    >>> kernel = Dirac()((3, 3, 2, 3))
    >>> keras.ops.convert_to_numpy(kernel)[1, 1].tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    """

    def __init__(self, remainder=None):
        self.remainder = None if remainder is None else layer_initializer(remainder)

    def get_config(self):
        remainder = self.remainder
        return {
            "remainder": None if remainder is None else keras.initializers.serialize(remainder)
        }

    def __call__(self, shape, dtype=None):
        shape = tuple(int(d) for d in shape)
        if len(shape) < 2:
            raise ValueError(
                f"Dirac needs a kernel of shape (*spatial, in, out), got shape {shape}."
            )
        dtype = keras.backend.standardize_dtype(dtype or keras.config.floatx())
        inputs, outputs = shape[-2:]
        identity = min(inputs, outputs)
        kernel = np.zeros(shape, np.float32)
        centre = tuple(d // 2 for d in shape[:-2])
        kernel[(*centre, np.arange(identity), np.arange(identity))] = 1.0
        kernel = keras.ops.convert_to_tensor(kernel, dtype)
        if self.remainder is None or outputs == identity:
            return kernel
        drawn = keras.ops.cast(self.remainder(shape, dtype=dtype), dtype)
        return keras.ops.concatenate([kernel[..., :identity], drawn[..., identity:]], axis=-1)


def get_initializer(name: str, seed: int | None = None) -> keras.initializers.Initializer:
    """A Keras initializer by the notes' name (see `INITIALIZERS`)."""
    if name not in INITIALIZERS:
        raise ValueError(f"Unknown initializer {name!r}. Valid: {', '.join(INITIALIZERS)}.")
    return INITIALIZERS[name](seed=seed)


def layer_initializer(identifier) -> keras.initializers.Initializer:
    """A new initializer for one layer, from a notes' name, a Keras name or config, or another.

    Keras's unseeded initializer *instances* draw the same values at every call of one shape,
    so layers that share an instance start with identical kernels; each layer needs its own.
    An initializer with an integer seed is copied with its seed (the user asked for those
    values).

    Args:
        identifier: a name from `INITIALIZERS` (`"xavier_uniform"`, `"he_normal"`, ...), a Keras
            identifier (`"glorot_uniform"`, a config dict) or a `keras.initializers.Initializer`.

    Example:
    >>> layer_initializer("xavier_uniform")  # doctest: +ELLIPSIS
    <...GlorotUniform object at ...>
    """
    if isinstance(identifier, str) and identifier in INITIALIZERS:
        return get_initializer(identifier)
    if isinstance(identifier, keras.initializers.Initializer):
        return type(identifier).from_config(identifier.get_config())
    try:
        return keras.initializers.get(identifier)  # a new one from a name or a config
    except ValueError:
        raise ValueError(
            f"Unknown initializer {identifier!r}. Valid: {', '.join(INITIALIZERS)} or a Keras "
            "initializer name."
        ) from None


def _weighted_layers(model: keras.Model):
    return [
        layer
        for layer in model._flatten_layers(include_self=False, recursive=True)
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)) and layer.built
    ]


def lsuv_init(
    model: keras.Model,
    batch,
    *,
    tolerance: float = 0.05,
    max_iterations: int = 10,
    seed: int = 0,
) -> dict[str, float]:
    """Layer-sequential unit-variance initialization (Mishkin & Matas 2015).

    Every Conv2D and Dense layer, in order, gets an orthonormal kernel, then its kernel is
    divided by the standard deviation of the layer's output (before its own activation, if it
    has one) on `batch`, until that variance is within `tolerance` of 1. Biases are set to 0.

    Args:
        model: a built model.
        batch: a batch of its inputs (a few hundred examples, preprocessed as in training).
        tolerance: accepted distance of the output variance from 1.
        max_iterations: rescaling rounds per layer.
        seed: seeds the orthonormal matrices.

    Returns:
        Each layer's final output variance, by layer path.

    Example:
    >>> variances = lsuv_init(model, x_train[:256])  # doctest: +SKIP
    """
    batch = np.asarray(batch, np.float32)
    variances = {}
    layers = list(_weighted_layers(model))
    if not layers:
        raise ValueError(
            f"lsuv_init: model {model.name!r} has no Dense or Conv layer to initialize (LSUV "
            "sets the scale of their kernels)."
        )
    for index, layer in enumerate(layers):
        kernel = layer.kernel
        shape = tuple(kernel.shape)
        flat = (int(np.prod(shape[:-1])), shape[-1])
        orthogonal = keras.initializers.Orthogonal(seed=seed + index)(flat)
        kernel.assign(keras.ops.reshape(orthogonal, shape))
        if getattr(layer, "bias", None) is not None:
            layer.bias.assign(np.zeros(layer.bias.shape, np.float32))
        activation, layer.activation = layer.activation, keras.activations.linear
        try:
            with recording_calls([layer]) as calls:
                for _ in range(max_iterations):
                    model(batch, training=False)
                    variance = float(np.var(keras.ops.convert_to_numpy(calls[layer.path][1])))
                    if abs(variance - 1.0) < tolerance or variance == 0:
                        break
                    kernel.assign(kernel.numpy() / np.sqrt(variance))
                model(batch, training=False)
                outputs = calls[layer.path][1]
            variances[layer.path] = float(np.var(keras.ops.convert_to_numpy(outputs)))
        finally:
            layer.activation = activation
    return variances
