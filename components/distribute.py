"""Picking the tf.distribute strategy for the machine at hand."""

from __future__ import annotations

import tensorflow as tf

STRATEGIES = ("auto", "default", "onedevice", "mirrored")


def select_strategy(name: str = "auto") -> tf.distribute.Strategy:
    """Returns a tf.distribute strategy.

    `auto`: more than one GPU -> MirroredStrategy over all of them; one GPU ->
    OneDeviceStrategy on it; else the default strategy. `onedevice` uses the first GPU, or the
    CPU where there is none; `mirrored` mirrors over all GPUs (NCCL all-reduce), or over the
    logical CPU devices where there is no GPU (reduction on one device).

    Args:
        name: one of `STRATEGIES`.
    """
    if name not in STRATEGIES:
        raise ValueError(f"Unknown strategy {name!r}. Valid strategies: {', '.join(STRATEGIES)}.")
    gpus = tf.config.list_logical_devices("GPU")
    if name == "auto":
        name = "mirrored" if len(gpus) > 1 else "onedevice" if gpus else "default"
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "onedevice":
        return tf.distribute.OneDeviceStrategy(gpus[0].name if gpus else "/cpu:0")
    if gpus:
        return tf.distribute.MirroredStrategy([d.name for d in gpus])
    # On CPU devices TF's default all-reduce is collective ops, whose instance keys clash with
    # synchronized BatchNorm's own all-reduce in Keras 3; reducing on one device avoids that.
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(
        cpus, cross_device_ops=tf.distribute.ReductionToOneDevice()
    )


def strategy_name(strategy: tf.distribute.Strategy) -> str:
    """The strategy's class name, `DefaultStrategy` for the default (no distribution)."""
    name = type(strategy).__name__
    return "DefaultStrategy" if name.startswith("_Default") else name


def describe_strategy(strategy: tf.distribute.Strategy, global_batch_size: int) -> str:
    """One line: the strategy, its replicas, and the per-replica and global batch sizes."""
    replicas = strategy.num_replicas_in_sync
    try:
        devices = tuple(strategy.extended.worker_devices)
    except RuntimeError:  # the default strategy has no device list of its own
        devices = ()
    return (
        f"Strategy: {strategy_name(strategy)} with {replicas} replica(s) "
        f"on {', '.join(devices) or 'the default device'}; "
        f"global batch {global_batch_size}, per replica {global_batch_size // replicas}."
    )
