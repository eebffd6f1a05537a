"""Every custom layer passes Keras's own layer test (`keras.src.testing.TestCase.run_layer_test`:
config and serialization round trips, symbolic and eager calls, a training step, and its
mixed-precision check) under each Keras backend this suite runs on."""

from __future__ import annotations

import pytest
from keras.src.testing import TestCase

from components.layers import (
    InceptionBlock,
    LocalResponseNormalization,
    Maxout,
    NiNBlock,
    PCAWhitening,
    VGGBlock,
    ZCAWhitening,
)

pytestmark = pytest.mark.backends

CASES = [
    (VGGBlock, {"num_convs": 2, "filters": 4, "batch_norm": True}, (2, 8, 8, 3), (2, 4, 4, 4)),
    (VGGBlock, {"num_convs": 1, "filters": 4, "pool_padding": "same"}, (2, 7, 7, 3), (2, 4, 4, 4)),
    (NiNBlock, {"filters": 4, "kernel_size": 3, "strides": 2}, (2, 8, 8, 3), (2, 4, 4, 4)),
    (NiNBlock, {"filters": 4, "kernel_size": 3, "batch_norm": True}, (2, 8, 8, 3), (2, 8, 8, 4)),
    (
        InceptionBlock,
        {
            "filters_1x1": 2,
            "filters_3x3_reduce": 2,
            "filters_3x3": 3,
            "filters_5x5_reduce": 2,
            "filters_5x5": 3,
            "filters_pool_proj": 2,
            "batch_norm": True,
        },
        (2, 8, 8, 3),
        (2, 8, 8, 10),
    ),
    (LocalResponseNormalization, {}, (2, 4, 4, 6), (2, 4, 4, 6)),
    (Maxout, {"num_units": 2}, (2, 8), (2, 2)),
    (PCAWhitening, {}, (4, 6), (4, 6)),
    (ZCAWhitening, {}, (4, 6), (4, 6)),
]


@pytest.mark.parametrize(
    "layer_class,init_kwargs,input_shape,output_shape",
    CASES,
    ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)],
)
def test_kerass_own_layer_test(layer_class, init_kwargs, input_shape, output_shape):
    TestCase().run_layer_test(
        layer_class,
        init_kwargs,
        input_shape=input_shape,
        expected_output_shape=output_shape,
    )
