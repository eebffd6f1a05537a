"""Every lesson on a tiny budget of the real Fashion-MNIST: its plots and its table."""

from __future__ import annotations

import importlib.util
import math

import matplotlib.image
import pytest

from components.lessons import LESSONS as LESSON_NAMES
from components.lessons import lesson_module
from tests.conftest import REPO_ROOT

TINY = ["--train-images=128", "--test-images=64", "--epochs=1"]
# lesson: (extra flags, rows in results.md, PNGs, columns that hold numbers)
LESSONS = {
    "init": (
        ["--examples=200", "--width=64", "--depth=4"],
        10,
        ["histograms.png", "std_per_layer.png"],
        ["L1", "L2", "L3", "L4"],
    ),
    "activations": (
        TINY,
        6,
        ["loss_curves.png", "test_accuracy.png"],
        ["train loss", "test accuracy"],
    ),
    "optimizers": (
        TINY,
        6,
        ["loss_curves.png", "first_steps.png", "test_accuracy.png"],
        ["learning rate", "train loss", "test accuracy"],
    ),
    "batchnorm": (
        [*TINY, "--learning-rates=0.1,1"],
        4,
        ["loss_curves.png", "test_accuracy.png"],
        ["learning rate", "train loss", "test accuracy"],
    ),
    "regularization": (
        TINY,
        3,
        ["loss_curves.png", "accuracy.png"],
        ["train accuracy", "test accuracy", "gap", "train loss", "test loss"],
    ),
    "loss": (
        TINY,
        2,
        ["loss_curves.png", "accuracy.png"],
        ["final train loss (own)", "train accuracy", "test accuracy"],
    ),
    "minibatch": (
        TINY,
        3,
        ["loss_curves.png"],
        ["batch size", "steps per epoch", "loss noise", "seconds per epoch", "test accuracy"],
    ),
    "preprocessing": (
        TINY,
        4,
        ["loss_curves.png", "test_accuracy.png"],
        ["train loss", "train accuracy", "test accuracy"],
    ),
    "augmentation": (
        TINY,
        3,
        ["accuracy.png", "loss_curves.png"],
        ["train accuracy", "held-out accuracy", "gap", "train loss", "held-out loss"],
    ),
    "capacity": (
        [*TINY, "--depths=1,2", "--widths=2,4"],
        4,
        ["capacity.png", "accuracy.png", "loss_curves.png"],
        ["depth", "width", "parameters", "train accuracy", "held-out accuracy", "gap"],
    ),
    "crossval": (
        [*TINY, "--folds=2", "--seeds=2"],
        2,
        ["estimates.png"],
        ["hold-out estimate", "k-fold mean", "k-fold std", "reference (test)", "k-fold error"],
    ),
    "bias_variance": (
        ["--epochs=1", "--dev-examples=200"],
        4,
        ["quadrants.png", "errors.png"],
        ["train error", "dev error", "Bayes error", "variance"],
    ),
    "tricks": (  # one technique: fast, fast without it, plain, plain with it
        [*TINY, "--techniques=smoothing", "--seeds=2"],
        4,
        ["tricks.png"],
        ["final test accuracy", "min", "max", "training seconds"],
    ),
}
NO_DATA = ("init", "bias_variance")  # generated data
# Files a lesson writes beside its plots and results.md: the finished runs it can resume from.
RECORDS = {"tricks": ["runs.json"]}


def lesson(name: str):
    return lesson_module(name)


def registry_of(name: str) -> dict:
    """The keyword a lesson that trains zoo models takes (as `classiczoo lesson` gives it)."""
    if not getattr(lesson_module(name), "TAKES_REGISTRY", False):
        return {}
    import zoo

    zoo.list_models()  # loads the model families, which `zoo.registry` alone may not
    return {"registry": zoo.registry}


def read_table(path):
    """The markdown table of `path`: header cells and rows of cells; checks its form."""
    lines = [line for line in path.read_text().splitlines() if line.startswith("|")]
    assert len(lines) >= 3, path.read_text()
    header, separator, *rows = (line.strip("|").split(" | ") for line in lines)
    header = [cell.strip() for cell in header]
    assert lines[1] == "|" + "---|" * len(header)
    rows = [[cell.strip() for cell in row] for row in rows]
    assert all(len(row) == len(header) for row in rows), lines
    return header, rows


