"""The repository's architecture, checked: short modules, arrows pointing down, one helper per
job, nothing that points outside the repository."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = ("components", "zoo")
MAX_MODULE_LINES = 400


def _python_files(*roots: str) -> list[Path]:
    return sorted(p for root in roots for p in (REPO_ROOT / root).rglob("*.py"))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", _python_files(*PACKAGES), ids=lambda p: str(p.relative_to(REPO_ROOT))
)
def test_no_module_is_over_400_lines(path):
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES


def test_components_never_import_zoo_or_recipes():
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(
            m for m in _imported_modules(path) if m.split(".")[0] in ("zoo", "recipes")
        )
        for path in _python_files("components")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


@pytest.mark.parametrize("name", [f"vgg{d}{bn}" for d in (11, 13, 16, 19) for bn in ("", "_bn")])
def test_each_vgg_variant_is_findable_by_name(name):
    assert re.search(rf"^def {name}\(", (REPO_ROOT / "zoo" / "vgg.py").read_text(), re.M)


@pytest.mark.parametrize(
    "needle,home",
    [
        ("os.replace(", "components/atomic_files.py"),  # one atomic write
        (
            "tf.train.CheckpointManager(",
            "components/checkpoints/tensorflow_checkpoint.py",
        ),  # one factory
    ],
)
def test_one_helper_per_job(needle, home):
    users = [
        str(p.relative_to(REPO_ROOT)) for p in _python_files(*PACKAGES) if needle in p.read_text()
    ]
    assert users == [home]


def test_no_callback_imports_the_training_run():
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(
            m for m in _imported_modules(path) if m.startswith("components.training")
        )
        for path in _python_files("components/callbacks", "components/checkpoints")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_loop_and_the_pause_share_no_private_attribute():
    text = "".join(p.read_text() for p in _python_files(*PACKAGES))
    assert "_classiczoo_retrace" not in text


def test_nothing_points_at_files_a_user_does_not_have():
    shipped = [*_python_files(*PACKAGES, "recipes", "benchmarks")]
    shipped += [REPO_ROOT / "README.md", REPO_ROOT / "setup.cfg", *REPO_ROOT.glob("docs/*.md")]
    citing = [str(p.relative_to(REPO_ROOT)) for p in shipped if "REFERENCE.md" in p.read_text()]
    assert citing == []


def test_recipes_are_thin_scripts():
    for path in _python_files("recipes"):
        lines = len(path.read_text().splitlines())
        assert lines < (120 if path.name == "train.py" else 40), path
    train = (REPO_ROOT / "recipes" / "train.py").read_text()
    assert "zoo.train(config)" in train and "config_from_args" in train


def test_no_ignore_rule_hides_source():
    """A .gitignore rule meant for run output (`tuning/`) once hid the package
    `components/tuning/`: green here, missing in CI's clean clone."""
    git = shutil.which("git")
    if git is None or not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    sources = [str(p.relative_to(REPO_ROOT)) for p in _python_files(*PACKAGES, "tests", "recipes")]
    ignored = subprocess.run(
        [git, "check-ignore", "--no-index", *sources],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert ignored == []
