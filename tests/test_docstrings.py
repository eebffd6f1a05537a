"""Every docstring example of `components` and `zoo` runs, as Keras's own do.

An example that needs data, another export or minutes says so and is marked `+SKIP`; all others
run here, in a temporary directory, with `keras`, `np`, `tf` and `zoo` at hand.
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import keras
import numpy as np
import pytest
import tensorflow as tf

import zoo

PACKAGES = ("components", "zoo")
NOT_IMPORTABLE = ("zoo.cli.__main__",)  # runs the command line on import


def _module_names() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [info.name for info in pkgutil.walk_packages(path, prefix=f"{package}.")]
    return sorted(name for name in names if name not in NOT_IMPORTABLE)


def _examples(name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(name)
    globs = {"keras": keras, "np": np, "tf": tf, "zoo": zoo}
    # The finder keeps what the module defines; re-exported names are checked in their own.
    return doctest.DocTestFinder(exclude_empty=True).find(module, name, extraglobs=globs)


MODULES = _module_names()


def test_the_examples_are_found():
    counted = sum(len(t.examples) for name in MODULES for t in _examples(name))
    assert counted > 120


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    report = io.StringIO()
    for test in _examples(name):
        runner.run(test, out=report.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, report.getvalue()
