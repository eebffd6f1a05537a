"""Seeding a run, and making it reproducible: the same seed gives the same weights.

`keras.utils.set_random_seed` seeds Python's `random`, NumPy, TensorFlow and Keras's own seed
generator (initializers, dropout); the input pipeline's shuffle takes the seed explicitly. That
makes the random choices repeatable, not the arithmetic: several TensorFlow kernels (reductions
split over threads, some gradients) add in an order that varies from run to run, so two runs
with one seed drift apart in the last bits and then further. `tf.config.experimental.
enable_op_determinism()` makes every op deterministic (or raise where it has no deterministic
form), at some cost in speed (measured in docs/BENCHMARKS.md).

What stays out of reach even then: a different machine, CPU instruction set, thread count,
TensorFlow version or number of replicas (the sums are split differently); multi-worker
all-reduce order is fixed by TensorFlow's collective ops but not promised by them.
"""

from __future__ import annotations

import keras


def seed_everything(seed: int) -> None:
    """Seeds Python, NumPy, TensorFlow and Keras (Keras's `set_random_seed`).

    Args:
        seed: a non-negative integer.

    Example:
    >>> seed_everything(0); first = keras.random.uniform((2,))
    >>> seed_everything(0); bool(keras.ops.all(first == keras.random.uniform((2,))))
    True
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    keras.utils.set_random_seed(seed)


def make_deterministic(seed: int) -> None:
    """Seeds everything and turns on TensorFlow's op determinism, for the rest of the process
    (on TensorFlow; JAX's CPU kernels are deterministic already).

    TensorFlow has no public switch back; a run that wants speed again starts a new process.
    Ops without a deterministic implementation then raise `UnimplementedError` instead of
    silently varying (none of the zoo's models uses one on the CPU).

    Args:
        seed: a non-negative integer.

    Example (skipped by the docstring tests: it would slow the rest of their process):
    >>> make_deterministic(0)  # doctest: +SKIP
    """
    seed_everything(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()


__all__ = ["make_deterministic", "seed_everything"]
