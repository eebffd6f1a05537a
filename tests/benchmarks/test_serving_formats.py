"""The serving-formats benchmark (benchmarks/serving_formats.py) end to end, as a smoke run:
`--quick` (one round, a few calls, lenet5_bn and its 2-member ensemble) in a subprocess, and
the JSON it writes."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT, tensorflow_backend_only

pytestmark = tensorflow_backend_only  # the SavedModel is TensorFlow's: once, in the TF pass
pytest.importorskip("onnxruntime")
pytest.importorskip("ai_edge_litert")
pytest.importorskip("tf2onnx")

FORMATS = ("saved_model", "onnx", "litert")
FIGURES = ("batch1_median_ms", "batch1_p99_ms", "batch256_images_per_s")


@pytest.fixture(scope="module")
def quick_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    script = REPO_ROOT / "benchmarks" / "serving_formats.py"
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}  # a SavedModel is TensorFlow's
    done = subprocess.run(
        [sys.executable, str(script), "--quick", "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((out / "serving_formats_quick.json").read_text()), done.stdout


def test_every_model_and_format_is_measured(quick_result):
    result, _ = quick_result
    assert result["models"] == ["lenet5_bn", "ensemble-2xlenet5_bn"]
    rows = {(row["model"], row["format"]): row for row in result["rows"]}
    assert set(rows) == {(m, f) for m in result["models"] for f in FORMATS}
    assert len(result["rows"]) == len(rows)
    for row in result["rows"]:
        for key in FIGURES:
            assert math.isfinite(row[key]) and row[key] > 0, (row, key)
        assert row["batch1_p99_ms"] >= row["batch1_median_ms"]
    assert math.isfinite(result["matmul_gflops"]) and result["matmul_gflops"] > 0


def test_ratios_are_to_the_saved_model_of_the_same_model(quick_result):
    result, _ = quick_result
    reference = {row["model"]: row for row in result["rows"] if row["format"] == "saved_model"}
    for row in result["rows"]:
        saved = reference[row["model"]]
        latency = row["batch1_median_ms"] / saved["batch1_median_ms"]
        throughput = row["batch256_images_per_s"] / saved["batch256_images_per_s"]
        assert row["latency_ratio"] == pytest.approx(latency, abs=6e-4)
        assert row["throughput_ratio"] == pytest.approx(throughput, abs=6e-4)
        if row["format"] == "saved_model":
            assert row["latency_ratio"] == row["throughput_ratio"] == 1.0


def test_the_markdown_table_is_printed(quick_result):
    result, stdout = quick_result
    assert "| model | format | batch-1 median ms |" in stdout
    for row in result["rows"]:
        assert f"| {row['model']} | {row['format']} |" in stdout
