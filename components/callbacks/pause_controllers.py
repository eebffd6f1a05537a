"""Who answers a training pause: a person at a terminal, a control file, or a fixed policy."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from components.callbacks.pause_commands import HELP, Decision, parse_command


class AutoController:
    """Never asks: always continues (for batch runs and CI); the pause is still logged."""

    def decide(self, status: str) -> Decision:
        print(status + "\nNon-interactive: continuing.", flush=True)
        return Decision(source="auto")


def read_line(prompt: str) -> str:
    """Writes the prompt to stdout (where the status went; `input` may use stderr) and reads."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line


class TerminalController:
    """Asks at the terminal and reads one line; bad answers are refused and asked again.

    Args:
        input_fn: reads a line given a prompt (default: prompt on stdout, read stdin).
    """

    def __init__(self, input_fn=read_line):
        self.input_fn = input_fn

    def decide(self, status: str) -> Decision:
        print(status + "\n" + HELP, flush=True)
        while True:
            try:
                answer = self.input_fn("pause> ")
            except EOFError:  # the terminal went away: keep training rather than lose it
                print("No input (EOF): continuing.", flush=True)
                return Decision(source="prompt")
            try:
                return parse_command(answer, source="prompt")
            except ValueError as err:
                print(f"Refused: {err}", flush=True)


# A command is one short line; a bigger file is refused unread, and no message echoes more
# than MAX_ECHO characters of it.
MAX_COMMAND_BYTES = 4096
MAX_ECHO = 300


class FileController:
    """Waits for a control file, for background jobs, notebooks and clusters.

    At a pause the job prints the file's path and waits until the file exists; it then reads
    one command from it (the same words as at the prompt: `continue`, `continue 200`,
    `every 1000`, `lr=0.01`, `momentum=0.9`, `stop`) and deletes it. The command is taken once
    it is complete: a line ending in a newline (as `echo` writes it), or text left unchanged for
    one poll interval (`printf stop`), so a file caught half-written is never read. A bad
    command is refused: the message is printed and written to `<path>.error`, and the job waits
    for a new file.

    Args:
        path: the control file.
        timeout: seconds to wait (None: forever).
        on_timeout: `"continue"` or `"stop"` when nobody answers in time.
        poll_seconds: how often to look for the file.
    """

    def __init__(
        self,
        path: str | Path,
        timeout: float | None = None,
        on_timeout: str = "continue",
        poll_seconds: float = 0.5,
    ):
        if on_timeout not in ("continue", "stop"):
            raise ValueError(f"on_timeout must be 'continue' or 'stop', got {on_timeout!r}.")
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must be >= 0 seconds or None, got {timeout}.")
        self.path = Path(path)
        if not self.path.parent.is_dir():
            raise ValueError(
                f"The control file's directory {self.path.parent} does not exist: make it, or "
                "give a --pause-file in a directory that does (the job would wait forever)."
            )
        self.timeout = timeout
        self.on_timeout = on_timeout
        self.poll_seconds = poll_seconds

    def _read(self) -> str | ValueError:
        """The file's text, or the reason it is no command: too big, or not UTF-8 text."""
        size = self.path.stat().st_size
        if size > MAX_COMMAND_BYTES:
            return ValueError(
                f"{self.path} holds {size} bytes: a command is one short line (at most "
                f"{MAX_COMMAND_BYTES} bytes)."
            )
        data = self.path.read_bytes()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return ValueError(f"{self.path} is not text (UTF-8): write a command such as stop.")

    def decide(self, status: str) -> Decision:
        error_path = self.path.with_name(self.path.name + ".error")
        waiting = f"waiting up to {self.timeout:g} s" if self.timeout is not None else "waiting"
        print(
            f"{status}\nWrite a command to {self.path} ({waiting}; then {self.on_timeout}). "
            f"{HELP}",
            flush=True,
        )
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while deadline is None or time.monotonic() < deadline:
            text = self._read() if self.path.is_file() else None
            # A file read while it is being written (created empty, then filled) must not be
            # taken: a command counts once it ends with a newline, or once the file has not
            # been modified for a poll interval.
            if text is not None and (
                isinstance(text, Exception)
                or text.endswith("\n")
                or time.time() - self.path.stat().st_mtime >= self.poll_seconds
            ):
                self.path.unlink()
                try:
                    if isinstance(text, Exception):
                        raise text
                    decision = parse_command(text, source="file")
                except ValueError as err:
                    message = str(err)[:MAX_ECHO]  # never echo a whole file back
                    print(f"Refused: {message}", flush=True)
                    error_path.write_text(f"{message}\n")
                    continue
                error_path.unlink(missing_ok=True)
                return decision
            time.sleep(self.poll_seconds)
        print(f"No command in {self.timeout:g} s: {self.on_timeout}.", flush=True)
        return Decision(action=self.on_timeout, source="timeout")


def default_controller(kind: str = "auto", path: str | Path | None = None, **kwargs):
    """`prompt` (a terminal), `file` (needs `path`) or `auto`."""
    if kind == "prompt":
        if not sys.stdin.isatty():
            raise ValueError("--pause-control prompt needs a terminal on stdin; use file or auto.")
        return TerminalController()
    if kind == "file":
        if path is None:
            raise ValueError("The file controller needs a path.")
        return FileController(path, **kwargs)
    if kind == "auto":
        return AutoController()
    raise ValueError(f"Unknown pause control {kind!r}. Valid: prompt, file, auto.")
