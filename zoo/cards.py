"""Model cards: what a model is and costs, at each of its scales, and how to train it."""

from __future__ import annotations

import dataclasses

import keras

from components.diagnostics.flops import count_flops
from components.tuning.search_space import SearchSpace
from zoo.defaults import Recipe
from zoo.registry import _entry, create


def describe(name: str, *, scales: tuple[str, ...] = ("small", "paper")) -> dict:
    """A model's card: parameters and FLOPs per image at each scale, paper, recipe defaults and
    the hyperparameter search space of `classiczoo tune`.

    Args:
        name: a name from `zoo.list_models()`.
        scales: which scales to build and measure; the paper scale builds a full-size model.

    Example:
    >>> zoo.describe("vgg16")["scales"]["paper"]["parameters"]  # doctest: +SKIP
    138357544
    """
    entry = _entry(name)
    defaults = entry.defaults
    card = {
        "name": name,
        "paper": defaults.paper,
        "summary": " ".join((entry.build.__doc__ or "").strip().split("\n\n")[0].split()),
        "recipes": {
            recipe: dataclasses.asdict(defaults.recipe(recipe))
            for recipe in defaults.recipe_names()
        },
        "search_space": defaults.search_space.to_dict(),
        "default_input_shape": list(defaults.input_shape),
        "scales": {},
    }
    shapes = {"small": (defaults.input_shape, defaults.num_classes)}
    if defaults.paper_input_shape is not None:
        shapes["paper"] = (defaults.paper_input_shape, defaults.paper_num_classes)
    for scale in scales:
        if scale not in shapes:
            continue
        input_shape, num_classes = shapes[scale]
        kwargs = {"scale": scale} if defaults.paper_input_shape is not None else {}
        model = create(name, input_shape=input_shape, num_classes=num_classes, **kwargs)
        card["scales"][scale] = {
            "input_shape": list(input_shape),
            "num_classes": num_classes,
            "parameters": int(model.count_params()),
            "flops": count_flops(model),
        }
        del model
        keras.backend.clear_session()
    return card


def format_card(card: dict) -> str:
    """The card as text, for `classiczoo models describe`."""
    lines = [f"{card['name']}: {card['summary']}", f"  paper: {card['paper']}"]
    for scale, facts in card["scales"].items():
        shape = "x".join(str(d) for d in facts["input_shape"])
        lines.append(
            f"  {scale:5s} {shape}, {facts['num_classes']} classes: "
            f"{facts['parameters']:,} parameters, {facts['flops'] / 1e6:,.1f} MFLOPs per image"
        )
    for name, fields in card["recipes"].items():
        recipe = Recipe(**fields)
        lines.append(f"  recipe {name} ({recipe.goal}): {recipe.describe()}")
        if recipe.chosen_on:
            lines.append(f"    chosen on: {recipe.chosen_on}")
    lines.append(f"  search space: {SearchSpace.from_dict(card['search_space']).describe()}")
    return "\n".join(lines)


__all__ = ["describe", "format_card"]
