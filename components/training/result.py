"""What a training run leaves: `TrainResult`, and the digest of its final weights.

A run that stops before its last epoch says why, where its checkpoint is and the command that
continues it, and `classiczoo train` exits with the code of why (`EXIT_CODES`): 0 only when
the run trained and exported what was asked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import shlex
import signal
from pathlib import Path

import keras

from components.callbacks.pause import PauseEveryNSteps
from components.callbacks.signal_stop import StopOnSignal
from components.data.preprocessing import Preprocessing
from components.export.metadata import Metrics
from components.training.config import TrainConfig

# Why a run stopped early, and the exit code `classiczoo train` ends with; a signal's is
# 128 + its number (SIGINT 130, SIGTERM 143), as the shell's.
EXIT_CODES = {"diverged": 3, "paused": 4}


@dataclasses.dataclass
class TrainResult:
    """What a training run leaves.

    Args:
        config: the run's config, resolved (the model's defaults filled in).
        history: Keras's per-epoch History (`loss`, `accuracy`, `val_*`, `learning_rate`).
        metrics: train, validation and test figures (None if the run stopped early).
        export_dir: the SavedModel's version directory (None if the run stopped early).
        model: the trained model; the inference model (main head only) once finished.
        preprocessing: the normalization the model expects (also in the export's graph).
        stopped_at_step: the step a pause, a NaN or a signal stopped the run at (None: it
            finished).
        checkpoint_dir: where the run's checkpoints are (removed once it finished).
        monitors: the gradient and activation monitors, by name.
        pause: the pause callback, if any (its decisions).
        weights_sha256: a digest of the final weights (equal on every worker).
        signal_stop: the callback that stopped the run at a signal, if any.
        stopped_by: why it stopped early: `diverged`, `paused` or a signal's name
            (`SIGTERM`); None: it finished.
    """

    config: TrainConfig
    history: dict[str, list[float]]
    metrics: Metrics | None
    export_dir: Path | None
    model: keras.Model
    preprocessing: Preprocessing
    stopped_at_step: int | None
    checkpoint_dir: Path
    monitors: dict
    pause: PauseEveryNSteps | None
    weights_sha256: str
    signal_stop: StopOnSignal | None = None
    stopped_by: str | None = None

    @property
    def completed(self) -> bool:
        """Whether the run trained to its last epoch and exported."""
        return self.stopped_at_step is None

    def stop_early(self, last_loss: float) -> str | None:
        """Sets `stopped_at_step` and `stopped_by` and returns the words that say why, if a
        signal, a pause's decision, a NaN found by the gradient monitor or a non-finite loss
        (Keras's TerminateOnNaN) ended the fit before its last epoch; else None. Both runs
        (TensorFlow's and Keras's fit elsewhere) ask it.

        Args:
            last_loss: the training loss last logged, of the epoch the fit ended in (stopped
                part-way, too).
        """
        nan_stop = (
            "gradients" in self.monitors and self.monitors["gradients"].nan_layer is not None
        )
        paused = self.pause is not None and self.pause.stopped_at_step is not None
        signalled = self.signal_stop is not None and self.signal_stop.stopped_at_step is not None
        bad_loss = not math.isfinite(last_loss)
        if not (nan_stop or paused or signalled or bad_loss):
            return None
        stopped = self.signal_stop.stopped_at_step if signalled else None
        stopped = stopped or (self.pause.stopped_at_step if paused else None)
        self.stopped_at_step = stopped or int(
            keras.ops.convert_to_numpy(self.model.optimizer.iterations)
        )
        if signalled:
            self.stopped_by = signal.Signals(self.signal_stop.received).name
            return self.stopped_by
        if nan_stop or bad_loss:
            self.stopped_by = "diverged"
            found = "NaN/Inf (GradientMonitor)" if nan_stop else f"a non-finite loss ({last_loss})"
            return f"{found}; the newest checkpoints may hold non-finite weights"
        self.stopped_by = "paused"
        return "decision"

    def stop_report(self, why: str) -> str:
        """What a stopped run says: why, where its checkpoint is, and how to go on."""
        head = (
            f"Stopped at step {self.stopped_at_step} by {why}; nothing exported; checkpoint in "
            f"{self.checkpoint_dir}."
        )
        if self.stopped_by == "diverged":
            rate = self.config.optimization.learning_rate
            return (
                f"{head} Lower the learning rate (it was {rate:g}) and train again, or resume "
                f"with a lower one:\n  {self.resume_command_with(lr=rate / 10)}"
            )
        return f"{head} Continue with:\n  {self.resume_command}"

    @property
    def exit_code(self) -> int:
        """0 for a finished run; else `EXIT_CODES[stopped_by]`, or 128 + a signal's number."""
        if self.stopped_by is None:
            return 0
        if self.stopped_by in EXIT_CODES:
            return EXIT_CODES[self.stopped_by]
        return 128 + int(signal.Signals[self.stopped_by])

    @property
    def resume_command(self) -> str:
        """The command that continues this run from its checkpoint."""
        return self.resume_command_with()

    def resume_command_with(self, lr: float | None = None) -> str:
        """The command that continues this run from its checkpoint, at learning rate `lr`
        (None: the run's own)."""
        command = list(self.config.command or ("classiczoo", "train"))
        if lr is not None:
            for flag in ("--lr", "--learning-rate"):
                while flag in command:  # `--lr X` given before: replaced
                    at = command.index(flag)
                    del command[at : at + 2]
            command = [c for c in command if not c.startswith("--lr=")]
            command += ["--lr", f"{lr:g}"]
        return shlex.join(command if "--resume" in command else [*command, "--resume"])


def weights_digest(model: keras.Model) -> str:
    """sha256 of all weights' bytes (16 hex digits): equal on every worker when in sync."""
    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(keras.ops.convert_to_numpy(weight).tobytes())
    return digest.hexdigest()[:16]


__all__ = ["EXIT_CODES", "TrainResult", "weights_digest"]
