"""Loading a benchmark script (benchmarks/<name>.py) as a module, for the tests of its parts."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture
def load_benchmark(monkeypatch):
    """`load_benchmark(name)`: the module of `benchmarks/<name>.py`, with `benchmarks/` on the
    path for its `from harness import`."""

    def load(name: str):
        monkeypatch.syspath_prepend(str(REPO_ROOT / "benchmarks"))
        path = REPO_ROOT / "benchmarks" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
