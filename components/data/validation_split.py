"""The validation part held out of a training split: its size, checked, and the parts in words.

A run's `val_split` holds out the first examples of its training split, whether it reads tfds
(`components.data.tfds_loading`) or NumPy arrays (`components.data.arrays`); both count and
name the parts here.
"""

from __future__ import annotations


def held_out_count(num_examples: int, val_split: float, train_split: str) -> int:
    """How many of `num_examples` a `val_split` holds out.

    Raises:
        ValueError: a `val_split` that holds out nothing or everything.

    Example:
    >>> held_out_count(60_000, 0.1, "train")
    6000
    """
    if num_examples <= 0:  # `train[5:2]`: tfds counts an inverted slice as negative
        raise ValueError(
            f"The split {train_split!r} holds no examples ({num_examples}): a slice's end must "
            "come after its start, e.g. 'train[:5000]' or 'train[10%:20%]'."
        )
    count = int(round(num_examples * val_split))
    if val_split and not 0 < count < num_examples:
        low, high = 1 / num_examples, (num_examples - 1) / num_examples
        raise ValueError(
            f"val_split {val_split:g} of the {num_examples} examples of {train_split!r} "
            f"holds out {count}: it must leave at least one example for validation and one "
            f"for training (between {low:.3g} and {high:.4g} here)."
            if num_examples >= 2
            else f"The split {train_split!r} has {num_examples} example: a validation split "
            "needs at least 2 (one to validate on, one to train on)."
        )
    return count


def split_descriptions(train_split: str, num_validation: int, test_split: str | None) -> dict:
    """The parts in words, for the metadata's `splits`."""
    return {
        "train": f"{train_split} without its first {num_validation} examples"
        if num_validation
        else train_split,
        "validation": f"first {num_validation} examples of {train_split}"
        if num_validation
        else "",
        "test": test_split or "",
    }


__all__ = ["held_out_count", "split_descriptions"]
