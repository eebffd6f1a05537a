"""What a run keeps beside its checkpoints, whatever their format, and which files are its own.

At every epoch end a run writes `history.json`: the History of the finished epochs and the
state of its stateful callbacks (those with `get_state`/`set_state`: the best weights of
`--restore-best`, the plateau decay's counters), whose arrays go to `callbacks-<epochs>.npz`
beside it. A resumed run reads both back (`load_history`, `restore_callback_states`). The
checkpoints themselves are Keras's weights files (`components.checkpoints.weights`, every
`fit` run) or TensorFlow's (`components.checkpoints.tensorflow_checkpoint`, the multi-worker
loop); `checkpoint_files` knows both, for the directory's lock and cleanup.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import keras
import numpy as np

from components.atomic_files import atomic_path, strict_json_value, write_text_atomic

# Checkpoints kept per directory: the newest few, enough to step back past a bad one.
MAX_TO_KEEP = 3


def checkpoint_mismatch(checkpoint: str | Path, detail: str) -> ValueError:
    """The error of a checkpoint made by a run with other flags than this one's."""
    return ValueError(
        f"The checkpoint {checkpoint} does not fit this run: resume with the flags it was made "
        f"with (model, optimizer, --lr-schedule, ...). {detail[:300]}"
    )


HISTORY_NAME = "history.json"
# The arrays of the callbacks' states at the end of epoch <epochs> (e.g. the best weights).
CALLBACK_ARRAYS = "callbacks-{epochs}.npz"
# What a run writes there: tf.train.CheckpointManager's state file and each checkpoint's index
# and data, and the per-epoch History of the finished epochs with the callbacks' states.
CHECKPOINT_PATTERNS = (
    "checkpoint",
    "ckpt-*.index",
    "ckpt-*.data-*",
    HISTORY_NAME,
    CALLBACK_ARRAYS.format(epochs="*"),
    # Keras's own weights files and their places in the run, on backends other than
    # TensorFlow (components.checkpoints.weights).
    "ckpt-*.weights.h5",
    "ckpt-*.position.json",
)


def stateful_callbacks(callbacks: Iterable[keras.callbacks.Callback]) -> dict:
    """The callbacks whose state a checkpoint keeps (they have `get_state` and `set_state`),
    by class name."""
    return {
        type(c).__name__: c
        for c in callbacks
        if callable(getattr(c, "get_state", None)) and callable(getattr(c, "set_state", None))
    }


def _is_array_list(value) -> bool:
    return isinstance(value, (list, tuple)) and any(isinstance(v, np.ndarray) for v in value)


def save_history(
    directory: str | Path,
    history: dict[str, list],
    epochs: int,
    callbacks: Mapping[str, keras.callbacks.Callback] | None = None,
) -> None:
    """Writes the History of the first `epochs` finished epochs beside the checkpoints
    (atomically), so that a resumed run reports every epoch, not only those after the resume,
    and the states of `callbacks` (`stateful_callbacks`) at that epoch end. Non-finite values
    are written as null (strict JSON); a state's lists of arrays go to `callbacks-<epochs>.npz`,
    written before the JSON that names it, so the JSON never names a missing file."""
    directory = Path(directory)
    finite = {
        key: [float(v) if math.isfinite(float(v)) else None for v in values[:epochs]]
        for key, values in history.items()
    }
    states, arrays = {}, {}
    for name, callback in (callbacks or {}).items():
        state = {}
        for key, value in callback.get_state().items():
            if _is_array_list(value):
                arrays.update({f"{name}/{key}/{i}": np.asarray(v) for i, v in enumerate(value)})
                state[key] = {"arrays": len(value)}
            else:
                state[key] = strict_json_value(value)
        states[name] = state
    arrays_name = CALLBACK_ARRAYS.format(epochs=epochs) if arrays else None
    if arrays_name:
        with atomic_path(directory / arrays_name) as partial, open(partial, "wb") as file:
            np.savez(file, **arrays)
    payload = {"epochs": epochs, "history": finite, "callbacks": states, "arrays": arrays_name}
    write_text_atomic(directory / HISTORY_NAME, json.dumps(payload, allow_nan=False) + "\n")
    for old in directory.glob(CALLBACK_ARRAYS.format(epochs="*")):
        if old.name != arrays_name:
            old.unlink(missing_ok=True)


def _saved(directory: str | Path) -> dict:
    try:
        saved = json.loads((Path(directory) / HISTORY_NAME).read_text())
        return saved if isinstance(saved, dict) else {}
    except (OSError, ValueError):
        return {}


def load_history(directory: str | Path, epochs: int) -> dict[str, list[float]]:
    """The saved History of the first `epochs` epochs ({} if none was saved, or it is
    unreadable: the run then reports the epochs after the resume only)."""
    history = _saved(directory).get("history")
    if not isinstance(history, dict):
        return {}
    return {
        key: [float("nan") if v is None else float(v) for v in values[:epochs]]
        for key, values in history.items()
        if isinstance(values, list) and len(values) >= epochs
    }


def restore_callback_states(
    directory: str | Path, epochs: int, callbacks: Mapping[str, keras.callbacks.Callback]
) -> list[str]:
    """Gives `callbacks` (`stateful_callbacks`) the states saved at the end of epoch `epochs`;
    returns the names of those restored. States saved at another epoch end are not used (a
    run killed between its epoch-end checkpoint and this file): the names are then missing.
    Call it after the callbacks' `on_train_begin`, which resets them."""
    directory = Path(directory)
    saved = _saved(directory)
    if saved.get("epochs") != epochs or not isinstance(saved.get("callbacks"), dict):
        saved = {"callbacks": {}}
    arrays = {}
    if saved.get("arrays"):
        with np.load(directory / saved["arrays"]) as stored:
            arrays = {key: stored[key] for key in stored.files}
    restored = []
    for name, callback in callbacks.items():
        state = saved["callbacks"].get(name)
        if state is None:
            continue
        callback.set_state(
            {
                key: [arrays[f"{name}/{key}/{i}"] for i in range(value["arrays"])]
                if isinstance(value, dict) and "arrays" in value
                else value
                for key, value in state.items()
            }
        )
        restored.append(name)
    missing = sorted(set(callbacks) - set(restored))
    if missing:  # the run goes on, but says what it could not continue
        print(
            f"No saved state of {', '.join(missing)} at the end of epoch {epochs} in "
            f"{directory}: {'they start' if len(missing) > 1 else 'it starts'} afresh."
        )
    return restored


def checkpoint_files(directory: str | Path) -> list[Path]:
    """The checkpoint files in `directory` (not its other files, not its subdirectories)."""
    directory = Path(directory)
    files = {p for pattern in CHECKPOINT_PATTERNS for p in directory.glob(pattern)}
    return sorted(p for p in files if p.is_file())


def has_checkpoint(directory: str | Path) -> bool:
    """Whether `directory` holds checkpoint files (of a run that did not finish); other files
    do not count."""
    return bool(checkpoint_files(directory))


__all__ = [
    "CALLBACK_ARRAYS",
    "checkpoint_mismatch",
    "CHECKPOINT_PATTERNS",
    "MAX_TO_KEEP",
    "checkpoint_files",
    "HISTORY_NAME",
    "has_checkpoint",
    "load_history",
    "restore_callback_states",
    "save_history",
    "stateful_callbacks",
]
