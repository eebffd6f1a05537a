"""An ablation of a recipe against a baseline (components.experiments.ablation): the arms from
two resolved configs, the table's row and the conclusions against hand-computed values, and
the plot. No training."""

from __future__ import annotations

import matplotlib.image
import pytest

import zoo
from components.experiments import (
    PLAIN_SETTINGS,
    Technique,
    ablation_conclusions,
    ablation_headers,
    ablation_row,
    ablation_variants,
    plot_ablation,
)
from components.training.config import TrainConfig

OPTIMIZER = Technique("optimizer", "Nesterov SGD", ("optimizer", "learning_rate", "weight_decay"))
SMOOTHING = Technique("smoothing", "label smoothing", ("label_smoothing",))
TRANSLATE = Technique("translate", "2-px translate", step="translate")
SHOWN = ("optimizer", "learning_rate", "weight_decay", "label_smoothing", "batch_size", "epochs")


def _settings(config) -> dict:
    settings = config.settings()
    return {name: settings[name] for name in (*SHOWN, "augment")}


@pytest.fixture(scope="module")
def configs():
    zoo.list_models()  # loads the model families, which `zoo.registry` alone may not
    common = {"model": "vgg11_bn", "width": 0.125, "epochs": 2}
    # A batch of its own: a setting in which fast and plain differ that no technique given
    # below covers (the recipe's 128 is the default's).
    fast = TrainConfig.of(recipe="fast", batch_size=256, **common).resolve(zoo.registry)
    plain = TrainConfig.of(recipe="default", **common, **PLAIN_SETTINGS).resolve(zoo.registry)
    return fast, plain


def test_each_arm_changes_its_technique_only(configs):
    fast, plain = configs
    variants, skipped, uncovered = ablation_variants(fast, plain, [OPTIMIZER, TRANSLATE])
    assert [(v.name, v.group) for v in variants] == [
        ("fast recipe", "fast"),
        ("fast − Nesterov SGD", "removed"),
        ("fast − 2-px translate", "removed"),
        ("plain", "plain"),
        ("plain + Nesterov SGD", "added"),
        ("plain + 2-px translate", "added"),
    ]
    configs_of = {v.name: _settings(v.config) for v in variants}
    assert configs_of["fast recipe"] == _settings(fast)
    assert configs_of["fast − Nesterov SGD"] == {
        **_settings(fast),
        "optimizer": "adam",
        "learning_rate": 0.001,
        "weight_decay": 0.0,
    }
    assert configs_of["fast − 2-px translate"] == {**_settings(fast), "augment": "altflip"}
    assert configs_of["plain + Nesterov SGD"] == {
        **_settings(plain),
        "optimizer": "nesterov",
        "learning_rate": 0.1,
        "weight_decay": 0.005,
    }
    assert configs_of["plain + 2-px translate"] == {**_settings(plain), "augment": "translate"}
    assert OPTIMIZER.describe(fast) == "optimizer nesterov, learning_rate 0.1, weight_decay 0.005"
    assert TRANSLATE.describe(plain) == "no translate"
    # What the two techniques leave between fast and plain is named, fast's value first.
    assert skipped == []
    assert uncovered == {
        "batch_size": (256, 128),
        "lr_schedule": ("warmup_linear", "constant"),
        "label_smoothing": (0.1, 0.0),
        "augment": ("altflip,translate", "none"),
    }
    # A technique in which they agree is left out, and said to be.
    smoothed = plain.replace(label_smoothing=0.1)
    variants, skipped, _ = ablation_variants(fast, smoothed, [SMOOTHING, TRANSLATE])
    assert skipped == [SMOOTHING] and len(variants) == 4


