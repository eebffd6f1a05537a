"""Combining several sets of logits into one answer: the rules of ensembles and of test-time
augmentation.

For logits `z_i` (members, or views of one image) and weights `w_i`:

- `mean-probs`: `p = mean_i softmax(z_i)`;
- `mean-logits`: `p = softmax(mean_i z_i)`;
- `weighted`: `p = sum_i w_i softmax(z_i)`, `w` on the simplex;
- `vote`: majority vote of the top-1 classes; `p = (votes + mean_i softmax(z_i)) /
  (members + 1)`, which keeps the vote's order, breaks ties by the mean probability and stays a
  distribution (so the loss and calibration remain defined).

Every rule returns `probabilities`, `class_ids = argmax p` and `logits = log p` (a softmax of
them gives `p` back), so a combination answers exactly like a single exported model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import tensorflow as tf

METHODS = ("mean-probs", "mean-logits", "weighted", "vote")


def check_method(method: str, weights: Sequence[float] | None, members: int) -> np.ndarray:
    """Validates a rule and its weights; returns the weights normalized to sum to 1.

    Raises:
        ValueError: unknown method, fewer than two members, weights of the wrong count, negative
            or all zero.
    """
    if method not in METHODS:
        raise ValueError(f"Unknown ensemble method {method!r}; choose one of {list(METHODS)}.")
    if members < 2:
        raise ValueError(f"An ensemble needs at least two members, got {members}.")
    if weights is None:
        return np.full(members, 1.0 / members)
    weights = np.asarray(weights, np.float64)
    if weights.shape != (members,):
        raise ValueError(f"{weights.size} weights given for {members} members: give one each.")
    if (weights < 0).any() or not np.isfinite(weights).all() or weights.sum() <= 0:
        raise ValueError(f"Weights must be finite, >= 0 and not all 0, got {weights.tolist()}.")
    return weights / weights.sum()


def combine(member_logits, method: str, weights=None) -> dict[str, tf.Tensor]:
    """The ensemble's outputs from its members' logits (TensorFlow ops: eager or in a graph).

    Args:
        member_logits: `[members, N, classes]` (a tensor, array, or list of `[N, classes]`).
        method: one of `METHODS`.
        weights: `[members]`, summing to 1 (used by `weighted` only).

    Returns:
        `probabilities [N, classes]`, `class_ids [N]` (int64) and `logits [N, classes]`.

    Example:
    >>> logits_a, logits_b = np.array([[2.0, 0.0]]), np.array([[0.0, 2.0]])
    >>> out = combine(np.stack([logits_a, logits_b]), "mean-probs")
    >>> out["probabilities"].numpy().round(3).tolist()
    [[0.5, 0.5]]
    """
    import tensorflow as tf  # here: METHODS serves the flags, read before TensorFlow loads

    z = tf.cast(tf.convert_to_tensor(member_logits), tf.float32)
    members = tf.shape(z)[0]
    probs = tf.nn.softmax(z, axis=-1)
    if method == "mean-logits":
        logits = tf.reduce_mean(z, axis=0)
        p = tf.nn.softmax(logits, axis=-1)
    else:
        if method == "mean-probs":
            p = tf.reduce_mean(probs, axis=0)
        elif method == "weighted":
            w = tf.cast(tf.convert_to_tensor(weights), tf.float32)
            p = tf.einsum("m,mnk->nk", w, probs)
        elif method == "vote":
            votes = tf.reduce_sum(tf.one_hot(tf.argmax(z, axis=-1), tf.shape(z)[-1]), axis=0)
            n = tf.cast(members, tf.float32)
            p = (votes + tf.reduce_mean(probs, axis=0)) / (n + 1.0)
        else:
            raise ValueError(f"Unknown ensemble method {method!r}; choose one of {list(METHODS)}.")
        # log of a probability that underflowed to 0 would be -inf: floor it far below any other.
        logits = tf.math.log(tf.maximum(p, 1e-30))
    return {"probabilities": p, "class_ids": tf.argmax(p, axis=-1), "logits": logits}


__all__ = ["METHODS", "check_method", "combine"]
