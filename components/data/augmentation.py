"""Data augmentation for the training pipeline, from Keras 3's own preprocessing layers.

"With little data a CNN overfits: make the data more" (CS231n, "Data augmentation"; d2l 14.1).
A policy names what is done to each training batch, in tf.data, before the normalization, on
pixel values in 0..255:

- `flip`: `keras.layers.RandomFlip("horizontal")`, a mirror image half the time;
- `crop`: the ResNet and WRN papers' CIFAR recipe, pad by 4 pixels (an eighth of larger
  images) and crop a random window of the original size: a random shift of up to 4 pixels with
  black borders, drawn for each image. It is `keras.layers.RandomTranslation` with constant 0
  fill and nearest interpolation: `ZeroPadding2D` + `RandomCrop` would do the same, but Keras's
  `RandomCrop` draws one window per batch, every image of a batch shifted alike
  (keras-team/keras#16399);
- `standard`: `flip` and `crop`;
- `erasing`: `keras.layers.RandomErasing`, a random rectangle of 2 to 40 % of the image filled
  with noise, half the time (Zhong et al. 2017, "Random Erasing Data Augmentation");
- `mixup`: `keras.layers.MixUp(alpha=0.2)` (Zhang et al. 2018), images and labels mixed;
- `cutmix`: `keras.layers.CutMix(factor=1.0)` (Yun et al. 2019), a patch of another image,
  labels mixed by area.

Policies combine as a comma list (`standard,erasing`); `none` is none. MixUp and CutMix mix the
labels, so the training labels become one-hot targets (`needs_soft_labels`). Augmentation is
for the training split only: validation, test and the exported graph never see it. This module
only chooses and orders Keras's layers; it implements none of them.
"""

from __future__ import annotations

import keras

POLICIES = ("none", "flip", "crop", "standard", "erasing", "mixup", "cutmix")
# The order the steps run in, whatever the order they are named in.
STEPS = ("flip", "crop", "erasing", "mixup", "cutmix")
MIXING = ("mixup", "cutmix")
MIXUP_ALPHA = 0.2
CUTMIX_FACTOR = 1.0
ERASING_PROBABILITY = 0.5
ERASING_SCALE = (0.02, 0.4)
VALUE_RANGE = (0, 255)


def parse_augment(text: str | None) -> tuple[str, ...]:
    """The steps of a policy (`"standard,erasing"` -> `("flip", "crop", "erasing")`).

    Raises:
        ValueError: an unknown name (the valid ones listed), `none` with others, or both
            mixing policies.

    Example:
    >>> parse_augment("standard,erasing")
    ('flip', 'crop', 'erasing')
    >>> parse_augment("none")
    ()
    """
    names = [name.strip() for name in (text or "none").split(",") if name.strip()]
    unknown = [name for name in names if name not in POLICIES]
    if unknown or not names:
        raise ValueError(
            f"unknown augmentation {', '.join(map(repr, unknown)) or repr(text)}; valid: "
            f"{', '.join(POLICIES)}, or a comma list of them (e.g. standard,erasing)."
        )
    if "none" in names and len(names) > 1:
        raise ValueError(f"augmentation 'none' cannot be combined with others, got {text!r}.")
    steps = {
        step for name in names for step in (("flip", "crop") if name == "standard" else (name,))
    }
    steps.discard("none")
    if set(MIXING) <= steps:
        raise ValueError("augmentation: choose one of mixup and cutmix, not both.")
    return tuple(step for step in STEPS if step in steps)


def needs_soft_labels(steps, label_smoothing: float = 0.0) -> bool:
    """Whether the training labels must be one-hot targets (mixed, or smoothed)."""
    return label_smoothing > 0 or any(step in MIXING for step in steps)


def crop_padding(image_shape) -> int:
    """Pixels of padding before the random crop: 4 up to 32 px (CIFAR's), an eighth above."""
    return 4 if max(image_shape[:2]) <= 32 else max(image_shape[:2]) // 8


