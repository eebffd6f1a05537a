"""What a training run leaves: `TrainResult`, and the digest of its final weights."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import shlex
from pathlib import Path

import keras

from components.callbacks.pause import PauseEveryNSteps
from components.data.preprocessing import Preprocessing
from components.export.metadata import Metrics
from components.training.config import TrainConfig


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
        stopped_at_step: the step a pause or a NaN stopped the run at (None: it finished).
        checkpoint_dir: where the run's checkpoints are (removed once it finished).
        monitors: the gradient and activation monitors, by name.
        pause: the pause callback, if any (its decisions).
        weights_sha256: a digest of the final weights (equal on every worker).
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

    @property
    def completed(self) -> bool:
        """Whether the run trained to its last epoch and exported."""
        return self.stopped_at_step is None

    def stop_early(self, last_loss: float) -> str | None:
        """Sets `stopped_at_step` and returns why, if a pause's decision, a NaN found by the
        gradient monitor or a non-finite loss (Keras's TerminateOnNaN) ended the fit before
        its last epoch; else None. Both runs (TensorFlow's and Keras's fit elsewhere) ask it.

        Args:
            last_loss: the training loss last logged, of the epoch the fit ended in (stopped
                part-way, too).
        """
        nan_stop = (
            "gradients" in self.monitors and self.monitors["gradients"].nan_layer is not None
        )
        paused = self.pause is not None and self.pause.stopped_at_step is not None
        bad_loss = not math.isfinite(last_loss)
        if not (nan_stop or paused or bad_loss):
            return None
        stopped = self.pause.stopped_at_step if paused else None
        self.stopped_at_step = stopped or int(
            keras.ops.convert_to_numpy(self.model.optimizer.iterations)
        )
        if nan_stop:
            return "NaN/Inf (GradientMonitor)"
        if bad_loss:
            return (
                f"a non-finite loss ({last_loss}; the newest checkpoints may hold non-finite "
                "weights: a lower --lr, or resume from an older ckpt-*)"
            )
        return "decision"

    @property
    def resume_command(self) -> str:
        """The command that continues this run from its checkpoint."""
        command = list(self.config.command or ("classiczoo", "train"))
        return shlex.join(command if "--resume" in command else [*command, "--resume"])


def weights_digest(model: keras.Model) -> str:
    """sha256 of all weights' bytes (16 hex digits): equal on every worker when in sync."""
    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(keras.ops.convert_to_numpy(weight).tobytes())
    return digest.hexdigest()[:16]


__all__ = ["TrainResult", "weights_digest"]