def _summary(finals, seconds=None, epoch=None):
    """`summarize_seeds`'s form, from final accuracies and a median time to 0.9."""
    return {
        "seeds": len(finals),
        "thresholds": {
            "0.9": {
                "reached": len(finals) if seconds is not None else 0,
                "epoch": epoch,
                "seconds": seconds,
                "tflop": None,
            }
        },
        "final_test_accuracy": {
            "median": sorted(finals)[len(finals) // 2],
            "min": min(finals),
            "max": max(finals),
        },
        "train_seconds": 100.0,
    }


@pytest.fixture
def ablation(configs):
    fast, plain = configs
    variants, skipped, uncovered = ablation_variants(fast, plain, [SMOOTHING, TRANSLATE])
    summaries = {
        "fast recipe": _summary([0.92, 0.93, 0.94], seconds=40, epoch=2),
        "fast − label smoothing": _summary([0.915, 0.925, 0.93], seconds=60, epoch=3),
        "fast − 2-px translate": _summary([0.88, 0.89, 0.90]),  # never reaches 0.9
        "plain": _summary([0.85, 0.86, 0.87]),
        "plain + label smoothing": _summary([0.84, 0.855, 0.86]),
        "plain + 2-px translate": _summary([0.88, 0.885, 0.89]),
    }
    return variants, summaries, skipped, uncovered


def test_rows_against_hand_computed_values(ablation):
    variants, summaries, _, _ = ablation
    rows = {v.name: ablation_row(v, summaries, 0.9) for v in variants}
    assert len(ablation_headers(0.9)) == len(rows["plain"])
    assert ablation_headers(0.9)[6:9] == ["seconds to 0.9", "seeds reaching", "epoch to 0.9"]
    # Δ of the fast recipe from plain's median, 0.93 - 0.86; plain has none.
    assert rows["fast recipe"][:5] == ["fast recipe", None, 0.93, 0.92, 0.94]
    assert rows["fast recipe"][5] == pytest.approx(0.07)
    assert rows["fast recipe"][6:] == [40, "3/3", 2, 100.0]
    assert rows["plain"][5] is None
    # A removed technique from the fast recipe's, an added one from plain's.
    assert rows["fast − label smoothing"][1] == "label_smoothing 0"
    assert rows["fast − label smoothing"][5] == pytest.approx(0.925 - 0.93)
    assert rows["fast − 2-px translate"][6:9] == ["not reached", "0/3", None]
    assert rows["plain + 2-px translate"][1] == "translate"
    assert rows["plain + 2-px translate"][5] == pytest.approx(0.885 - 0.86)


def test_conclusions_come_from_the_numbers(ablation):
    variants, summaries, skipped, uncovered = ablation
    lines = ablation_conclusions(variants, summaries, 0.9, skipped, uncovered)
    text = "\n".join(lines)
    assert lines[0].startswith("The fast recipe against plain: final test accuracy 0.9300 vs")
    assert "(the seeds' ranges apart)" in lines[0]
    assert "40 s (epoch 2) vs not reached (0/3 seeds)" in lines[0]
    smoothing = next(line for line in lines if "**label smoothing**" in line)
    # 0.93 - 0.925 and 0.855 - 0.86: both within the seeds' spread.
    assert "(label_smoothing 0.1 instead of label_smoothing 0)" in smoothing
    assert "it buys +0.0050 final accuracy (within the seeds' spread)" in smoothing
    assert "40 s (epoch 2) with it, 60 s (epoch 3) without" in smoothing
    assert "added to plain, -0.0050 (within the seeds' spread)" in smoothing
    translate = next(line for line in lines if "**2-px translate**" in line)
    assert "+0.0400 final accuracy (the seeds' ranges apart)" in translate
    assert "added to plain, +0.0250 (the seeds' ranges apart)" in translate
    assert (
        "Worth most in the fast recipe: 2-px translate (+0.0400 final accuracy); worth most "
        "added alone to plain: 2-px translate (+0.0250 final accuracy)." in text
    )
    assert "one and not in the other" in text and ": label smoothing." in text
    assert "differ in settings no technique covers (fast vs plain): batch_size 256 vs 128" in text
    # Other numbers, other words.
    summaries["plain + label smoothing"] = _summary([0.95, 0.95, 0.95], seconds=10, epoch=1)
    text = "\n".join(ablation_conclusions(variants, summaries, 0.9))
    assert "worth most added alone to plain: label smoothing (+0.0900 final accuracy)" in text
    assert "Every technique points the same way removed and added." in text
    for name in ("fast − label smoothing", "fast − 2-px translate"):  # removing them helps
        summaries[name] = _summary([0.95, 0.95, 0.95])
    text = "\n".join(ablation_conclusions(variants, summaries, 0.9))
    assert (
        "None is worth accuracy in the fast recipe; the least harm: label smoothing (-0.0200)"
    ) in text
    one_seed = {name: {**s, "seeds": 1} for name, s in summaries.items()}
    assert "one seed: no spread to judge by" in ablation_conclusions(variants, one_seed, 0.9)[0]


def test_the_plot(ablation, tmp_path):
    variants, summaries, _, _ = ablation
    path = plot_ablation(variants, summaries, 0.9, tmp_path / "ablation.png", title="t")
    image = matplotlib.image.imread(path)
    assert image.shape[0] >= 300 and image.shape[1] >= 900
    assert image[..., :3].std() > 0.05
    assert [p.name for p in tmp_path.iterdir()] == ["ablation.png"]  # no temporary file left
