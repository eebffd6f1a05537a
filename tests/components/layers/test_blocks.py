"""VGGBlock, NiNBlock and InceptionBlock: the layer contract and their math."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from components.layers import InceptionBlock, NiNBlock, VGGBlock
from tests.components.layers.layer_checks import check_layer


def conv(x, layer, padding="SAME", strides=1):
    y = tf.nn.conv2d(x, layer.kernel.numpy(), strides, padding)
    return y + layer.bias.numpy() if layer.use_bias else y


@pytest.mark.backends  # the JAX pass too
@pytest.mark.parametrize("batch_norm", [False, True])
def test_vgg_block(tmp_path, batch_norm):
    layer, y = check_layer(
        lambda: VGGBlock(2, 6, batch_norm=batch_norm), (2, 8, 8, 3), (2, 4, 4, 6), tmp_path
    )
    if not batch_norm:
        x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32")
        h = tf.nn.relu(conv(tf.nn.relu(conv(x, layer.convs[0])), layer.convs[1]))
        expected = tf.nn.max_pool2d(h, 2, 2, "VALID")
        np.testing.assert_allclose(y, expected.numpy(), atol=1e-5)


@pytest.mark.backends  # the JAX pass too
def test_vgg_block_same_pooling_rounds_up():
    assert VGGBlock(1, 4, pool_padding="same").compute_output_shape((None, 7, 7, 3)) == (
        None,
        4,
        4,
        4,
    )
    with pytest.raises(ValueError, match="pool_padding must be 'valid' or 'same'"):
        VGGBlock(1, 4, pool_padding="full")


@pytest.mark.backends  # the JAX pass too
def test_nin_block(tmp_path):
    layer, y = check_layer(
        lambda: NiNBlock(5, 3, strides=2, padding="valid"), (2, 9, 9, 3), (2, 4, 4, 5), tmp_path
    )
    x = np.random.default_rng(0).normal(size=(2, 9, 9, 3)).astype("float32")
    h = tf.nn.relu(conv(x, layer.convs[0], "VALID", 2))
    for c in layer.convs[1:]:
        h = tf.nn.relu(conv(h, c))
    np.testing.assert_allclose(y, h.numpy(), atol=1e-5)
    linear = NiNBlock(5, 3, activate_output=False)
    assert (np.asarray(linear(x)) < 0).any()  # no ReLU on the last convolution


@pytest.mark.backends  # the JAX pass too
@pytest.mark.parametrize("activate_output", [True, False])
def test_nin_block_with_batch_norm_normalizes_each_activated_convolution(
    tmp_path, activate_output
):
    def block():
        return NiNBlock(5, 3, activate_output=activate_output, batch_norm=True)

    layer, _ = check_layer(block, (2, 6, 6, 3), (2, 6, 6, 5), tmp_path)
    # Moving statistics and affine weights other than the initial ones, so the check sees them.
    rng = np.random.default_rng(1)
    for norm in layer.norms:
        for weight in norm.weights:
            weight.assign(rng.uniform(0.5, 1.5, size=weight.shape).astype("float32"))
    x = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    h, norms = x, iter(layer.norms)
    for i, c in enumerate(layer.convs):
        last = i == len(layer.convs) - 1
        assert c.use_bias == (last and not activate_output)
        h = conv(h, c)
        if not last or activate_output:
            n = next(norms)
            h = tf.nn.batch_normalization(
                h, n.moving_mean.numpy(), n.moving_variance.numpy(), n.beta.numpy(),
                n.gamma.numpy(), n.epsilon,
            )  # fmt: skip
            h = tf.nn.relu(h)
    assert len(layer.norms) == (3 if activate_output else 2)
    np.testing.assert_allclose(np.asarray(layer(x, training=False)), h.numpy(), atol=1e-4)


@pytest.mark.backends  # the JAX pass too
@pytest.mark.parametrize("batch_norm", [False, True])
def test_inception_block(tmp_path, batch_norm):
    layer, y = check_layer(
        lambda: InceptionBlock(4, 3, 5, 2, 3, 2, batch_norm=batch_norm),
        (2, 6, 6, 8),
        (2, 6, 6, 14),
        tmp_path,
    )
    if not batch_norm:
        x = np.random.default_rng(0).normal(size=(2, 6, 6, 8)).astype("float32")
        b1 = tf.nn.relu(conv(x, layer.branches[0][0]))
        b2 = tf.nn.relu(conv(tf.nn.relu(conv(x, layer.branches[1][0])), layer.branches[1][1]))
        b3 = tf.nn.relu(conv(tf.nn.relu(conv(x, layer.branches[2][0])), layer.branches[2][1]))
        b4 = tf.nn.relu(conv(tf.nn.max_pool2d(x, 3, 1, "SAME"), layer.branches[3][0]))
        expected = tf.concat([b1, b2, b3, b4], axis=-1)
        np.testing.assert_allclose(y, expected.numpy(), atol=1e-5)


@pytest.mark.backends  # the JAX pass too
def test_inception_3a_widths():
    block = InceptionBlock(64, 96, 128, 16, 32, 32)
    assert block.compute_output_shape((None, 28, 28, 192)) == (None, 28, 28, 256)
    block.build((None, 28, 28, 192))
    # Table 1's row (3a): 159K parameters without biases.
    weights = sum(int(np.prod(w.shape)) for w in block.weights if len(w.shape) == 4)
    assert weights == 192 * 64 + 192 * 96 + 96 * 9 * 128 + 192 * 16 + 16 * 25 * 32 + 192 * 32
    with pytest.raises(ValueError, match="filter counts must be >= 1"):
        InceptionBlock(0, 1, 1, 1, 1, 1)


@pytest.mark.parametrize(
    "factory",
    [
        lambda **kw: VGGBlock(3, 4, **kw),
        lambda **kw: NiNBlock(4, 3, **kw),
        lambda **kw: InceptionBlock(4, 4, 4, 4, 4, 4, **kw),
    ],
)
def test_blocks_take_an_activation_and_give_each_convolution_its_own_initial_kernel(
    factory, tmp_path
):
    layer, _ = check_layer(
        lambda: factory(activation="elu", kernel_initializer="he_uniform"),
        (2, 8, 8, 3),
        tuple(factory().compute_output_shape((2, 8, 8, 3))),
        tmp_path,
    )
    assert layer.activation.__name__ == "elu" and layer.get_config()["activation"] == "elu"
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32")
    assert (np.asarray(layer(x)) < 0).any()  # ELU lets negative values through
    convs = [c for c in layer._flatten_layers(include_self=False) if hasattr(c, "kernel")]
    assert all(type(c.kernel_initializer).__name__ == "HeUniform" for c in convs)
    # An unseeded Keras initializer shared between layers repeats its values; each conv has
    # its own, so convolutions of one shape start different.
    kernels = {}
    for c in convs:
        kernels.setdefault(tuple(c.kernel.shape), []).append(c.kernel.numpy())
    same_shape = [k for k in kernels.values() if len(k) > 1]
    assert same_shape
    for group in same_shape:
        assert not np.allclose(group[0], group[1])