def test_every_lesson_has_a_recipe_and_a_test_here():
    assert sorted(LESSON_NAMES) == sorted(LESSONS)


def test_lesson_recipe_names_shadow_no_module():
    # A script's directory comes first on sys.path: recipes/lessons/optimizers.py would hide
    # any installed top-level module `optimizers` from everything the script imports.
    names = sorted(p.stem for p in (REPO_ROOT / "recipes" / "lessons").glob("*.py"))
    assert names == sorted(LESSONS)
    for name in names:
        assert importlib.util.find_spec(name) is None, f"recipes/lessons/{name}.py shadows {name}"


@pytest.mark.e2e
@pytest.mark.parametrize("name", list(LESSONS))
def test_lesson_writes_plots_and_table(name, fashion_mnist_data_dir, tmp_path):
    flags, num_rows, pngs, numeric = LESSONS[name]
    data = [] if name in NO_DATA else [f"--data-dir={fashion_mnist_data_dir}"]
    result = lesson(name).main(
        [*flags, *data, f"--out={tmp_path / name}", "--seed=3"], **registry_of(name)
    )
    assert result["out"] == tmp_path / name
    written = sorted(p.name for p in (tmp_path / name).iterdir())
    # ... and no temporary files left behind
    assert written == sorted([*pngs, "results.md", *RECORDS.get(name, [])])
    for png in pngs:
        image = matplotlib.image.imread(tmp_path / name / png)
        assert image.shape[0] >= 300 and image.shape[1] >= 400
        assert image[..., :3].std() > 0.05  # not blank
    header, rows = read_table(tmp_path / name / "results.md")
    assert len(rows) == num_rows
    for column in numeric:
        for row in rows:
            value = float(row[header.index(column)])
            assert not math.isinf(value)
            if "accuracy" in column and column != "gap":
                assert 0 <= value <= 1
    text = (tmp_path / name / "results.md").read_text()
    assert text.startswith("# Lesson: ") and "seed 3" in text


@pytest.mark.parametrize(
    "name,flags,message",
    [
        ("activations", ["--epochs=0"], "must be a positive integer"),
        ("activations", ["--train-images=70000"], "must be an integer in 1..60000"),
        ("optimizers", ["--adaptive-lr=-1"], "must be a finite positive number"),
        ("batchnorm", ["--learning-rates=0.1,x"], "comma-separated positive numbers"),
        ("regularization", ["--dropout=1"], "must be in [0, 1)"),
        ("loss", ["--margin=0"], "must be a finite positive number"),
        ("minibatch", ["--batch-sizes=1,0"], "comma-separated positive integers or 'full'"),
        ("preprocessing", ["--epsilon=0"], "must be a finite positive number"),
        ("init", ["--depth=0"], "must be an integer in 1..50"),
        ("init", ["--seed=-2"], "must be an integer >= 0"),
        ("capacity", ["--depths=1,4"], "must be comma-separated integers in 1..3"),
        ("crossval", ["--folds=1"], "must be an integer in 2..20"),
        ("bias_variance", ["--tolerance=1"], "must be in [0, 1)"),
        ("tricks", ["--threshold=1"], "must be in [0, 1)"),
        ("tricks", ["--techniques=smoothing,dropout"], "unknown technique 'dropout'; valid:"),
        ("tricks", ["--batch-size=64"], "unrecognized arguments: --batch-size"),
        ("tricks", ["--model=lenet5_bn"], "model 'lenet5_bn' has no fast recipe"),
        ("tricks", ["--model=vgg11_bn", "--width=-1"], "must be a finite positive number"),
        ("tricks", ["--resume"], "--resume: no runs recorded at"),
    ],
)
def test_bad_flags_are_refused_before_anything_runs(name, flags, message, capsys, tmp_path):
    with pytest.raises(SystemExit):
        lesson(name).main([*flags, f"--out={tmp_path}"], **registry_of(name))
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
