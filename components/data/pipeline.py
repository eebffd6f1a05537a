"""The input pipeline: uint8 images to normalized float batches, the same math as in serving.

`preprocess_images` is used both by `make_pipeline` and inside the exported SavedModel's serving
function (`components.export`), so training and serving can never drift apart.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from components.data.preprocessing import Preprocessing

# Preprocessed datasets up to this size are cached after preprocessing; larger ones (e.g. after a
# resize to 224) cache the raw uint8 images and preprocess each batch on the fly.
DEFAULT_CACHE_BUDGET_BYTES = 2 * 1024**3


def resize_images(images: tf.Tensor, preprocessing: Preprocessing) -> tf.Tensor:
    """Raw images to float32 pixels in 0..255, resized if the preprocessing says so."""
    x = tf.cast(images, tf.float32)
    if preprocessing.resize is not None:
        x = tf.image.resize(x, preprocessing.resize, method="bilinear")
    return x


def normalize_images(pixels: tf.Tensor, preprocessing: Preprocessing) -> tf.Tensor:
    """Float pixels in 0..255 to `(pixels * scale - mean) / std`, per channel."""
    return preprocessing.normalize(pixels)


def preprocess_images(images: tf.Tensor, preprocessing: Preprocessing) -> tf.Tensor:
    """Raw images (uint8 or float in 0..255, `[..., H, W, C]`) to normalized float32."""
    return normalize_images(resize_images(images, preprocessing), preprocessing)


def make_pipeline(
    dataset: tf.data.Dataset,
    preprocessing: Preprocessing,
    *,
    batch_size: int,
    training: bool,
    seed: int | None = None,
    cache: bool = True,
    cache_budget_bytes: int = DEFAULT_CACHE_BUDGET_BYTES,
    augment=None,
    one_hot_classes: int | None = None,
    augment_seed: int | None = None,
    epochs: tuple[int, int] | None = None,
    skip: int = 0,
) -> tf.data.Dataset:
    """Builds a batched, prefetched input pipeline from unbatched `(uint8 image, label)`.

    Args:
        dataset: unbatched `(image, label)` pairs, e.g. from `load_image_classification`.
        preprocessing: the `Preprocessing` to apply (the export applies the same).
        batch_size: the *global* batch size; under a tf.distribute strategy Keras splits each
            batch across the replicas.
        training: shuffle (buffer = the whole dataset when cached) and reshuffle each epoch.
        seed: shuffle seed.
        cache: cache in memory: after preprocessing if that fits in `cache_budget_bytes`, else
            the raw uint8 images, preprocessed per batch.
        cache_budget_bytes: memory allowed for the preprocessed cache.
        augment: a `components.data.augmentation.Augmenter`, run on each batch's pixels (in
            0..255, after any resize, before the normalization), in parallel; None: none.
        one_hot_classes: give labels as one-hot targets over this many classes (what MixUp,
            CutMix and label smoothing train on); None: class ids.
        augment_seed: draw each batch's augmentation from a seed of its own, the batch's
            place in a seeded random stream that advances with each new iterator as the
            shuffle does (`tf.data.Dataset.random`): a run resumed mid-way, replaying the
            finished epochs' iterators, then augments every batch as the uninterrupted run did.
            None: the layers' own running generators.
        epochs: `(first, end)`: the training batches of epochs `first` to `end - 1` in one
            dataset, each epoch's order and augmentation drawn from `(seed, epoch)` and the
            batch's place alone (`augment_seed` is not used). However often and wherever it
            is iterated, epoch e is the same: a run resumed in epoch e starts a dataset at e
            (and `skip`s the batches done) and sees what the uninterrupted run saw. Give
            `fit` the steps per epoch. None: one epoch per iteration, reshuffled by a running
            generator.
        skip: batches of the first epoch already trained on (with `epochs`).

    Example:
    >>> train = make_pipeline(data.train, prep, batch_size=256, training=True)  # doctest: +SKIP
    """
    if batch_size <= 0:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    num_examples = int(dataset.cardinality())
    image_shape = tuple(dataset.element_spec[0].shape)
    out_shape = preprocessing.output_shape(image_shape)
    preprocessed_bytes = max(num_examples, 0) * int(np.prod(out_shape)) * 4
    fits = num_examples >= 0 and preprocessed_bytes <= cache_budget_bytes

    # With augmentation the cache holds pixels, normalized after the augmentation of each batch.
    staged = resize_images if augment is not None else preprocess_images

    def stage(images, labels):
        return staged(images, preprocessing), labels

    if epochs is not None and not training:
        raise ValueError("epochs is for a training pipeline (training=True).")
    if cache and fits:
        dataset = dataset.map(stage, num_parallel_calls=tf.data.AUTOTUNE).cache()
        per_batch = False
    else:
        if cache:
            dataset = dataset.cache()
        per_batch = True
    buffer = num_examples if (cache and num_examples > 0) else 10_000

    # A policy that alternates by epoch (`altflip`) needs each image's place in the training
    # set and the batch's epoch: the examples carry their index (`enumerate`) to the batch.
    placed = augment is not None and augment.needs_epoch
    if placed and epochs is None:
        raise ValueError(
            f"the augmentation {augment.describe()} needs each batch's epoch: give `epochs` "
            "(the epoch-indexed pipeline Keras's fit trains on)."
        )

    def batched(
        examples: tf.data.Dataset, batch_seeds: tf.data.Dataset | None, epoch: int | None = None
    ):
        """Batches, then each batch to the model's input: augment, then normalize."""
        examples = examples.batch(batch_size)
        if placed:  # (index, (image, label)) -> (image, label, indices)
            examples = examples.map(lambda index, pair: (*pair, index))
        if per_batch:
            examples = examples.map(
                lambda x, y, *place: (*stage(x, y), *place), num_parallel_calls=tf.data.AUTOTUNE
            )
        if one_hot_classes is not None:
            examples = examples.map(
                lambda x, y, *place: (x, tf.one_hot(y, one_hot_classes), *place)
            )

        def augmented(x, y, *place, seed=None):
            where = {"epoch": epoch, "indices": place[0]} if placed else {}
            return augment(x, y, seed=seed, **where)

        if augment is not None and batch_seeds is not None:
            # One batch at a time: each call sets the layers' generators, then draws from them.
            examples = tf.data.Dataset.zip((examples, batch_seeds.batch(2))).map(
                lambda batch, seed: augmented(*batch, seed=seed)
            )
        elif augment is not None:
            examples = examples.map(augmented, num_parallel_calls=tf.data.AUTOTUNE)
        if augment is not None:
            # Whatever the seeding, augmented pixels are normalized as serving normalizes them.
            examples = examples.map(
                lambda x, y: (normalize_images(x, preprocessing), y),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        return examples

    if epochs is not None:
        cached = dataset.enumerate() if placed else dataset
        base_seed = 0 if seed is None else seed

        def epoch_batches(epoch: int) -> tf.data.Dataset:
            # Python seeds: TensorFlow's op determinism refuses a tensor as a shuffle's seed.
            epoch_seed = (base_seed * 1_000_003 + epoch) % 2**62
            order = cached.shuffle(buffer, seed=epoch_seed, reshuffle_each_iteration=False)
            return batched(order, tf.data.Dataset.random(seed=epoch_seed + 1), epoch)

        first, end = epochs
        dataset = epoch_batches(first).skip(skip)
        for epoch in range(first + 1, end):
            dataset = dataset.concatenate(epoch_batches(epoch))
    else:
        if training:
            dataset = dataset.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
        seeds = None
        if augment_seed is not None:
            seeds = tf.data.Dataset.random(seed=augment_seed, rerandomize_each_iteration=True)
        dataset = batched(dataset, seeds)
    return dataset.prefetch(tf.data.AUTOTUNE)


def labels_per_head(dataset: tf.data.Dataset, heads: int) -> tf.data.Dataset:
    """`(images, labels)` batches as `(images, (labels,) * heads)`: the targets of a model with
    auxiliary heads (GoogLeNet's), each trained on the labels; the dataset itself for one."""
    return dataset if heads == 1 else dataset.map(lambda x, y: (x, (y,) * heads))