class Augmenter:
    """The Keras layers of a policy, applied to a batch `(images, labels)` in tf.data.

    Args:
        steps: from `parse_augment`.
        image_shape: `(H, W, C)` of the images it gets (after any resize).
        seed: seeds every layer (each its own).
        value_range: the pixels' range, for the random values of `erasing` (0..255 in the
            training pipeline; (0, 1) for images scaled to [0, 1]). Padding is 0, black.

    Example:
    >>> augment = Augmenter(parse_augment("standard"), (28, 28, 1), seed=0)
    >>> images, labels = augment(tf.zeros((8, 28, 28, 1)), tf.zeros((8,), tf.int64))
    >>> tuple(images.shape), augment.describe()
    ((8, 28, 28, 1), 'RandomFlip(horizontal), RandomTranslation(up to 4 px, black borders)')
    """

    def __init__(self, steps, image_shape, seed: int | None = None, value_range=VALUE_RANGE):
        height, width = image_shape[:2]
        self.steps = tuple(steps)
        seeds = {step: None if seed is None else seed + i for i, step in enumerate(STEPS)}
        self.layers = {}
        if "flip" in self.steps:
            self.layers["flip"] = keras.layers.RandomFlip("horizontal", seed=seeds["flip"])
        if "crop" in self.steps:
            self.padding = crop_padding(image_shape)
            self.layers["crop"] = keras.layers.RandomTranslation(
                height_factor=self.padding / height,
                width_factor=self.padding / width,
                fill_mode="constant",
                interpolation="nearest",  # whole-pixel shifts, no blur
                fill_value=0.0,
                seed=seeds["crop"],
            )
        if "erasing" in self.steps:
            self.layers["erasing"] = keras.layers.RandomErasing(
                factor=ERASING_PROBABILITY,
                scale=ERASING_SCALE,
                value_range=tuple(value_range),
                seed=seeds["erasing"],
            )
        if "mixup" in self.steps:
            self.layers["mixup"] = keras.layers.MixUp(alpha=MIXUP_ALPHA, seed=seeds["mixup"])
        if "cutmix" in self.steps:
            self.layers["cutmix"] = keras.layers.CutMix(factor=CUTMIX_FACTOR, seed=seeds["cutmix"])

    def __call__(self, images, labels, seed=None):
        """Augments a batch; `seed` (`[2]` integers, one per batch) sets every layer's
        generator first, so the batch's draws depend on it alone (see `make_pipeline`'s
        `augment_seed`)."""
        for index, step in enumerate(self.steps):
            layer = self.layers[step]
            if seed is not None:
                state = layer.generator.state
                start = keras.ops.cast(keras.ops.mod(seed, 2**31 - 1), state.dtype)
                offset = keras.ops.convert_to_tensor([index, 0], dtype=state.dtype)
                state.assign(start + offset)
            if step in MIXING:  # labels are one-hot targets here (see needs_soft_labels)
                mixed = layer({"images": images, "labels": labels}, training=True)
                images, labels = mixed["images"], mixed["labels"]
            else:
                images = layer(images, training=True)
        return images, labels

    def describe(self) -> str:
        """The layers in words, for the run's log."""
        words = {
            "flip": lambda: "RandomFlip(horizontal)",
            "crop": lambda: f"RandomTranslation(up to {self.padding} px, black borders)",
            "erasing": lambda: f"RandomErasing(p={ERASING_PROBABILITY}, area {ERASING_SCALE})",
            "mixup": lambda: f"MixUp(alpha={MIXUP_ALPHA})",
            "cutmix": lambda: f"CutMix(factor={CUTMIX_FACTOR})",
        }
        return ", ".join(words[step]() for step in self.steps) or "none"


__all__ = [
    "MIXING",
    "POLICIES",
    "Augmenter",
    "crop_padding",
    "needs_soft_labels",
    "parse_augment",
]
