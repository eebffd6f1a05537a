"""The pause's command language and its controllers (file, terminal through a pty)."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from components.callbacks import Decision, FileController, TerminalController, parse_command
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize(
    "text,expected",
    [
        ("", Decision(source="prompt")),
        ("continue", Decision(source="prompt")),
        ("  C  ", Decision(source="prompt")),
        ("continue 200", Decision(steps=200, source="prompt")),
        ("every 1000", Decision(every=1000, source="prompt")),
        ("lr=0.01", Decision(learning_rate=0.01, source="prompt")),
        ("momentum=0.9 lr=1e-3", Decision(learning_rate=1e-3, momentum=0.9, source="prompt")),
        ("momentum=0", Decision(momentum=0.0, source="prompt")),
        ("STOP", Decision(action="stop", source="prompt")),
    ],
)
def test_valid_commands(text, expected):
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    "text,message",
    [
        ("lr=abc", "lr='abc' is not a number"),
        ("lr=-1", r"lr must be in \(0.0, inf\), got -1"),
        ("lr=nan", "lr must be in"),
        ("momentum=1.5", r"momentum must be in \[0.0, 1.0\)"),
        ("continue -3", "continue K must be a positive integer"),
        ("every 0", "every N must be a positive integer"),
        ("faster please", "Cannot read 'faster please'"),
        ("lr=0.1 lr=0.2", "Cannot read"),
        ("__import__('os').system('touch pwned')", "Cannot read"),
    ],
)
def test_bad_commands_are_refused_with_the_valid_forms(text, message, tmp_path):
    os.chdir(tmp_path)
    with pytest.raises(ValueError, match=message) as info:
        parse_command(text)
    assert "Answer with one of" in str(info.value)
    assert not (tmp_path / "pwned").exists()  # nothing read is executed


def test_file_controller_refuses_then_accepts(tmp_path):
    path = tmp_path / "control"
    controller = FileController(path, timeout=20, poll_seconds=0.05)

    def answer():
        path.write_text("lr=abc\n")
        while path.exists():  # wait until the job read (and refused) it
            time.sleep(0.02)
        time.sleep(0.1)
        path.write_text("lr=0.05 momentum=0.8\n")

    threading.Thread(target=answer, daemon=True).start()
    decision = controller.decide("status")
    assert decision == Decision(learning_rate=0.05, momentum=0.8, source="file")
    assert not path.exists()
    assert not (tmp_path / "control.error").exists()  # cleared after a good answer


def test_file_controller_never_takes_a_half_written_file(tmp_path):
    # The file exists but is still empty (a writer has created it and not yet written): the
    # old controller read that as an empty line, i.e. "continue".
    path = tmp_path / "control"
    path.write_text("")

    def finish_writing():
        time.sleep(0.1)
        path.write_text("lr=0.05\n")

    threading.Thread(target=finish_writing, daemon=True).start()
    controller = FileController(path, timeout=20, poll_seconds=0.3)
    assert controller.decide("s") == Decision(learning_rate=0.05, source="file")
    # Without a final newline (printf), the text is taken once it stays the same for a poll.
    path.write_text("stop")
    assert controller.decide("s") == Decision(action="stop", source="file")
    assert not path.exists()


def test_file_controller_timeout_policy(tmp_path, capsys):
    start = time.monotonic()
    decision = FileController(tmp_path / "c", timeout=0.3, on_timeout="stop").decide("s")
    assert decision == Decision(action="stop", source="timeout")
    assert 0.3 <= time.monotonic() - start < 5
    assert "No command in 0.3 s: stop." in capsys.readouterr().out
    with pytest.raises(ValueError, match="on_timeout must be 'continue' or 'stop'"):
        FileController(tmp_path / "c", on_timeout="pause")


def test_terminal_controller_asks_again_until_valid():
    answers = iter(["lr=-2", "what", "continue 7"])
    decision = TerminalController(input_fn=lambda prompt: next(answers)).decide("s")
    assert decision == Decision(steps=7, source="prompt")


TTY_SCRIPT = textwrap.dedent(
    """
    import keras, numpy as np, tensorflow as tf
    from components.callbacks import PauseEveryNSteps, TerminalController
    from components.optimizers import make_optimizer
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(make_optimizer("sgd", 0.1), "mse")
    pause = PauseEveryNSteps(3, controller=TerminalController())
    x = np.ones((64, 4), "float32")
    model.fit(x, np.zeros((64, 2)), batch_size=8, epochs=2, verbose=0, callbacks=[pause])
    print("RESULT", int(model.optimizer.iterations.numpy()),
          float(model.optimizer.learning_rate.numpy()), pause.stopped_at_step, flush=True)
    """
)


def _read_until(fd, marker: str, timeout: float = 120) -> str:
    text, deadline = "", time.monotonic() + timeout
    while marker not in text:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r} in: {text[-2000:]}")
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            try:
                text += os.read(fd, 4096).decode(errors="replace")
            except OSError:
                break
    return text


def test_terminal_prompt_through_a_pseudo_terminal():
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", TTY_SCRIPT],
        stdin=secondary,
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        cwd=REPO_ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    os.close(secondary)
    try:
        _read_until(main, "pause> ")
        os.write(main, b"lr=abc\n")
        assert "Refused: lr='abc' is not a number" in _read_until(main, "pause> ")
        os.write(main, b"lr=0.5\n")
        assert "Set learning rate 0.5" in _read_until(main, "pause> ")  # the next pause
        os.write(main, b"stop\n")
        out = _read_until(main, "RESULT")
        out += _read_until(main, "\n", timeout=10)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        os.close(main)
    steps, lr, stopped = out.split("RESULT")[1].split()[:3]
    assert (int(steps), float(lr), stopped) == (6, 0.5, "6")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00binary", "is not text \\(UTF-8\\)"),
        (b"x" * 300_000 + b"\n", "holds 300001 bytes: a command is one short line"),
    ],
)
def test_a_binary_or_huge_control_file_is_refused_not_fatal_nor_echoed(
    tmp_path, capsys, content, message
):
    path = tmp_path / "control"
    controller = FileController(path, timeout=20, poll_seconds=0.05)

    def answer():
        path.write_bytes(content)
        while path.exists():  # refused and removed
            time.sleep(0.02)
        time.sleep(0.1)
        path.write_text("stop\n")

    threading.Thread(target=answer, daemon=True).start()
    assert controller.decide("s") == Decision(action="stop", source="file")
    out = capsys.readouterr().out
    assert re.search(message, out) and len(out) < 5000  # the file is never echoed whole


def test_a_control_file_in_a_missing_directory_is_refused(tmp_path):
    with pytest.raises(ValueError, match="directory .*nowhere does not exist"):
        FileController(tmp_path / "nowhere" / "control")
