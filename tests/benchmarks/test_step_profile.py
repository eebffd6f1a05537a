"""The step profile's reading of TensorFlow's profiler output (benchmarks/step_profile.py): a
real profile of a few training steps of a small model, summed by op type."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def step_profile(load_benchmark):
    return load_benchmark("step_profile")


def test_a_profiled_step_is_summed_by_op_type(step_profile, tmp_path):
    args = step_profile.argparse.Namespace(
        model="lenet5_bn", steps=2, batch_size=16, logdir=str(tmp_path / "profile")
    )
    result = step_profile.profile(args)
    ops = {row["op"]: row for row in result["by_op_type"]}
    # LeNet-5 trains through convolutions (forward and both gradients) and dense matmuls.
    convolutions = [op for op in ops if "Conv2D" in op]
    assert any("BackpropFilter" in op for op in convolutions)
    assert any("BackpropInput" in op for op in convolutions)
    assert any("MatMul" in op for op in ops)
    assert not any("::" in op for op in ops)  # the executor's bookkeeping is not an op
    # No op counted twice (nested events): the executor runs at most one op per thread at a
    # time, and it has at most one thread per core.
    assert result["op_ms_per_step"] <= result["wall_ms_per_step"] * os.cpu_count()
    kernels = sum(row["share"] for op, row in ops.items() if "Conv2D" in op or "MatMul" in op)
    assert result["flop_ops_share"] == pytest.approx(kernels, abs=0.01)
    assert 0 < result["flop_ops_share"] < 1 and result["wall_ms_per_step"] > 0
    assert list((tmp_path / "profile").rglob("*.xplane.pb"))  # TensorBoard's profile is kept
