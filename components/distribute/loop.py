"""A training loop over `strategy.run` that works under every tf.distribute strategy.

Keras 3's `model.fit` fails under `MultiWorkerMirroredStrategy` (keras-team/keras#20585: in the
symbolic build, then in the metrics' cross-replica reduction). This loop avoids both: the model
is built before training, and the loop reduces plain sums (loss, correct predictions, examples)
with `strategy.reduce(SUM)`, which is exact across replicas and workers. It drives Keras
callbacks through `keras.callbacks.CallbackList` (progress bar, History, TensorBoard, the
project's own), validates after each epoch, checkpoints model, optimizer and step every N steps
(only the chief's checkpoints are kept; other workers write to temporary directories that they
remove), resumes from the latest checkpoint, and under MultiWorkerMirroredStrategy runs each
step through `tf.distribute.experimental.PreemptionCheckpointHandler`, which saves and exits
cleanly when a worker is told to stop (SIGTERM).

Under one device it computes what `model.fit` computes (tested: same loss curve). It offers the
pause callback `save_checkpoint` and `retrace` (`components.callbacks.TrainingLoopHooks`).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from components.atomic_files import ensure_free_space
from components.backends import require_tensorflow_backend
from components.checkpoints.files import (
    checkpoint_mismatch,
    load_history,
    restore_callback_states,
    save_history,
    stateful_callbacks,
)
from components.checkpoints.tensorflow_checkpoint import checkpoint_manager
from components.distribute.strategies import peer_error
from components.losses import SoftmaxCrossentropy
from components.metrics import argmax_accuracy
from components.processes import owned_dir_prefix, remove_abandoned_dirs
from components.training.compile import AUX_LOSS_WEIGHT

WORKER_DIR_PREFIX = "ckpt-worker"


def remove_abandoned_worker_dirs() -> list[Path]:
    """Removes the checkpoint directories that killed non-chief workers left in the temporary
    directory (`ckpt-worker<i>-<pid>@<host>-*`, their process gone); returns them."""
    return remove_abandoned_dirs(tempfile.gettempdir(), f"{WORKER_DIR_PREFIX}*-*@*-*")


class DistributedTrainer:
    """Trains a logits-output classifier with a custom loop under `strategy`.

    Create the model and optimizer inside `strategy.scope()` first.

    Args:
        model: outputs logits, or `[logits, aux1, ...]` (auxiliary heads weighted by
            `aux_loss_weight`).
        optimizer: a Keras optimizer (wrapped in a LossScaleOptimizer under mixed_float16).
        strategy: any tf.distribute strategy.
        jit_compile: compile each replica's step with XLA.
        checkpoint_dir: where checkpoints go (None: no checkpoints).
        checkpoint_every: steps between checkpoints (also at every epoch end).
        chief: whether this process is the chief (it alone keeps checkpoints).
        task_id: this worker's index, for its temporary directory.
        aux_loss_weight: weight of each auxiliary head's loss.
        label_smoothing: of training targets `[N, K]` (class ids are never smoothed).

    Example:
    >>> from components.optimizers import make_optimizer
    >>> strategy = tf.distribute.get_strategy()
    >>> with strategy.scope():
    ...     model, optimizer = zoo.create("lenet5_bn"), make_optimizer("adam", 1e-3)
    >>> trainer = DistributedTrainer(model, optimizer, strategy)
    >>> history = trainer.fit(train, epochs=3, validation_data=val)  # doctest: +SKIP
    """

    def __init__(
        self,
        model: keras.Model,
        optimizer: keras.optimizers.Optimizer,
        strategy: tf.distribute.Strategy,
        *,
        jit_compile: bool = False,
        checkpoint_dir: str | Path | None = None,
        checkpoint_every: int | None = None,
        chief: bool = True,
        task_id: int = 0,
        aux_loss_weight: float = AUX_LOSS_WEIGHT,
        label_smoothing: float = 0.0,
    ):
        if checkpoint_every is not None and checkpoint_every <= 0:
            raise ValueError(
                f"checkpoint_every must be a positive integer, got {checkpoint_every}."
            )
        require_tensorflow_backend(
            "The project's tf.distribute loop (DistributedTrainer)",
            "Keras's own fit (zoo.train does it: keras.distribution for several devices)",
        )
        self.model = model
        self.strategy = strategy
        self.chief = chief
        self.aux_loss_weight = aux_loss_weight
        self.checkpoint_every = checkpoint_every
        with strategy.scope():
            if keras.mixed_precision.dtype_policy().name == "mixed_float16" and not isinstance(
                optimizer, keras.optimizers.LossScaleOptimizer
            ):
                optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
            self.optimizer = optimizer
            model.optimizer = optimizer  # what callbacks (TensorBoard's lr, the pause) look at
            # Build the optimizer's slots now, in the strategy's scope, not inside a step.
            self.optimizer.build(model.trainable_variables)
        # Class ids or targets (MixUp, CutMix, label smoothing), as compile_classifier's loss.
        self.loss_fn = SoftmaxCrossentropy(label_smoothing, reduction=None)
        self.resumed_step = 0
        self._last_saved_step = -1
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else None
        self._manager = self._preemption = self._sync_step = None
        # A cluster's workers stop together: a worker's wish to stop (a signal) is a vote
        # summed with the step's other sums, so every worker learns of it at the same step.
        self._agreement = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        self._stop_vote, self._stop_agreed = tf.constant(0.0), False
        if self.checkpoint_dir is not None:
            write_dir = self.checkpoint_dir
            if not chief:  # saved too (collectives need every worker), then thrown away
                remove_abandoned_worker_dirs()
                write_dir = Path(
                    tempfile.mkdtemp(prefix=owned_dir_prefix(f"{WORKER_DIR_PREFIX}{task_id}"))
                )
            self._write_dir = write_dir
            self._manager = checkpoint_manager(model, self.optimizer, write_dir)
            latest = tf.train.latest_checkpoint(str(self.checkpoint_dir))
            if latest:  # every worker restores the chief's checkpoint
                try:
                    self._manager.checkpoint.restore(latest).assert_existing_objects_matched()
                except AssertionError as err:
                    raise checkpoint_mismatch(latest, f"TensorFlow says: {err}") from None
                self.resumed_step = int(self.optimizer.iterations.numpy())
            if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
                self._preemption = tf.distribute.experimental.PreemptionCheckpointHandler(
                    strategy.cluster_resolver, self._manager
                )
        self.jit_compile = jit_compile
        # Running sums (loss, correct, examples, regularization x examples) stay on the device:
        # nothing waits for a step to finish unless a callback reads the logs.
        self._totals = tf.Variable(tf.zeros(4), trainable=False, name="running_sums")
        self.retrace()

    def retrace(self) -> None:
        """(Re)builds the traced steps, e.g. after the optimizer's momentum changed."""
        strategy = self.strategy
        step_fn = tf.function(self._replica_train_step, jit_compile=self.jit_compile)
        eval_fn = tf.function(self._replica_eval_step, jit_compile=self.jit_compile)

        def train_step(iterator, stop_vote):
            *sums, votes = self._reduce(strategy.run(step_fn, (next(iterator), stop_vote)))
            return self._logs(self._totals.assign_add(tf.stack(sums))), votes

        self._train_step = tf.function(train_step)
        self._eval_step = tf.function(lambda it: self._reduce(strategy.run(eval_fn, (next(it),))))

    # -- the math of one replica's step ------------------------------------------------------
    def _losses(self, y, outputs):
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        logits = tf.cast(outputs[0], tf.float32)
        per_example = self.loss_fn(y, logits)
        total = per_example
        for aux in outputs[1:]:
            total = total + self.aux_loss_weight * self.loss_fn(y, tf.cast(aux, tf.float32))
        return total, argmax_accuracy(y, logits)

    def _regularization(self):
        losses = [tf.cast(loss, tf.float32) for loss in self.model.losses]
        return tf.add_n(losses) if losses else tf.constant(0.0)

    def _replica_train_step(self, batch, stop_vote):
        x, y = batch
        with tf.GradientTape() as tape:
            per_example, correct = self._losses(y, self.model(x, training=True))
            # Mean over the *global* batch; summed over replicas by the optimizer's all-reduce.
            loss = tf.nn.compute_average_loss(per_example)
            reg = self._regularization()
            loss += tf.nn.scale_regularization_loss(reg)
            scaled = self.optimizer.scale_loss(loss)
        variables = self.model.trainable_variables
        gradients = tape.gradient(scaled, variables)
        self.optimizer.apply_gradients(zip(gradients, variables, strict=True))
        # Each replica's own copy: a strategy reduces per-replica values only.
        return (*self._sums(per_example, correct, reg), tf.identity(stop_vote))

    def _replica_eval_step(self, batch):
        x, y = batch
        per_example, correct = self._losses(y, self.model(x, training=False))
        return self._sums(per_example, correct, self._regularization())

    @staticmethod
    def _sums(per_example, correct, reg):
        count = tf.cast(tf.shape(per_example)[0], tf.float32)
        return tf.reduce_sum(per_example), tf.reduce_sum(correct), count, reg * count

    def _reduce(self, sums):
        return [self.strategy.reduce(tf.distribute.ReduceOp.SUM, s, axis=None) for s in sums]

    # -- loops -------------------------------------------------------------------------------
    def _distribute(self, dataset: tf.data.Dataset):
        options = tf.data.Options()
        # Every worker reads the dataset and keeps its part of each global batch: the global
        # batches are those of a single worker, whatever the number of files.
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA
        )
        return self.strategy.experimental_distribute_dataset(dataset.with_options(options))

    @staticmethod
    def _logs(sums) -> dict:
        loss_sum, correct, count, reg_sum = (sums[i] for i in range(4))
        return {"loss": (loss_sum + reg_sum) / count, "accuracy": correct / count}

    def evaluate(self, dataset: tf.data.Dataset) -> dict[str, float]:
        """Mean loss (with regularization) and accuracy over a batched dataset."""
        iterator = iter(self._distribute(dataset))
        totals = np.zeros(4)
        for _ in range(int(dataset.cardinality())):
            totals += np.array([float(s) for s in self._eval_step(iterator)])
        return {k: float(v) for k, v in self._logs(totals).items()}

    def sync_moving_statistics(self) -> None:
        """Averages the floating non-trainable variables (BatchNorm's moving mean and variance)
        over all replicas, so every worker holds the same model.

        Each replica updates them from its own part of the batch; without this, the workers of
        a cluster end with different statistics, and what the chief evaluates is not what
        another worker would export. A no-op with one replica.
        """
        if self.strategy.num_replicas_in_sync == 1:
            return
        if self._sync_step is None:
            strategy = self.strategy
            variables = [v for v in self.model.non_trainable_variables if "float" in str(v.dtype)]

            def sync():
                # Each replica's own values, then their mean over all replicas (a collective
                # across the workers of a cluster), written back in cross-replica context:
                # every copy alike. Traced: eager collectives are slow, and TensorFlow warns.
                local = strategy.run(lambda: [tf.identity(v.value) for v in variables])
                mean = tf.distribute.ReduceOp.MEAN
                for variable, values in zip(variables, local, strict=True):
                    variable.assign(strategy.reduce(mean, values, axis=None))

            self._sync_step = tf.function(sync)
        self._sync_step()

    def _run_train_step(self, iterator):
        try:
            if self._preemption is not None:
                return self._preemption.run(self._train_step, iterator, self._stop_vote)
            return self._train_step(iterator, self._stop_vote)
        except (tf.errors.UnavailableError, tf.errors.CancelledError) as err:
            if not self._agreement:
                raise
            # A peer died (killed, out of memory): the step's collectives cannot complete.
            # One line instead of TensorFlow's traceback: what happened and the way back.
            raise ConnectionError(
                f"lost a worker of the cluster ({peer_error(err.message)}); restart every "
                "worker with --resume (classiczoo launch does so itself)"
            ) from None

    @property
    def stop_agreed(self) -> bool:
        """Whether a worker asked to stop and the cluster stopped after this step."""
        return self._stop_agreed

    def agree_to_stop(self) -> bool:
        """Asks to stop training; whether every worker stops at this step (always, outside a
        multi-worker cluster). Under MultiWorkerMirroredStrategy the wish travels with the
        next step's sums, and after that step every worker stops and saves, whichever of
        them was asked (`components.callbacks.StopOnSignal` asks on SIGTERM or SIGINT)."""
        if not self._agreement:
            return True
        self._stop_vote = tf.constant(1.0)
        return self._stop_agreed

    def save_checkpoint(self) -> None:
        """Saves model, optimizer and step (every worker must call it under multi-worker)."""
        step = int(self.optimizer.iterations.numpy())
        if self._manager is not None and step != self._last_saved_step:
            variables = [*self.model.weights, *self.optimizer.variables]
            size = sum(int(np.prod(v.shape)) * np.dtype(v.dtype).itemsize for v in variables)
            ensure_free_space(self._write_dir, size, f"checkpoint ckpt-{step}")
            try:
                self._manager.save(checkpoint_number=step)
            except (tf.errors.OpError, OSError) as err:  # a full disk: ResourceExhaustedError
                # TensorFlow writes into `ckpt-<step>_temp/` and renames it; a failed write
                # leaves it behind.
                for partial in Path(self._write_dir).glob(f"ckpt-{step}_temp*"):
                    shutil.rmtree(partial, ignore_errors=True)
                reason = getattr(err, "message", str(err)).split(";")[-1].strip()
                raise OSError(
                    f"Checkpoint ckpt-{step} could not be written in {self._write_dir} "
                    f"({reason}); its partial files are removed, the earlier checkpoints kept."
                ) from None
            self._last_saved_step = step
            if self.chief:
                print(f"Checkpoint saved at step {step}.", flush=True)

    def fit(
        self,
        dataset: tf.data.Dataset,
        *,
        epochs: int,
        validation_data: tf.data.Dataset | None = None,
        callbacks: list[keras.callbacks.Callback] | None = None,
        verbose: int = 1,
    ) -> keras.callbacks.History:
        """Trains for `epochs` over a batched dataset of finite, known cardinality.

        Resumes at the step of the restored checkpoint: the epoch is `step // steps_per_epoch`
        and that epoch's first `step % steps_per_epoch` batches are skipped.
        """
        steps_per_epoch = int(dataset.cardinality())
        if steps_per_epoch <= 0:
            raise ValueError("The training dataset needs a finite, known number of batches.")
        callback_list = keras.callbacks.CallbackList(
            callbacks,
            add_history=True,
            add_progbar=bool(verbose) and self.chief,
            model=self.model,
            verbose=verbose,
            epochs=epochs,
            steps=steps_per_epoch,
        )
        self.model.stop_training = False
        step = int(self.optimizer.iterations.numpy())
        if step:
            print(f"Resumed from step {step} (epoch {step // steps_per_epoch + 1}).")
        callback_list.on_train_begin()
        logs = {}  # a run resumed after its last epoch trains no more
        states = stateful_callbacks(callbacks or [])
        if step and self.checkpoint_dir is not None:
            # The epochs finished before the restart, as they were logged then, and the
            # callbacks' states at the last of them (after on_train_begin reset them).
            self.model.history.history.update(
                load_history(self.checkpoint_dir, step // steps_per_epoch)
            )
            restore_callback_states(self.checkpoint_dir, step // steps_per_epoch, states)
        distributed = self._distribute(dataset)
        for _ in range(step // steps_per_epoch):
            # Each new iterator draws the next reshuffle of the data: a run resumed in epoch e
            # replays the draws of the e epochs before it, so it sees epoch e's order.
            iter(distributed)
        for epoch in range(step // steps_per_epoch, epochs):
            callback_list.on_epoch_begin(epoch)
            iterator = iter(distributed)
            self._totals.assign(tf.zeros(4))
            for batch in range(steps_per_epoch):
                if batch < step - epoch * steps_per_epoch:
                    next(iterator)  # already trained on before the restart
                    continue
                callback_list.on_train_batch_begin(batch)
                # Logs are tensors: a callback that needs numbers (the progress bar) converts them.
                logs, votes = self._run_train_step(iterator)
                if self._agreement and not self._stop_agreed and float(votes) > 0:
                    # A worker asked to stop: every worker stops after this same step, with
                    # a checkpoint of it (the collectives of the next step would wait forever).
                    self._stop_agreed = True
                    self.save_checkpoint()
                    self.model.stop_training = True
                callback_list.on_train_batch_end(batch, logs)
                global_step = epoch * steps_per_epoch + batch + 1
                if self.checkpoint_every and global_step % self.checkpoint_every == 0:
                    self.save_checkpoint()
                if self.model.stop_training:
                    break
            logs = {k: float(v) for k, v in self._logs(self._totals.numpy()).items()}
            step = (epoch + 1) * steps_per_epoch
            self.sync_moving_statistics()  # before validating, saving and exporting
            if validation_data is not None:
                logs.update({f"val_{k}": v for k, v in self.evaluate(validation_data).items()})
            self.save_checkpoint()
            callback_list.on_epoch_end(epoch, logs)
            if self.chief and self.checkpoint_dir is not None:
                save_history(self.checkpoint_dir, self.model.history.history, epoch + 1, states)
            if self.model.stop_training:
                break
        callback_list.on_train_end(logs)
        self._cleanup()
        return self.model.history

    def _cleanup(self) -> None:
        if self._manager is not None and not self.chief:
            shutil.rmtree(self._write_dir, ignore_errors=True)
