"""Test-time augmentation (TTA): the weighted mean of the probabilities over views of an image.

The notes' "evaluate and ensemble at the end": an ensemble of one model over views of the
image, combined by `components.export.combination`'s rules (`mean-probs` for equal weights,
`weighted` otherwise). The modes:

- `none`: the image as it is;
- `flip`: the image and its left-right mirror, 1/2 each (the augmentation most classifiers
  are trained with, `components.data.augmentation`'s `flip` and `altflip`);
- `flip_shift`: airbench's "mirror + translate" (Keller Jordan, "94% on CIFAR-10 in 3.29
  Seconds on a Single GPU", arXiv 2404.00498, `tta_level=2`): the image and its mirror, 1/4
  each, and both again shifted one pixel down and right and one pixel up and left, 1/8 each
  (six views; the un-shifted pair weighs as much as the four shifted ones). The borders a shift
  opens are black, as the training's `translate` and `crop` fill them (airbench reflects the
  edge instead), and the probabilities are averaged as in `flip` (airbench averages logits).

`classiczoo evaluate --tta MODE` does it outside an export; `export_classifier(tta=MODE)` and
`export_ensemble(tta=MODE)` put it inside the SavedModel's graph, with the same signatures.
"""

from __future__ import annotations

import dataclasses

from components.data.augmentation import FLIPS, SHIFTS, parse_augment


@dataclasses.dataclass(frozen=True)
class View:
    """One view of an image: shifted by `shift` pixels on both axes, then mirrored.

    Args:
        mirror: reversed left to right.
        shift: whole pixels down and right (negative: up and left); the borders it opens are
            black (0).
        weight: the view's share of the mean.
    """

    mirror: bool = False
    shift: int = 0
    weight: float = 1.0

    @property
    def name(self) -> str:
        """`as is`, `mirrored`, `shifted +1`, `shifted -1, mirrored`, ..."""
        words = [f"shifted {self.shift:+d}"] if self.shift else []
        words += ["mirrored"] if self.mirror else []
        return ", ".join(words) or "as is"

    def apply(self, images):
        """The view of `[..., H, W, C]` images (a batch, or one image), with TensorFlow ops."""
        import tensorflow as tf  # here, not at the top: the modes are checked without it

        x = images
        if self.shift:
            reach = abs(self.shift)
            rank = x.shape.rank
            x = tf.pad(x, [[0, 0]] * (rank - 3) + [[reach, reach], [reach, reach], [0, 0]])
            start = reach - self.shift  # the view's pixel (i, j) is the image's (i - s, j - s)
            height, width = tf.shape(images)[-3], tf.shape(images)[-2]
            x = x[..., start : start + height, start : start + width, :]
        if self.mirror:
            x = tf.reverse(x, axis=[-2])
        return x


VIEWS = {
    "none": (View(),),
    "flip": (View(weight=0.5), View(mirror=True, weight=0.5)),
    "flip_shift": (
        View(weight=0.25),
        View(mirror=True, weight=0.25),
        View(shift=1, weight=0.125),
        View(mirror=True, shift=1, weight=0.125),
        View(shift=-1, weight=0.125),
        View(mirror=True, shift=-1, weight=0.125),
    ),
}
TTA_MODES = tuple(VIEWS)


def check_tta(mode: str) -> str:
    """`mode` if it is one of `TTA_MODES`, else a ValueError naming them."""
    if mode not in TTA_MODES:
        raise ValueError(
            f"Unknown test-time augmentation {mode!r}; valid: {', '.join(TTA_MODES)}."
        )
    return mode


def tta_views(images, mode: str) -> list:
    """The views of images `[N, H, W, C]` (or one image `[H, W, C]`) for `mode`, in the order
    of `VIEWS[mode]`: for `flip`, the images and their left-right mirrors.

    Example:
    >>> views = tta_views(tf.reshape(tf.range(4.0), (1, 1, 4, 1)), "flip")
    >>> [tf.reshape(v, [-1]).numpy().tolist() for v in views]
    [[0.0, 1.0, 2.0, 3.0], [3.0, 2.0, 1.0, 0.0]]
    >>> image = tf.reshape(tf.range(1.0, 10.0), (1, 3, 3, 1))  # 3 x 3: 1 2 3 / 4 5 6 / 7 8 9
    >>> tf.squeeze(tta_views(image, "flip_shift")[2]).numpy().tolist()  # shifted +1
    [[0.0, 0.0, 0.0], [0.0, 1.0, 2.0], [0.0, 4.0, 5.0]]
    """
    return [view.apply(images) for view in VIEWS[check_tta(mode)]]


def view_weights(mode: str) -> tuple[float, ...]:
    """The weights of `mode`'s views, summing to 1 (`(0.5, 0.5)` for `flip`)."""
    return tuple(view.weight for view in VIEWS[check_tta(mode)])


def untrained_view_warning(mode: str, augment: str | None) -> str | None:
    """A warning when `mode` shows a model views it never trained on, else None.

    A model trained without `flip` (or `altflip`; its metadata's `augment`) has never seen a
    mirror image, and averaging over one tends to cost accuracy rather than add it (LeNet-BN:
    0.9069 -> 0.8617 on Fashion-MNIST, docs/RESULTS.md); likewise a shifted image without
    `crop` or `translate`. `augment` None (an ensemble, or no metadata): unknown, no warning.

    Example:
    >>> untrained_view_warning("flip", "standard") is None
    True
    >>> untrained_view_warning("flip", "none")[:40]
    'warning: TTA flip on a model trained wit'
    """
    if augment is None:
        return None
    steps = parse_augment(augment)  # the policy's steps: `standard` is flip and crop
    views = VIEWS[check_tta(mode)]
    missing, unseen = [], []
    if any(view.mirror for view in views) and not set(FLIPS) & set(steps):
        missing.append("flip")
        unseen.append("a mirror image")
    if any(view.shift for view in views) and not set(SHIFTS) & set(steps):
        missing.append("crop or translate")
        unseen.append("a shifted image")
    if not missing:
        return None
    return (
        f"warning: TTA {mode} on a model trained without {' or '.join(missing)} augmentation "
        f"(augment {augment!r}): it has never seen {' or '.join(unseen)}, and TTA may cost "
        "accuracy instead of adding it."
    )


def combine_views(view_logits, mode: str) -> dict:
    """`probabilities`, `class_ids`, `logits` of the weighted mean probability over the views'
    logits (`[views, N, classes]`, or a list of `[N, classes]`), weighted by `mode`'s views.

    Example:
    >>> out = combine_views([np.array([[2.0, 0.0]]), np.array([[0.0, 2.0]])], "flip")
    >>> out["probabilities"].numpy().round(3).tolist()
    [[0.5, 0.5]]
    """
    import tensorflow as tf

    from components.export.combination import combine

    weights = view_weights(mode)
    logits = tf.stack(view_logits) if isinstance(view_logits, list) else view_logits
    logits = tf.convert_to_tensor(logits)
    if logits.shape[0] is not None and logits.shape[0] != len(weights):
        raise ValueError(
            f"TTA {mode} has {len(weights)} views, got the logits of {logits.shape[0]}."
        )
    if len(set(weights)) == 1:  # equal weights: the plain mean, as before weights existed
        return combine(logits, "mean-probs")
    return combine(logits, "weighted", weights)


__all__ = [
    "TTA_MODES",
    "VIEWS",
    "View",
    "check_tta",
    "combine_views",
    "tta_views",
    "untrained_view_warning",
    "view_weights",
]
