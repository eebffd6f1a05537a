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
- `altflip`: airbench's alternating flip (`components.data.alternating_flip.AlternatingFlip`):
  a random half of the images mirrored in epoch 0, and each image mirrored in every later epoch
  exactly when it was not in the one before. It is a function of `(seed, epoch, image index)`,
  so the pipeline passes the batch's epoch and its images' indices in the training set;
- `translate`: airbench's translation (Keller Jordan, "94% on CIFAR-10 in 3.29 Seconds on a
  Single GPU", arXiv 2404.00498), a shift of each image by -2..2 pixels on each axis, each
  amount equally likely, black borders: `RandomTranslation` as for `crop` with a factor of
  2.499 px, which nearest interpolation rounds to whole pixels;
- `erasing`: `keras.layers.RandomErasing`, a random rectangle of 2 to 40 % of the image filled
  with noise, half the time (Zhong et al. 2017, "Random Erasing Data Augmentation");
- `mixup`: `keras.layers.MixUp(alpha=0.2)` (Zhang et al. 2018), images and labels mixed;
- `cutmix`: `keras.layers.CutMix(factor=1.0)` (Yun et al. 2019), a patch of another image,
  labels mixed by area.

Policies combine as a comma list (`standard,erasing`, `altflip,translate`); `none` is none.
MixUp and CutMix mix the labels, so the training labels become one-hot targets
(`needs_soft_labels`). Augmentation is for the training split only: validation, test and the
exported graph never see it. This module only chooses and orders the layers; all but
`AlternatingFlip` are Keras's own.
"""

from __future__ import annotations

POLICIES = (
    "none", "flip", "crop", "standard", "erasing", "mixup", "cutmix", "altflip", "translate",
)  # fmt: skip
# The order the steps run in, whatever the order they are named in.
STEPS = ("altflip", "flip", "crop", "translate", "erasing", "mixup", "cutmix")
# Each step's layer is seeded with `seed + offset`: the steps added later take new offsets, so
# the earlier policies draw what they drew before.
SEED_OFFSETS = {
    "flip": 0, "crop": 1, "erasing": 2, "mixup": 3, "cutmix": 4, "altflip": 5, "translate": 6,
}  # fmt: skip
# Steps that do one job two ways: one of each pair at most.
EXCLUSIVE = (("flip", "altflip"), ("crop", "translate"), ("mixup", "cutmix"))
MIXING = ("mixup", "cutmix")
# Steps that need the batch's epoch and its images' indices in the training set.
NEEDS_EPOCH = ("altflip",)
FLIPS = ("flip", "altflip")
SHIFTS = ("crop", "translate")
TRANSLATE_PIXELS = 2
MIXUP_ALPHA = 0.2
CUTMIX_FACTOR = 1.0
ERASING_PROBABILITY = 0.5
ERASING_SCALE = (0.02, 0.4)
VALUE_RANGE = (0, 255)


def parse_augment(text: str | None) -> tuple[str, ...]:
    """The steps of a policy (`"standard,erasing"` -> `("flip", "crop", "erasing")`).

    Raises:
        ValueError: an unknown name (the valid ones listed), `none` with others, or two
            steps of `EXCLUSIVE` (both flips, both shifts, both mixing policies).

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
    for pair in EXCLUSIVE:
        if set(pair) <= steps:
            raise ValueError(f"augmentation: choose one of {pair[0]} and {pair[1]}, not both.")
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
        seed: seeds every layer (each its own); `altflip`'s half is drawn from it (None: 0).
        value_range: the pixels' range, for the random values of `erasing` (0..255 in the
            training pipeline; (0, 1) for images scaled to [0, 1]). Padding is 0, black.

    Example:
    >>> augment = Augmenter(parse_augment("standard"), (28, 28, 1), seed=0)
    >>> images, labels = augment(tf.zeros((8, 28, 28, 1)), tf.zeros((8,), tf.int64))
    >>> tuple(images.shape), augment.describe()
    ((8, 28, 28, 1), 'RandomFlip(horizontal), RandomTranslation(up to 4 px, black borders)')
    """

    def __init__(self, steps, image_shape, seed: int | None = None, value_range=VALUE_RANGE):
        # Here, not at the top: the policies' names and checks serve the commands' flags,
        # which are read before Keras and TensorFlow load.
        import keras

        from components.data.alternating_flip import AlternatingFlip

        height, width = image_shape[:2]
        self.steps = tuple(steps)
        seeds = {step: None if seed is None else seed + SEED_OFFSETS[step] for step in STEPS}
        self.layers = {}
        if "altflip" in self.steps:
            # A pure function of (seed, epoch, index): it needs a seed even when unseeded.
            self.layers["altflip"] = AlternatingFlip(seed=seeds["altflip"] or 0)
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
        if "translate" in self.steps:
            # Nearest interpolation rounds a shift drawn in [-2.499, 2.499] px to a whole one:
            # each of -2..2 about equally likely, as airbench draws them.
            reach = TRANSLATE_PIXELS + 0.499
            self.layers["translate"] = keras.layers.RandomTranslation(
                height_factor=reach / height,
                width_factor=reach / width,
                fill_mode="constant",
                interpolation="nearest",
                fill_value=0.0,
                seed=seeds["translate"],
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

    def __call__(self, images, labels, seed=None, *, epoch=None, indices=None):
        """Augments a batch.

        Args:
            images: `[N, H, W, C]` pixels.
            labels: `[N]` class ids or `[N, K]` targets.
            seed: `[2]` integers, one per batch: sets every layer's generator first, so the
                batch's draws depend on it alone (see `make_pipeline`'s `augment_seed`).
            epoch: the batch's 0-based epoch (an integer or a scalar integer tensor); needed
                by `altflip` (see `needs_epoch`).
            indices: `[N]` the images' places in the training set (the same in every epoch,
                whatever the shuffle); needed by `altflip`.
        """
        if self.needs_epoch and (epoch is None or indices is None):
            raise ValueError(
                "the 'altflip' augmentation needs each batch's epoch and its images' indices "
                "in the training set: call the Augmenter with epoch= and indices= (got "
                f"epoch={epoch!r}, indices={'None' if indices is None else 'given'})."
            )
        import keras

        for index, step in enumerate(self.steps):
            layer = self.layers[step]
            if step in NEEDS_EPOCH:
                images = layer(images, indices=indices, epoch=epoch, training=True)
                continue
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

    @property
    def needs_epoch(self) -> bool:
        """Whether a call needs `epoch` and `indices` (the policy has `altflip`)."""
        return any(step in NEEDS_EPOCH for step in self.steps)

    def describe(self) -> str:
        """The layers in words, for the run's log."""
        words = {
            "altflip": lambda: "AlternatingFlip(a random half in epoch 0, alternating after)",
            "flip": lambda: "RandomFlip(horizontal)",
            "crop": lambda: f"RandomTranslation(up to {self.padding} px, black borders)",
            "translate": lambda: (
                f"RandomTranslation(-{TRANSLATE_PIXELS}..{TRANSLATE_PIXELS} px, black borders)"
            ),
            "erasing": lambda: f"RandomErasing(p={ERASING_PROBABILITY}, area {ERASING_SCALE})",
            "mixup": lambda: f"MixUp(alpha={MIXUP_ALPHA})",
            "cutmix": lambda: f"CutMix(factor={CUTMIX_FACTOR})",
        }
        return ", ".join(words[step]() for step in self.steps) or "none"


__all__ = [
    "FLIPS",
    "MIXING",
    "POLICIES",
    "SHIFTS",
    "Augmenter",
    "crop_padding",
    "needs_soft_labels",
    "parse_augment",
]
