"""A run's checkpoints: their format, the files kept beside them, and the directory they live in.

- `weights`: Keras's weights files of model and optimizer and the run's place, written by the
  `WeightsCheckpoint` callback of every `fit` run on every backend, read by `restore_weights`;
  `loadable_weights` says whether a directory holds one to resume.
- `files`: what every run keeps beside its checkpoints (`history.json`: the History and the
  stateful callbacks' states) and which files are a run's own.
- `tensorflow_checkpoint`: TensorFlow's checkpoints, for the project's multi-worker loop only.
- `directory`: the lock that keeps a second run out of a directory, its cleanup, and the check
  of a resume.
"""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.checkpoints.directory import CheckpointDirectory, check_resume
    from components.checkpoints.files import (
        checkpoint_files,
        has_checkpoint,
        load_history,
        restore_callback_states,
        save_history,
        stateful_callbacks,
    )
    from components.checkpoints.tensorflow_checkpoint import (
        checkpoint_manager,
        loadable_checkpoint,
        training_checkpoint,
    )
    from components.checkpoints.weights import (
        WeightsCheckpoint,
        loadable_weights,
        restore_weights,
    )

_EXPORTS = {
    "CheckpointDirectory": "components.checkpoints.directory",
    "WeightsCheckpoint": "components.checkpoints.weights",
    "check_resume": "components.checkpoints.directory",
    "checkpoint_files": "components.checkpoints.files",
    "checkpoint_manager": "components.checkpoints.tensorflow_checkpoint",
    "has_checkpoint": "components.checkpoints.files",
    "load_history": "components.checkpoints.files",
    "loadable_checkpoint": "components.checkpoints.tensorflow_checkpoint",
    "loadable_weights": "components.checkpoints.weights",
    "restore_callback_states": "components.checkpoints.files",
    "restore_weights": "components.checkpoints.weights",
    "save_history": "components.checkpoints.files",
    "stateful_callbacks": "components.checkpoints.files",
    "training_checkpoint": "components.checkpoints.tensorflow_checkpoint",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = [
    "CheckpointDirectory",
    "WeightsCheckpoint",
    "check_resume",
    "checkpoint_files",
    "checkpoint_manager",
    "has_checkpoint",
    "load_history",
    "loadable_checkpoint",
    "loadable_weights",
    "restore_callback_states",
    "restore_weights",
    "save_history",
    "stateful_callbacks",
    "training_checkpoint",
]
