"""The callbacks of a training run, on any backend: logs, NaN stop, best epoch, plateau decay,
checkpoints, the gradient and activation monitors, and the pause.

The run's fit (`components.training.fitting`) takes its callbacks from here on every backend;
Keras's fit checkpoints with a `WeightsCheckpoint`, the multi-worker loop with itself.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NamedTuple

import keras

from components.callbacks import (
    ActivationMonitor,
    AveragedWeightsValidation,
    BestWeights,
    GradientMonitor,
    LearningRateLogger,
    PauseEveryNSteps,
    StopOnSignal,
    default_controller,
)
from components.checkpoints.files import stateful_callbacks
from components.installed import is_installed
from components.schedules import plateau_callback
from components.training.config import TrainConfig


class RunCallbacks(NamedTuple):
    """The callbacks of a run, and those of them the run itself talks to.

    Args:
        callbacks: all of them, in the order Keras calls them.
        monitors: the gradient and activation monitors, by name.
        pause: the pause callback, or None.
        best: the best-epoch weights of `restore_best` (the run puts them back at its end),
            or None.
        signal_stop: ends the fit at a step boundary on SIGTERM or SIGINT, with a checkpoint
            (None under several workers, whose steps a signal does not reach together).
    """

    callbacks: list
    monitors: dict
    pause: PauseEveryNSteps | None
    best: BestWeights | None
    signal_stop: StopOnSignal | None


def run_callbacks(
    config: TrainConfig,
    look: Callable[[], tuple],
    accuracy_key: str,
    *,
    checkpoint=None,
    strategy=None,
    chief: bool = True,
    say: Callable = print,
) -> RunCallbacks:
    """The run's callbacks (`RunCallbacks`). The checkpoint callback, if given, comes after
    the stateful ones (best weights, plateau decay) and keeps their states at every epoch end.

    Args:
        config: the resolved run settings.
        look: gives the `(x, y)` NumPy batch the monitors look at (called only if needed).
        accuracy_key: the logged name of the main head's validation accuracy.
        checkpoint: the run's checkpoints, which the pause and the gradient monitor save
            through (`TrainingLoopHooks`): a `WeightsCheckpoint` (a callback: it joins the
            list) or the project's `DistributedTrainer` (it saves itself); None: none.
        strategy: the tf.distribute strategy a pause broadcasts its decision over.
        chief: this worker writes logs and asks at pauses.
        say: prints where the chief speaks.
    """
    control, output = config.control, config.output
    callbacks = []
    if chief and is_installed("tensorflow"):  # TensorBoard's files are TensorFlow's format
        say(f"TensorBoard logs: {output.log_dir}  (tensorboard --logdir {output.log_dir})")
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(output.log_dir)))
    elif chief:
        say("TensorBoard logs need TensorFlow, not installed: the history is in the metadata.")
    callbacks.append(LearningRateLogger())
    if config.optimization.ema_momentum:  # before the callbacks that read validation figures
        callbacks.append(AveragedWeightsValidation())
    # A NaN or infinite loss ends the run at that step (Keras's own); nothing is exported.
    callbacks.append(keras.callbacks.TerminateOnNaN())
    best = None
    if control.restore_best:  # its weights go back at the run's end, after every fit call
        best = BestWeights(accuracy_key, mode="max", restore_on_train_end=False)
        callbacks.append(best)
    if config.optimization.lr_schedule == "plateau":
        callbacks.append(plateau_callback("val_loss" if config.data.val_split else "loss"))
    if isinstance(checkpoint, keras.callbacks.Callback):  # the project's loop saves itself
        # After the stateful callbacks: at an epoch end it saves what they have just updated.
        checkpoint.keep_states_of(stateful_callbacks(callbacks))
        callbacks.append(checkpoint)
    monitors = {}
    if control.monitor:
        x_look, y_look = look()
        if "gradients" in control.monitor:
            monitors["gradients"] = GradientMonitor(
                (x_look, y_look),
                every=control.monitor_every,
                log_dir=str(output.log_dir / "gradients"),
                csv_path=str(output.log_dir / "gradients.csv") if chief else None,
                checkpoint=checkpoint,  # on NaN: the last good weights
                chief=chief,
            )
        if "activations" in control.monitor:
            monitors["activations"] = ActivationMonitor(
                x_look,
                every=control.monitor_every,
                log_dir=str(output.log_dir / "activations"),
                chief=chief,
            )
        callbacks.extend(monitors.values())
        say(f"Monitoring {', '.join(monitors)} every {control.monitor_every} steps.")
    pause = None
    if control.pause_every:
        decider = control.pause_control or ("prompt" if sys.stdin.isatty() else "auto")
        timeouts = {
            "timeout": control.pause_timeout,
            "on_timeout": control.pause_on_timeout,
        }
        controller = default_controller(
            decider, path=control.pause_file, **(timeouts if decider == "file" else {})
        )
        pause = PauseEveryNSteps(
            control.pause_every,
            controller=controller,
            checkpoint=checkpoint,
            strategy=strategy,
            chief=chief,
        )
        callbacks.append(pause)
        say(f"Pausing every {control.pause_every} steps; decisions by: {decider}.")
    signal_stop = None
    if strategy is None or "MultiWorker" not in type(strategy).__name__:
        signal_stop = StopOnSignal(checkpoint)
        callbacks.append(signal_stop)
    return RunCallbacks(callbacks, monitors, pause, best, signal_stop)


__all__ = ["RunCallbacks", "run_callbacks"]
