"""An ablation of a recipe against a baseline: each technique removed from the one, added to
the other, and what the numbers say each buys.

As airbench (Keller Jordan, arXiv 2404.00498) and Page's "How to train your ResNet" weigh
their tricks: two resolved `TrainConfig`s, the recipe (`fast`) and the baseline (`plain`), and
the `Technique`s that tell them apart, each the settings that carry it (or one augmentation
step). `ablation_variants` builds the arms: the recipe, it with each technique at the
baseline's value, the baseline, it with each technique at the recipe's; and names what no
technique covers. `ablation_row` and `ablation_conclusions` turn the arms' summaries over
seeds (`summarize_seeds`) into a table and sentences computed from the numbers. The lesson
`classiczoo lesson tricks` runs it on a VGG-BN's fast recipe.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from components.data.augmentation import parse_augment
from components.experiments.time_to_accuracy import threshold_key
from components.training.settings import MODEL_DEFAULT_FIELDS

if TYPE_CHECKING:
    from components.training.config import TrainConfig

FAST, PLAIN = "fast recipe", "plain"
GROUPS = ("fast", "removed", "plain", "added")


def removed(technique: Technique) -> str:
    """The name of the fast recipe without `technique`, e.g. `"fast − label smoothing"`."""
    return f"fast − {technique.name}"


def added(technique: Technique) -> str:
    """The name of plain with `technique`, e.g. `"plain + label smoothing"`."""
    return f"plain + {technique.name}"


@dataclasses.dataclass(frozen=True)
class Technique:
    """One technique of the fast recipe: the settings that carry it, or one augmentation step.

    Its value "with" is the fast config's, "without" the plain config's.

    Args:
        key: its name on the command line (`--techniques`).
        name: the name in tables and legends.
        settings: `TrainConfig` settings (keywords of `TrainConfig.of`) it changes together.
        step: instead of settings, one step of the `augment` policy
            (`components.data.augmentation`).

    Example:
    >>> from components.training.config import TrainConfig
    >>> fast = TrainConfig.of(label_smoothing=0.1, augment="altflip,translate")
    >>> plain = TrainConfig.of(label_smoothing=0.0, augment="none")
    >>> smoothing = Technique("smoothing", "label smoothing", ("label_smoothing",))
    >>> smoothing.describe(smoothing.put(plain, fast))
    'label_smoothing 0.1'
    >>> translate = Technique("translate", "2-px translate", step="translate")
    >>> translate.put(fast, plain).settings()["augment"], translate.describe(plain)
    ('altflip', 'no translate')
    """

    key: str
    name: str
    settings: tuple[str, ...] = ()
    step: str | None = None

    def values(self, config: TrainConfig) -> dict:
        """Its settings' values in `config`; for a step, `{"augment": True}` where it is on."""
        settings = config.settings()
        if self.step is not None:
            return {"augment": self.step in parse_augment(settings["augment"])}
        return {name: settings[name] for name in self.settings}

    def put(self, config: TrainConfig, source: TrainConfig) -> TrainConfig:
        """`config` with this technique as `source` has it."""
        if self.step is None:
            return config.replace(**self.values(source))
        steps = set(parse_augment(config.settings()["augment"])) - {self.step}
        if self.values(source)["augment"]:
            steps.add(self.step)
        return config.replace(augment=",".join(sorted(steps)) or "none")

    def describe(self, config: TrainConfig) -> str:
        """Its values in `config`, e.g. `"label_smoothing 0.1"` or `"no translate"`."""
        if self.step is not None:
            return self.step if self.values(config)["augment"] else f"no {self.step}"
        return ", ".join(
            f"{name} {value:g}" if isinstance(value, float) else f"{name} {value}"
            for name, value in self.values(config).items()
        )


@dataclasses.dataclass(frozen=True)
class AblationVariant:
    """One arm of the ablation: a resolved config, its group and the technique it changes.

    Args:
        name: e.g. `"fast − label smoothing"`.
        group: one of `GROUPS`: the fast recipe, it with a technique removed, the plain
            baseline, or it with a technique added.
        config: the resolved settings (its seed replaced per run).
        technique: the technique removed or added (None: fast, plain).
    """

    name: str
    group: str
    config: TrainConfig
    technique: Technique | None = None


