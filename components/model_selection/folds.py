"""k folds of a tfds split, as tfds split strings: what cross-validation trains and validates on.

Fold i of k holds examples `[i n / k, (i + 1) n / k)` of the split (n examples, tfds's fixed
order; the first `n % k` folds one example longer, as `tfds.even_splits` makes them); its
training part is every other fold, joined with tfds's `+`. A fold of a whole split that falls
on whole percents is written with percent slicing (`train[20%:40%]`), any other with example
indices (`train[12000:24000]`); both read exactly those examples. `tfds.even_splits` gives the
validation parts but not their complements, hence this module.
"""

from __future__ import annotations

import dataclasses

import tensorflow_datasets as tfds


@dataclasses.dataclass(frozen=True)
class Fold:
    """One fold: what it validates on and what it trains on.

    Args:
        index: 0-based.
        validation_split: the held-out examples, a tfds split (`"train[0%:20%]"`).
        train_split: the other folds joined (`"train[20%:100%]"`).
        num_validation, num_train: their sizes.
    """

    index: int
    validation_split: str
    train_split: str
    num_validation: int
    num_train: int


def fold_boundaries(num_examples: int, folds: int) -> list[tuple[int, int]]:
    """`[start, end)` of each fold over `num_examples` examples.

    Raises:
        ValueError: fewer than 2 folds, or more folds than examples.

    Example:
    >>> fold_boundaries(10, 3)
    [(0, 4), (4, 7), (7, 10)]
    """
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ValueError(
            f"folds must be an integer >= 2, got {folds!r}: k-fold cross-validation holds out "
            "each of k >= 2 parts in turn (one fold would leave nothing to train on)."
        )
    if folds > num_examples:
        raise ValueError(
            f"folds ({folds}) must not exceed the examples of the split ({num_examples}): "
            "every fold needs at least one example."
        )
    base, extra = divmod(num_examples, folds)
    bounds, start = [], 0
    for i in range(folds):
        end = start + base + (1 if i < extra else 0)
        bounds.append((start, end))
        start = end
    return bounds


def _slice(name: str, offset: int, start: int, end: int, total: int, whole: bool) -> str:
    if whole and (start * 100) % total == 0 and (end * 100) % total == 0:
        return f"{name}[{start * 100 // total}%:{end * 100 // total}%]"
    return f"{name}[{offset + start}:{offset + end}]"


def kfold_splits(split: str, folds: int, split_infos) -> list[Fold]:
    """The k folds of tfds split `split` (a whole split, or one slice of one: `train[:5000]`).

    Args:
        split: the tfds split to fold.
        folds: k, 2..number of examples.
        split_infos: the dataset's splits (`builder.info.splits`).

    Raises:
        ValueError: a split tfds cannot read, one joined from several (`train+test`), fewer
            than 2 folds or more folds than examples.

    Example:
    >>> import tensorflow_datasets as tfds  # doctest: +SKIP
    >>> splits = tfds.builder("fashion_mnist").info.splits  # doctest: +SKIP
    >>> [f.validation_split for f in kfold_splits("train", 5, splits)][:2]  # doctest: +SKIP
    ['train[0%:20%]', 'train[20%:40%]']
    """
    try:
        parts = tfds.core.ReadInstruction.from_spec(split).to_absolute(split_infos)
    except (ValueError, KeyError, AssertionError) as err:
        raise ValueError(
            f"Cannot fold split {split!r}: {err} Its splits: {list(split_infos.keys())}."
        ) from None
    if len(parts) != 1:
        raise ValueError(
            f"Cannot fold split {split!r}: it joins {len(parts)} splits; give one split or one "
            "slice of one (e.g. 'train' or 'train[:5000]')."
        )
    (part,) = parts
    total = split_infos[part.splitname].num_examples
    start, end = part.from_ or 0, total if part.to is None else part.to
    num_examples = end - start
    bounds = fold_boundaries(num_examples, folds)
    whole = num_examples == total

    def piece(a: int, b: int) -> str:
        return _slice(part.splitname, start, a, b, total, whole)

    result = []
    for index, (a, b) in enumerate(bounds):
        pieces = [piece(*span) for span in ((0, a), (b, num_examples)) if span[1] > span[0]]
        result.append(
            Fold(
                index=index,
                validation_split=piece(a, b),
                train_split="+".join(pieces),
                num_validation=b - a,
                num_train=num_examples - (b - a),
            )
        )
    return result


__all__ = ["Fold", "fold_boundaries", "kfold_splits"]
