"""The quiet console: TensorFlow's C++ start-up lines hidden, everything else kept."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from components.console import (
    LOG_LEVEL_VARIABLE,
    QUIET_MARKER_VARIABLE,
    captured_stderr_lines,
    is_startup_noise,
    progress_verbosity,
    user_wants_tensorflow_logs,
)

# What TensorFlow 2.21 prints at start-up on a machine without a GPU (seen on this machine).
STARTUP_LINES = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795481133.203108    2449 port.cc:153] oneDNN custom operations are on. You "
    "may see slightly different numerical results due to floating-point round-off errors.",
    "I0000 00:00:1795481133.203391    2449 cudart_stub.cc:31] Could not find cuda drivers on "
    "your machine, GPU will not be used.",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
    "TensorFlow with the appropriate compiler flags.",
    "E0000 00:00:1795481136.428000    2449 cuda_platform.cc:52] failed call to cuInit: "
    "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
]


@pytest.mark.parametrize("line", STARTUP_LINES)
def test_startup_lines_are_recognized(line):
    assert is_startup_noise(line)


@pytest.mark.parametrize(
    "line",
    [
        "Traceback (most recent call last):",
        "ValueError: Unknown dataset 'fasion_mnist'.",
        "Epoch 1/3",
        "I think this is fine",
    ],
)
def test_other_lines_are_not(line):
    assert not is_startup_noise(line)


def test_captured_lines_are_filtered_and_the_rest_passed_on(capfd):
    with captured_stderr_lines(keep=lambda line: not is_startup_noise(line)):
        for line in [STARTUP_LINES[1], "a real warning", STARTUP_LINES[4]]:
            os.write(2, (line + "\n").encode())  # as C++ code writes: to the descriptor
    assert capfd.readouterr().err == "a real warning\n"


def test_the_users_log_level_wins(monkeypatch):
    monkeypatch.delenv(LOG_LEVEL_VARIABLE, raising=False)
    monkeypatch.delenv(QUIET_MARKER_VARIABLE, raising=False)
    assert not user_wants_tensorflow_logs()
    assert user_wants_tensorflow_logs(verbose=True)
    monkeypatch.setenv(LOG_LEVEL_VARIABLE, "0")
    assert user_wants_tensorflow_logs()
    monkeypatch.setenv(QUIET_MARKER_VARIABLE, "1")  # the level was the quiet console's own
    assert not user_wants_tensorflow_logs()
    monkeypatch.delenv(QUIET_MARKER_VARIABLE)
    monkeypatch.setenv(LOG_LEVEL_VARIABLE, "1")  # what importing JAX sets in the environment
    assert not user_wants_tensorflow_logs()


def _models_list(*flags, env=None):
    return subprocess.run(
        [sys.executable, "-m", "zoo.cli", *flags, "models", "list", "lenet5"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_a_command_is_quiet_and_verbose_shows_tensorflows_lines(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in (LOG_LEVEL_VARIABLE,)}
    quiet = _models_list(env=env)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert "lenet5" in quiet.stdout and "61,706" in quiet.stdout
    assert not any(is_startup_noise(line) for line in quiet.stderr.splitlines()), quiet.stderr
    verbose = _models_list("--verbose", env=env)
    assert verbose.returncode == 0
    assert any(is_startup_noise(line) for line in verbose.stderr.splitlines())


def test_progress_is_a_live_bar_on_a_terminal_and_a_line_per_epoch_elsewhere(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    assert progress_verbosity(Terminal()) == 1
    with open(tmp_path / "run.log", "w") as log_file:
        assert progress_verbosity(log_file) == 2
    assert progress_verbosity(object()) == 2  # a stream without isatty: not a terminal


def test_filtered_stderr_drops_only_the_noise_of_cpp_writers():
    # A child process: there Python's sys.stderr writes to descriptor 2 as in a command (under
    # pytest's capture it writes to the capture file directly, racing the pipe's thread
    # mid-line).
    script = (
        "import os, sys\n"
        "from components.console import filtered_stderr\n"
        "with filtered_stderr(lambda line: 'noise' in line):\n"
        "    os.write(2, b'noise from C++\\nkept line\\n')\n"  # descriptor 2, as C++ writes
        "    print('a Python warning', file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == ["kept line", "a Python warning"]


@pytest.mark.e2e
def test_a_deterministic_augmented_run_on_a_fresh_data_dir_has_a_clean_stderr(
    fashion_mnist_files, tmp_path
):
    # A fresh tfds dir: Fashion-MNIST is prepared offline first (absl's "Variant folder ...
    # has no dataset_info.json" came then), and a deterministic augmented run's tf.data rewrite
    # printed "NodeDef mentions attribute use_unbounded_threadpool ...".
    env = {k: v for k, v in os.environ.items() if k != LOG_LEVEL_VARIABLE}
    run = subprocess.run(
        [sys.executable, "-m", "zoo.cli", "train", "--model=lenet5_bn", "--epochs=1",
         "--train-split=train[:512]", "--test-split=test[:128]", "--augment=flip",
         "--deterministic", f"--data-dir={tmp_path / 'tfds'}",
         f"--export-dir={tmp_path / 'e'}", f"--log-dir={tmp_path / 'l'}",
         f"--checkpoint-dir={tmp_path / 'c'}"],
        capture_output=True, text=True, timeout=600, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Preparing fashion_mnist" in run.stdout + run.stderr  # the preparation did run
    assert "Variant folder" not in run.stderr and "use_unbounded_threadpool" not in run.stderr
    assert run.stderr.strip() == "", run.stderr[-3000:]