def ablation_variants(
    fast: TrainConfig, plain: TrainConfig, techniques: Sequence[Technique]
) -> tuple[list[AblationVariant], list[Technique], dict[str, tuple]]:
    """The fast recipe, it without each technique, the plain baseline, it with each.

    Args:
        fast, plain: resolved configs, the same but for the techniques (and whatever else the
            third result names).
        techniques: those to ablate, in the tables' order.

    Returns:
        The variants; the techniques left out because fast and plain do not differ in them;
        and `{setting: (fast's, plain's)}` for the settings in which they differ that no
        technique covers (empty when the techniques account for the whole difference).
    """
    used = [t for t in techniques if t.values(fast) != t.values(plain)]
    variants = [AblationVariant(FAST, "fast", fast)]
    variants += [AblationVariant(removed(t), "removed", t.put(fast, plain), t) for t in used]
    variants.append(AblationVariant(PLAIN, "plain", plain))
    variants += [AblationVariant(added(t), "added", t.put(plain, fast), t) for t in used]
    stripped = fast
    for technique in used:
        stripped = technique.put(stripped, plain)
    mine, theirs, original = stripped.settings(), plain.settings(), fast.settings()
    uncovered = {
        name: (original[name], theirs[name])
        for name in (*MODEL_DEFAULT_FIELDS, "model_options")
        if name != "augment" and mine[name] != theirs[name]
    }
    if parse_augment(mine["augment"]) != parse_augment(theirs["augment"]):
        uncovered["augment"] = (original["augment"], theirs["augment"])
    return variants, [t for t in techniques if t not in used], uncovered


def ablation_headers(threshold: float) -> list[str]:
    """The columns of `ablation_row`."""
    return [
        "variant",
        "setting",
        "final test accuracy",
        "min",
        "max",
        "Δ",
        f"seconds to {threshold:g}",
        "seeds reaching",
        f"epoch to {threshold:g}",
        "training seconds",
    ]


def _reference(variant: AblationVariant) -> str | None:
    """The variant its Δ is taken from."""
    return {"removed": FAST, "added": PLAIN, "fast": PLAIN}.get(variant.group)


def ablation_row(variant: AblationVariant, summaries: dict[str, dict], threshold: float) -> list:
    """A variant's row of the table: the technique's value in it, the final test accuracy
    (median, min, max), Δ from its reference's median (`fast − X` from the fast recipe's,
    `plain + X` and the fast recipe from plain's), the median seconds and epoch to
    `threshold` and the seeds that reach it, the median training seconds."""
    summary = summaries[variant.name]
    final, found = summary["final_test_accuracy"], summary["thresholds"][threshold_key(threshold)]
    reference = _reference(variant)
    return [
        variant.name,
        variant.technique.describe(variant.config) if variant.technique else None,
        final["median"],
        final["min"],
        final["max"],
        None if reference is None else final["median"] - _final(summaries, reference),
        "not reached" if found["seconds"] is None else round(found["seconds"], 1),
        f"{found['reached']}/{summary['seeds']}",
        found["epoch"],
        round(summary["train_seconds"], 1),
    ]


def _final(summaries: dict, name: str) -> float:
    return summaries[name]["final_test_accuracy"]["median"]


def _time(summary: dict, threshold: float) -> str:
    found = summary["thresholds"][threshold_key(threshold)]
    if found["seconds"] is None:
        return f"not reached ({found['reached']}/{summary['seeds']} seeds)"
    return f"{found['seconds']:.0f} s (epoch {found['epoch']:g})"


