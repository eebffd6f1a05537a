"""Picking the tf.distribute strategy for the machine or cluster at hand.

Multi-worker runs read the cluster from `TF_CONFIG` (JSON), e.g. for worker 0 of two:
`{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}`.
The chief is the task of type "chief", or worker 0 where there is none; it alone writes
checkpoints, logs and exports (other workers write to temporary paths that they remove).
"""

from __future__ import annotations

import json
import os
import socket

import tensorflow as tf

from components.training.settings import STRATEGIES


class TFConfigError(ValueError):
    """`TF_CONFIG` is not a valid description of the cluster and this task."""


def parse_tf_config(text: str | None = None) -> dict | None:
    """Parses and checks `TF_CONFIG` (default: the environment's); None where it is unset.

    Raises:
        TFConfigError: malformed JSON, no cluster or task, an unknown task type, or an index
            out of range, with what was wrong and what is valid.
    """
    text = os.environ.get("TF_CONFIG") if text is None else text
    if not text:
        return None
    try:
        config = json.loads(text)
    except json.JSONDecodeError as err:
        raise TFConfigError(f"TF_CONFIG is not valid JSON ({err}): {text!r}") from None
    example = (
        '{"cluster": {"worker": ["localhost:12345", "localhost:12346"]}, '
        '"task": {"type": "worker", "index": 0}}'
    )
    if not isinstance(config, dict) or not isinstance(config.get("cluster"), dict):
        raise TFConfigError(f"TF_CONFIG needs a 'cluster' object, e.g. {example}; got {text!r}")
    cluster = config["cluster"]
    for job, addresses in cluster.items():
        if not isinstance(addresses, list) or not addresses:
            raise TFConfigError(f"TF_CONFIG cluster job {job!r} must list host:port addresses.")
    task = config.get("task")
    if not isinstance(task, dict) or "type" not in task or "index" not in task:
        raise TFConfigError(
            f"TF_CONFIG needs a 'task' with 'type' and 'index', e.g. {example}; got {text!r}"
        )
    if task["type"] not in cluster:
        raise TFConfigError(
            f"TF_CONFIG task type {task['type']!r} is not a job of the cluster "
            f"({', '.join(cluster)})."
        )
    index, size = task["index"], len(cluster[task["type"]])
    if not isinstance(index, int) or not 0 <= index < size:
        raise TFConfigError(
            f"TF_CONFIG task index {index!r} is out of range: job {task['type']!r} has {size} "
            f"task(s), so the index must be in 0..{size - 1}."
        )
    return config


def check_cluster_hosts(config: dict, timeout: float = 10.0) -> None:
    """Raises a `TFConfigError` for a cluster address that is not `host:port` or whose host
    does not resolve: TensorFlow would wait for it forever, ignoring SIGTERM and SIGINT.

    Example:
    >>> check_cluster_hosts({"cluster": {"worker": ["localhost:2222"]}})
    >>> check_cluster_hosts({"cluster": {"worker": ["localhost"]}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    components.distribute.strategies.TFConfigError: TF_CONFIG address 'localhost' of job ...
    """
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        for job, addresses in config["cluster"].items():
            for address in addresses:
                host, sep, port = str(address).rpartition(":")
                if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                    raise TFConfigError(
                        f"TF_CONFIG address {address!r} of job {job!r} is not host:port (e.g. "
                        "'localhost:2222')."
                    )
                try:
                    socket.getaddrinfo(host.strip("[]"), int(port))
                except OSError as err:
                    raise TFConfigError(
                        f"TF_CONFIG host {host!r} (job {job!r}) cannot be resolved ({err}); fix "
                        "the cluster's addresses, or the name service, before starting."
                    ) from None
    finally:
        socket.setdefaulttimeout(previous)


def is_chief(config: dict | None = None) -> bool:
    """Whether this task is the chief (always true outside a multi-worker cluster)."""
    config = parse_tf_config() if config is None else config
    if not config:
        return True
    task = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0


def task_id(config: dict | None = None) -> int:
    """This task's index (0 outside a cluster)."""
    config = parse_tf_config() if config is None else config
    return int(config["task"]["index"]) if config else 0


def select_strategy(name: str = "auto") -> tf.distribute.Strategy:
    """Returns a tf.distribute strategy.

    `auto`: `TF_CONFIG` set -> MultiWorkerMirroredStrategy; more than one GPU ->
    MirroredStrategy over all of them; one GPU -> OneDeviceStrategy on it; else the default
    strategy. `onedevice` uses the first GPU, or the CPU where there is none; `mirrored` mirrors
    over all GPUs (NCCL all-reduce), or over the logical CPU devices where there is no GPU
    (reduction on one device); `multiworker` needs `TF_CONFIG`.

    Args:
        name: one of `STRATEGIES`.
    """
    if name not in STRATEGIES:
        raise ValueError(f"Unknown strategy {name!r}. Valid strategies: {', '.join(STRATEGIES)}.")
    config = parse_tf_config()  # checked first, so a bad TF_CONFIG fails at start
    if name == "multiworker" and config is None:
        raise TFConfigError("--strategy multiworker needs TF_CONFIG describing the cluster.")
    if name == "multiworker" or (name == "auto" and config is not None):
        check_cluster_hosts(config)  # an unresolvable host would hang the start, deaf to signals
        # Must come before anything initializes TensorFlow's context (listing devices does).
        return tf.distribute.MultiWorkerMirroredStrategy()
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
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return "MultiWorkerMirroredStrategy"  # its class is CollectiveAllReduceStrategy
    name = type(strategy).__name__
    return "DefaultStrategy" if name.startswith("_Default") else name.removeprefix("_")


def num_workers(strategy: tf.distribute.Strategy) -> int:
    """Number of worker processes of the strategy (1 outside multi-worker training)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return 1
    return len(resolver.cluster_spec().as_dict().get("worker", [])) + len(
        resolver.cluster_spec().as_dict().get("chief", [])
    )


def describe_strategy(strategy: tf.distribute.Strategy, global_batch_size: int) -> str:
    """One line: the strategy, its replicas, and the per-replica and global batch sizes."""
    replicas = strategy.num_replicas_in_sync
    try:
        devices = tuple(strategy.extended.worker_devices)
    except RuntimeError:  # the default strategy has no device list of its own
        devices = ()
    workers = num_workers(strategy)
    where = f"{workers} workers, " if workers > 1 else ""
    return (
        f"Strategy: {strategy_name(strategy)} with {replicas} replica(s) "
        f"({where}{', '.join(devices) or 'the default device'}); "
        f"global batch {global_batch_size}, per replica {global_batch_size // replicas}."
    )


def peer_error(message: str) -> str:
    """The line of a TensorFlow collective's error that says why it failed.

    Example:
    >>> peer_error("Graph execution error:\\n...\\nCollective ops is aborted by: recvmsg:"
    ...            "Connection reset by peer\\nAdditional GRPC error information ...")
    'Collective ops is aborted by: recvmsg:Connection reset by peer'
    """
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if "aborted by" in line or "Socket closed" in line or "Connection reset" in line:
            return line
    return lines[-1] if lines else "no message"
