"""k folds of a split, as tfds split strings: what cross-validation trains and validates on.

Fold i of k holds examples `[i n / k, (i + 1) n / k)` of the split (n examples, tfds's fixed
order; the first `n % k` folds one example longer, as `tfds.even_splits` makes them); its
training part is every other fold, joined with tfds's `+`. A fold of a whole split that falls
on whole percents is written with percent slicing (`train[20%:40%]`), any other with example
indices (`train[12000:24000]`); both read exactly those examples. `tfds.even_splits` gives the
validation parts but not their complements, hence this module. The strings read the same
examples through tfds (the TensorFlow run) and through `components.data.arrays.select_split`
(the JAX run, image folders), which also parses them here: no TensorFlow is needed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from components.data.arrays import split_span


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


def kfold_splits(split: str, folds: int, sizes: Mapping[str, int]) -> list[Fold]:
    """The k folds of split `split` (a whole split, or one slice of one: `train[:5000]`).

    Args:
        split: the split to fold, a tfds split string.
        folds: k, 2..number of examples.
        sizes: the examples of each of the dataset's splits (`components.data.arrays.
            split_sizes`).

    Raises:
        ValueError: a split that is not one of `sizes` or a bad slice, one joined from several
            (`train+test`), fewer than 2 folds or more folds than examples.

    Example:
    >>> [f.validation_split for f in kfold_splits("train", 5, {"train": 60000})][:2]
    ['train[0%:20%]', 'train[20%:40%]']
    >>> kfold_splits("train[:10]", 3, {"train": 60000})[1].train_split
    'train[0:4]+train[7:10]'
    """
    if "+" in split:
        raise ValueError(
            f"Cannot fold split {split!r}: it joins {split.count('+') + 1} splits; give one "
            "split or one slice of one (e.g. 'train' or 'train[:5000]')."
        )
    try:
        name, start, end = split_span(split, sizes)
    except ValueError as err:
        raise ValueError(f"Cannot fold split {split!r}: {err}") from None
    total = sizes[name]
    num_examples = end - start
    bounds = fold_boundaries(num_examples, folds)
    whole = num_examples == total

    def piece(a: int, b: int) -> str:
        return _slice(name, start, a, b, total, whole)

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