def _spread(a: dict, b: dict) -> str:
    """Whether two variants' final accuracies over the seeds (min-max) overlap, in words."""
    if min(a["seeds"], b["seeds"]) < 2:
        return "one seed: no spread to judge by"
    a, b = a["final_test_accuracy"], b["final_test_accuracy"]
    apart = a["min"] > b["max"] or b["min"] > a["max"]
    return "the seeds' ranges apart" if apart else "within the seeds' spread"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _most(bought: list[tuple], index: int, where: str) -> str:
    """The technique worth most `where`: the largest `b[index]` (final accuracy gained)."""
    best = max(bought, key=lambda b: b[index])
    gained, name = best[index], best[2].name
    if gained > 0:
        return f"worth most {where}: {name} ({gained:+.4f} final accuracy)"
    return f"none is worth accuracy {where}; the least harm: {name} ({gained:+.4f})"


def ablation_conclusions(
    variants: Sequence[AblationVariant],
    summaries: dict[str, dict],
    threshold: float,
    skipped: Sequence[Technique] = (),
    uncovered: dict[str, tuple] | None = None,
) -> list[str]:
    """What the run's numbers say, in sentences computed from them (the report's notes).

    Args:
        variants: `ablation_variants`'s, named as it names them.
        summaries: `{variant name: summarize_seeds(its runs)}`.
        threshold: the accuracy timed.
        skipped, uncovered: `ablation_variants`'s other results.
    """
    fast, plain = summaries[FAST], summaries[PLAIN]
    lines = [
        f"The fast recipe against plain: final test accuracy "
        f"{_final(summaries, FAST):.4f} vs {_final(summaries, PLAIN):.4f} "
        f"({_spread(fast, plain)}); time to {threshold:g} {_time(fast, threshold)} vs "
        f"{_time(plain, threshold)}."
    ]
    bought = []  # (in the fast recipe, added to plain, technique)
    for variant in variants:
        if variant.group != "removed":
            continue
        technique = variant.technique
        without, with_it = summaries[variant.name], summaries[added(technique)]
        in_fast = _final(summaries, FAST) - _final(summaries, variant.name)
        in_plain = _final(summaries, added(technique)) - _final(summaries, PLAIN)
        bought.append((in_fast, in_plain, technique))
        with_config = next(v.config for v in variants if v.name == added(technique))
        lines.append(
            f"- **{technique.name}** ({technique.describe(with_config)} instead of "
            f"{technique.describe(variant.config)}): in the fast recipe it buys {in_fast:+.4f} "
            f"final accuracy ({_spread(fast, without)}), time to {threshold:g} "
            f"{_time(fast, threshold)} with it, {_time(without, threshold)} without; added to "
            f"plain, {in_plain:+.4f} ({_spread(plain, with_it)}), {_time(with_it, threshold)} "
            f"against {_time(plain, threshold)}."
        )
    if bought:
        turned = [t.name for in_fast, in_plain, t in bought if (in_fast > 0) != (in_plain > 0)]
        lines.append(
            _sentence(_most(bought, 0, "in the fast recipe"))
            + f"; {_most(bought, 1, 'added alone to plain')}. "
            + (
                "Helping in one and not in the other (it depends on the others, or on noise "
                "where the seeds' ranges overlap): " + ", ".join(turned) + "."
                if turned
                else "Every technique points the same way removed and added."
            )
        )
    if skipped:
        lines.append(
            "Not ablated, the same in the fast recipe and plain: "
            + ", ".join(t.name for t in skipped)
            + "."
        )
    if uncovered:
        lines.append(
            "The fast recipe and plain also differ in settings no technique covers (fast vs "
            "plain): " + "; ".join(f"{k} {a} vs {b}" for k, (a, b) in uncovered.items()) + "."
        )
    lines.append(
        "Seconds hold as ratios within this run only (machines, and a shared machine's "
        "moments, differ several-fold); every variant sees the same images per epoch, so the "
        "epoch that reaches the threshold counts compute."
    )
    return lines


__all__ = [
    "FAST",
    "GROUPS",
    "PLAIN",
    "AblationVariant",
    "Technique",
    "ablation_conclusions",
    "ablation_headers",
    "ablation_row",
    "ablation_variants",
    "added",
    "removed",
]
