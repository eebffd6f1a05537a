"""The recipes: thin scripts over the library's commands, runnable from a clone."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT
from zoo.cli import COMMANDS

RECIPES = sorted((REPO_ROOT / "recipes").glob("*.py"))


def _run_command_names(path) -> list[str]:
    """The command names a recipe passes to `zoo.cli.run_command`."""
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "run_command":
            names.append(node.args[0].value)
    return names


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_each_recipe_runs_one_command_of_the_package(path):
    if path.name == "train.py":  # flags -> TrainConfig -> zoo.train, spelled out
        assert "zoo.train(config)" in path.read_text()
        return
    [name] = _run_command_names(path)
    assert name in COMMANDS
    assert COMMANDS[name][0] == path.stem.replace("launch_local", "launch")


def test_a_recipe_runs_from_a_clone_and_refuses_bad_input_in_one_line(tmp_path):
    out = subprocess.run(
        [sys.executable, str(REPO_ROOT / "recipes" / "evaluate.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert out.returncode == 1
    assert out.stderr.startswith("python recipes/evaluate.py: error: ")
    assert "is not a SavedModel directory" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.e2e
def test_the_train_recipe_trains_exports_and_names_itself(fashion_mnist_data_dir, tmp_path):
    out = subprocess.run(
        [sys.executable, str(REPO_ROOT / "recipes" / "train.py"), "--model=lenet5",
         f"--data-dir={fashion_mnist_data_dir}", "--train-split=train[:512]",
         "--test-split=test[:128]", "--epochs=1", f"--export-dir={tmp_path / 'exports'}"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Exported SavedModel:" in out.stdout
    metadata = (tmp_path / "exports" / "lenet5" / "1" / "metadata.json").read_text()
    assert '"command": "python recipes/train.py --model=lenet5' in metadata
