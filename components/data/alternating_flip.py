"""Alternating flip: each image mirrored on every other epoch, from a random half on the first.

airbench's rule (Keller Jordan, "94% on CIFAR-10 in 3.29 Seconds on a Single GPU", arXiv
2404.00498, section 3.6; github.com/KellerJordan/cifar10-airbench): in epoch 0 a random half
of the training images is mirrored; in every later epoch each image is mirrored exactly when it
was not in the epoch before. Over any two consecutive epochs every image is seen both ways,
where a fresh coin per epoch (`keras.layers.RandomFlip`) shows a quarter of them the same way
twice. airbench reported it worth as much as a quarter more epochs of training.

Whether image `i` is mirrored in epoch `e` is a pure function of `(seed, i, e)`: a bit drawn
for `(seed, i)` by an integer hash, XOR the epoch's parity. It needs no state, so a run
resumed in the middle of an epoch, or batches in any order or composition, mirror each image as
the uninterrupted run did; the pipeline passes each image's index in the training set and the
epoch. Keras has no layer that takes the epoch or the image's identity, hence this one.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

# The hash: MINSTD (Park & Miller's multiplier 48271, modulus 2^31 - 1, Schrage's product so
# no intermediate leaves int32: JAX computes in int32 by default) between xor-shifts.
_MODULUS = 2**31 - 1
_MULTIPLIER = 48271
_QUOTIENT, _REMAINDER = divmod(_MODULUS, _MULTIPLIER)
_ROUNDS = 3


def _seed_key(seed: int) -> int:
    """A 30-bit key from any integer seed (in Python: the seed may exceed int32)."""
    return int(np.random.default_rng(abs(int(seed))).integers(0, 2**30))


def _first_epoch_flips(indices, seed: int):
    """`[N]` booleans: whether each image is mirrored in epoch 0 (about half are)."""
    x = ops.cast(indices, "int32")
    x = ops.mod(ops.bitwise_xor(x, _seed_key(seed)), _MODULUS - 1) + 1  # in [1, m - 1]
    for _ in range(_ROUNDS):
        high, low = ops.floor_divide(x, _QUOTIENT), ops.mod(x, _QUOTIENT)
        x = _MULTIPLIER * low - _REMAINDER * high  # = 48271 x mod m, or that minus m
        x = x + ops.cast(x < 0, "int32") * _MODULUS
        x = ops.mod(ops.bitwise_xor(x, ops.right_shift(x, 16)), _MODULUS - 1) + 1
    return x >= 2**30


def alternating_flip_mask(indices, epoch, seed: int = 0):
    """`[N]` booleans: whether the images of training-set `indices` are mirrored in `epoch`.

    Args:
        indices: `[N]` integers in [0, 2^31 - 1): each image's place in the training set (its
            identity, the same in every epoch whatever the shuffle).
        epoch: the 0-based epoch (a Python integer or an integer tensor).
        seed: chooses epoch 0's random half.

    Example:
    >>> first = alternating_flip_mask(np.arange(8), 0, seed=1)
    >>> second = alternating_flip_mask(np.arange(8), 1, seed=1)
    >>> bool(keras.ops.all(keras.ops.logical_xor(first, second)))
    True
    """
    odd = ops.equal(ops.mod(ops.cast(epoch, "int32"), 2), 1)
    return ops.logical_xor(_first_epoch_flips(indices, seed), odd)


@keras.saving.register_keras_serializable(package="classiczoo")
class AlternatingFlip(keras.layers.Layer):
    """Mirrors (left to right) the images that `alternating_flip_mask` names for the epoch.

    Args:
        seed: chooses epoch 0's random half; the same seed, the same images mirrored in each
            epoch.
        **kwargs: Keras layer arguments (`name`, `dtype`).

    Call arguments:
        images: `[N, H, W, C]`.
        indices: `[N]` the images' places in the training set (by keyword, as `epoch`).
        epoch: the 0-based epoch (by keyword: Keras takes only tensors by position).
        training: False returns the images as they are.

    Example:
    >>> flip = AlternatingFlip(seed=0)
    >>> images = np.arange(8.0).reshape(2, 1, 4, 1)
    >>> seen = [flip(images, indices=np.array([0, 1]), epoch=epoch) for epoch in (0, 1)]
    >>> bool(keras.ops.all(keras.ops.flip(seen[0], axis=2) == seen[1]))
    True
    """

    def __init__(self, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(seed, (int, np.integer)):
            raise ValueError(f"seed must be an integer, got {seed!r}.")
        self.seed = int(seed)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}

    def call(self, images, indices, epoch, training=True):
        if not training:
            return images
        mask = alternating_flip_mask(indices, epoch, self.seed)
        return ops.where(ops.reshape(mask, (-1, 1, 1, 1)), ops.flip(images, axis=2), images)

    def compute_output_shape(self, images_shape, *args, **kwargs):
        return images_shape


__all__ = ["AlternatingFlip", "alternating_flip_mask"]
