"""Test-time augmentation (TTA): the mean of the probabilities of an image and its mirror.

The notes' "evaluate and ensemble at the end": an ensemble of one model over views of the
image. `flip` views each image as it is and mirrored left to right (the augmentation most
classifiers are trained with, `components.data.augmentation`'s `flip`) and takes the mean of
the two probability vectors, by the `mean-probs` rule of `components.export.combination`.
`classiczoo evaluate --tta flip` does it outside an export; `export_classifier(tta="flip")` and
`export_ensemble(tta="flip")` put it inside the SavedModel's graph, with the same signatures.
"""

from __future__ import annotations

from components.data.augmentation import parse_augment

TTA_MODES = ("none", "flip")


def check_tta(mode: str) -> str:
    """`mode` if it is one of `TTA_MODES`, else a ValueError naming them."""
    if mode not in TTA_MODES:
        raise ValueError(
            f"Unknown test-time augmentation {mode!r}; valid: {', '.join(TTA_MODES)}."
        )
    return mode


def tta_views(images, mode: str) -> list:
    """The views of a batch `[N, H, W, C]`: itself, and for `flip` its left-right mirror.

    Example:
    >>> views = tta_views(tf.reshape(tf.range(4.0), (1, 1, 4, 1)), "flip")
    >>> [tf.reshape(v, [-1]).numpy().tolist() for v in views]
    [[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0]]
    """
    import tensorflow as tf  # here, not at the top: the TTA modes are checked without it

    check_tta(mode)
    if mode == "none":
        return [images]
    return [images, tf.reverse(images, axis=[2])]


def untrained_view_warning(mode: str, augment: str | None) -> str | None:
    """A warning when `mode` shows a model views it never trained on, else None.

    A model trained without `flip` (its metadata's `augment`) has never seen a mirror image,
    and averaging over one tends to cost accuracy rather than add it (LeNet-BN: 0.9069 ->
    0.8617 on Fashion-MNIST, docs/RESULTS.md). `augment` None (an ensemble, or no metadata):
    unknown, no warning.

    Example:
    >>> untrained_view_warning("flip", "standard") is None
    True
    >>> untrained_view_warning("flip", "none")[:40]
    'warning: TTA flip on a model trained wit'
    """
    if mode != "flip" or augment is None:
        return None
    if "flip" in parse_augment(augment):  # the policy's steps: `standard` is flip and crop
        return None
    return (
        f"warning: TTA flip on a model trained without flip augmentation (augment {augment!r}): "
        "it has never seen a mirror image, and TTA may cost accuracy instead of adding it."
    )


def combine_views(view_logits) -> dict:
    """`probabilities`, `class_ids`, `logits` of the mean probability over the views' logits
    (`[views, N, classes]`, or a list of `[N, classes]`)."""
    import tensorflow as tf

    from components.export.combination import combine

    return combine(tf.stack(view_logits) if isinstance(view_logits, list) else view_logits,
                   "mean-probs")  # fmt: skip


__all__ = ["TTA_MODES", "check_tta", "combine_views", "tta_views", "untrained_view_warning"]
