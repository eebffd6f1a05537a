"""Choosing Keras's backend before Keras loads (`zoo.train(backend=...)`, `--backend`)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import REPO_ROOT

CHOOSE = textwrap.dedent(
    """
    import sys
    from zoo.cli import choose_backend
    choose_backend(sys.argv[1:])
    import keras
    print(keras.backend.backend())
    """
)


def _backend_after(*words: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    done = subprocess.run(
        [sys.executable, "-c", CHOOSE, *words],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


def test_backend_flag_chooses_kerass_backend_before_it_loads():
    assert _backend_after("--model", "lenet5_bn", "--backend", "jax") == "jax"


def test_once_keras_runs_its_backend_is_left_as_it_is(monkeypatch):
    import keras

    from components.backends import choose_keras_backend

    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    choose_keras_backend("jax")
    assert "KERAS_BACKEND" not in os.environ  # Keras is loaded: a run refuses the mismatch
    assert keras.backend.backend() == "tensorflow"
