"""`classiczoo`: the commands a pip user has, their help, and their refusals."""

from __future__ import annotations

import sys

import pytest

import components
from zoo import cli
from zoo.cli.launch import worker_command


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"classiczoo {components.__version__}"


def test_top_level_help_lists_every_command(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    commands = ("train", "evaluate", "ensemble", "tune", "cross-validate", "models", "lr-find")
    for name in (*commands, "launch", "lesson"):
        assert f"\n  {name} " in out


@pytest.mark.parametrize(
    "command,flag",
    [
        ("train", "--deterministic"),
        ("evaluate", "--report-dir"),
        ("ensemble", "--method"),
        ("tune", "--max-trials"),
        ("cross-validate", "--compare"),
        ("models", "list|describe"),
        ("lr-find", "--min-lr"),
        ("launch", "--workers"),
        ("lesson", "NAME"),
    ],
)
def test_every_command_has_help(command, flag, capsys):
    assert cli.main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: classiczoo {command}") and flag in out


def test_an_unknown_command_is_refused(capsys):
    assert cli.main(["fit"]) == 2
    assert "invalid choice: 'fit'" in capsys.readouterr().err


def test_models_list_and_describe(capsys):
    assert cli.main(["models", "list", "lenet*"]) == 0
    out = capsys.readouterr().out
    assert "lenet5 " in out and "61,706" in out and "vgg" not in out
    assert cli.main(["models", "describe", "lenet5_bn", "--small-only"]) == 0
    assert "recipe default (the model's reference run): nesterov lr 0.1 (warmup_linear)" in (
        capsys.readouterr().out
    )
    assert cli.main(["models", "describe", "lenet7"]) == 2
    assert "invalid choice: 'lenet7' (choose from 'alexnet'" in capsys.readouterr().err


def test_lesson_help_and_a_tiny_lesson(capsys, tmp_path):
    assert cli.main(["lesson", "init", "--help"]) == 0
    assert "usage: classiczoo lesson init" in capsys.readouterr().out
    out = tmp_path / "init"
    flags = ["--examples=40", "--width=8", "--depth=2", f"--out={out}"]
    assert cli.main(["lesson", "init", *flags]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "histograms.png", "results.md", "std_per_layer.png"
    ]  # fmt: skip


def test_lesson_hands_the_zoo_registry_to_a_lesson_that_trains_zoo_models(capsys, tmp_path):
    # The tricks lesson resolves the model's fast recipe in the registry it is given: a model
    # without one is refused by name, before anything trains.
    assert cli.main(["lesson", "tricks", "--model=lenet5_bn", f"--out={tmp_path}"]) == 2
    assert "model 'lenet5_bn' has no fast recipe; models with one: " in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_the_launcher_runs_the_installed_train_command_as_workers():
    command = worker_command(["--", "--model", "lenet5_bn", "--epochs", "3"])
    assert command[:4] == [sys.executable, "-m", "zoo.cli", "train"]
    assert command[4:] == ["--model", "lenet5_bn", "--epochs", "3", "--strategy", "multiworker"]
    assert worker_command(["--strategy=default"])[-1] == "--strategy=default"


def test_bad_input_is_one_line_and_verbose_keeps_the_traceback(capsys, tmp_path):
    assert cli.main(["evaluate", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("classiczoo evaluate: error: ") and "not a SavedModel" in err
    assert "Traceback" not in err
    with pytest.raises(ValueError, match="not a SavedModel"):
        cli.main(["evaluate", str(tmp_path), "--verbose"])


# One usage error of each command: answered before TensorFlow, Keras or JAX is imported.
USAGE_ERRORS = [
    ["train", "--epochs", "0"],
    ["train", "--bogus"],
    ["train", "--format", "tflite"],
    ["train", "--model", "vgg11_bnx"],
    ["evaluate"],
    ["evaluate", "m", "--tta", "rotate"],
    ["ensemble", "a"],
    ["ensemble", "a", "b", "--weights", "1", "2"],
    ["export", "no/such/dir", "--format", "onnx"],
    ["export", "x", "--opset", "99"],
    ["tune", "--max-trials", "0"],
    ["tune", "--model", "lenet"],
    ["cross-validate", "--folds", "1"],
    ["cross-validate", "--model", "vgg"],
    ["models", "--bogus"],
    ["models", "describe", "vgg12"],
    ["lr-find", "--min-lr", "1", "--max-lr", "0.1"],
    ["lr-find", "--model", "LeNet5"],
    ["launch", "--workers", "0"],
    ["launch", "--workers", "100000", "--", "--model", "lenet5_bn"],
    ["launch", "--workers", "1", "--", "--model", "lenet6"],  # a worker's flags, before any starts
    ["lesson", "bogus"],
]


def test_every_usage_error_is_answered_before_tensorflow_loads():
    import json
    import subprocess

    script = (
        "import json, sys\n"
        "from zoo import cli\n"
        f"cases = {json.dumps(USAGE_ERRORS)}\n"
        "codes = [cli.main(case) for case in cases]\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'jax', 'tensorflow_datasets') "
        "if m in sys.modules]\n"
        "print(json.dumps({'codes': codes, 'heavy': heavy}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [2] * len(USAGE_ERRORS), done.stderr[-3000:]
    assert result["heavy"] == [], result  # none of them loaded: each answered at once
