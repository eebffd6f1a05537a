"""A quiet console: TensorFlow's C++ start-up lines hidden unless the user asks for them.

Importing TensorFlow on a machine without a GPU prints a dozen lines from its C++ runtime
(oneDNN, "Could not find cuda drivers", CPU instructions, and "failed call to cuInit: ... UNKNOWN
ERROR (303)" once devices are listed), several before absl's logging is initialized, where
`TF_CPP_MIN_LOG_LEVEL` cannot reach them. They read as failures. `quiet_tensorflow` imports
TensorFlow and lists its devices with the process's stderr captured, drops the lines in
TensorFlow's C++ log format and passes every other line on; afterwards `TF_CPP_MIN_LOG_LEVEL=2`
keeps later INFO and WARNING lines away (errors still show). A user who sets
`TF_CPP_MIN_LOG_LEVEL=0` or passes `--verbose` to a command sees everything, as without this
module. Neither TensorFlow nor absl offers a switch for the lines before `InitializeLog`.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from typing import TextIO

from components.installed import is_installed

LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
# Set beside TF_CPP_MIN_LOG_LEVEL when this module chose the level, so that a child process
# (a worker of `classiczoo launch`) hides its start-up lines too instead of taking the level
# for the user's.
QUIET_MARKER_VARIABLE = "CLASSICZOO_QUIET_TENSORFLOW"
QUIET_LOG_LEVEL = "2"

_NOISE = (
    # glog/absl format: severity letter, MMDD, time, thread id, file:line]
    re.compile(r"^[IWE]\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] "),
    re.compile(r"^WARNING: All log messages before absl::InitializeLog\(\) is called"),
    re.compile(r"^To enable the following instructions: .*compiler flags\.$"),
)


# Lines TensorFlow's C++ runtime prints while a run goes on that report no problem of the run:
# a deterministic run's tf.data rewrite (a parallel map made sequential) copies an attribute the
# sequential op lacks (TensorFlow 2.21, `node_def_util.cc`); the map runs as it should.
_RUNTIME_NOISE = (re.compile(r"NodeDef mentions attribute use_unbounded_threadpool "),)


def is_runtime_noise(line: str) -> bool:
    """Whether `line` is one of the harmless lines TensorFlow prints while a run goes on.

    Example:
    >>> is_runtime_noise("E0000 00:00:17.09 26891 node_def_util.cc:682] NodeDef mentions "
    ...                  "attribute use_unbounded_threadpool which is not in the op definition")
    True
    """
    return any(pattern.search(line) for pattern in _RUNTIME_NOISE)


@contextlib.contextmanager
def filtered_stderr(drop=is_runtime_noise):
    """Within the block, the process's file descriptor 2 goes through a pipe whose lines are
    written on to the real stderr as they come, but those `drop` accepts: C++ code writes to
    the descriptor, which no Python logging setting reaches.

    Example:
    >>> with filtered_stderr(lambda line: line.startswith("noise")):
    ...     pass  # doctest: +SKIP
    """
    sys.stderr.flush()
    saved = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)

    def forward():
        with os.fdopen(read_end, "rb", buffering=0) as lines:
            for line in iter(lines.readline, b""):
                if not drop(line.decode(errors="replace")):
                    os.write(saved, line)

    thread = threading.Thread(target=forward, name="filtered-stderr", daemon=True)
    thread.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last writer here closes: the thread reads to its end
        # A child process that still holds the pipe (a launcher's worker) keeps it open: the
        # thread goes on forwarding for it, and the process does not wait.
        thread.join(timeout=2)
        if not thread.is_alive():
            os.close(saved)


def is_startup_noise(line: str) -> bool:
    """Whether `line` is one of TensorFlow's C++ log lines (or the notes that come with them).

    Example:
    >>> is_startup_noise("E0000 00:00:1795481136.428000    2449 cuda_platform.cc:52] "
    ...                  "failed call to cuInit: UNKNOWN ERROR (303)")
    True
    >>> is_startup_noise("Traceback (most recent call last):")
    False
    """
    return any(pattern.match(line) for pattern in _NOISE)


def user_wants_tensorflow_logs(verbose: bool = False) -> bool:
    """True when `verbose`, or when the user (not this module) set `TF_CPP_MIN_LOG_LEVEL=0`.

    Only 0 (every line) counts: importing JAX (TensorFlow imports it where it is installed)
    sets the variable to 1 in the process's environment, and every process started from
    there would otherwise take it for the user's wish.
    """
    user_set = os.environ.get(LOG_LEVEL_VARIABLE) == "0" and not os.environ.get(
        QUIET_MARKER_VARIABLE
    )
    return verbose or user_set


@contextlib.contextmanager
def captured_stderr_lines(keep=lambda line: True):
    """Captures the process's file descriptor 2 (C++ code writes there, not to `sys.stderr`)
    within the block; afterwards writes the captured lines that `keep` accepts to stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode(errors="replace").splitlines()
            kept = [line for line in lines if keep(line)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")
                sys.stderr.flush()


def quiet_tensorflow(verbose: bool = False) -> None:
    """Imports TensorFlow (and lists its devices) with its C++ start-up lines hidden.

    Call it first thing in a command, before anything imports TensorFlow or Keras. It does
    nothing where `user_wants_tensorflow_logs(verbose)`, or where TensorFlow is imported
    already (its start-up lines are printed by then).

    Args:
        verbose: show TensorFlow's lines (a command's `--verbose`).
    """
    if user_wants_tensorflow_logs(verbose) or "tensorflow" in sys.modules:
        return
    if not is_installed("tensorflow"):
        return  # a Keras install without TensorFlow (JAX backend): nothing to quiet
    os.environ[LOG_LEVEL_VARIABLE] = QUIET_LOG_LEVEL
    os.environ[QUIET_MARKER_VARIABLE] = "1"
    with captured_stderr_lines(keep=lambda line: not is_startup_noise(line)):
        import tensorflow as tf

        # Listing physical devices runs cuInit (its error line) without creating the eager
        # context, so a MultiWorkerMirroredStrategy can still be made afterwards.
        tf.config.list_physical_devices()


def progress_verbosity(stream: TextIO | None = None) -> int:
    """Keras's `verbose` for a training run or an evaluation pass: 1 (a live progress bar) on a
    terminal, 2 (one line per epoch or pass) when the output goes to a file or a pipe.

    Keras's `verbose="auto"` is 1 everywhere (its progress bar takes any POSIX system for a
    live display), so a background run's log, `classiczoo train ... > run.log`, would get a
    rewritten bar per step: megabytes per epoch. Keras's own advice for runs not watched live
    is `verbose=2`.

    Args:
        stream: where the progress goes; `sys.stdout` when None.

    Example:
    >>> import io
    >>> progress_verbosity(io.StringIO())
    2
    """
    stream = sys.stdout if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return 1 if callable(isatty) and isatty() else 2


__all__ = [
    "LOG_LEVEL_VARIABLE",
    "QUIET_MARKER_VARIABLE",
    "captured_stderr_lines",
    "filtered_stderr",
    "is_runtime_noise",
    "is_startup_noise",
    "progress_verbosity",
    "quiet_tensorflow",
    "user_wants_tensorflow_logs",
]
