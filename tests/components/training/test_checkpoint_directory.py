"""A run's checkpoint directory: the user's files survive, a second run is refused, a resume
needs a checkpoint that loads."""

from __future__ import annotations

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

import zoo
from components.checkpoints.directory import (
    CREATED_MARKER,
    LOCK_NAME,
    CheckpointDirectory,
    check_resume,
    checkpoint_files,
)
from components.checkpoints.tensorflow_checkpoint import checkpoint_manager, loadable_checkpoint
from components.training import ConfigError, TrainConfig


def _user_files(directory):
    (directory / "sub").mkdir(parents=True)
    (directory / "notes.txt").write_text("mine")
    (directory / "sub" / "thesis.tex").write_text("\\documentclass{article}")
    return {"notes.txt": "mine", "sub/thesis.tex": "\\documentclass{article}"}


def _contents(directory):
    return {
        str(p.relative_to(directory)): p.read_text()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _save_a_checkpoint(directory, step=5):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    manager = checkpoint_manager(model, keras.optimizers.Adam(), directory)
    manager.save(checkpoint_number=step)


def test_a_second_run_is_refused_naming_the_holder(tmp_path):
    first = CheckpointDirectory(tmp_path / "ckpt").acquire()
    with pytest.raises(ConfigError, match=f"in use by another run \\(pid {os.getpid()} host"):
        CheckpointDirectory(tmp_path / "ckpt").acquire()
    first.release()
    CheckpointDirectory(tmp_path / "ckpt").acquire().release()  # free again


def test_a_lock_whose_process_is_gone_is_taken_over(tmp_path):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    directory = tmp_path / "ckpt"
    directory.mkdir()
    import socket

    (directory / LOCK_NAME).write_text(
        f"pid {gone.stdout.strip()} host {socket.gethostname()} since x\n"
    )
    held = CheckpointDirectory(directory).acquire()
    assert f"pid {os.getpid()} " in (directory / LOCK_NAME).read_text()
    held.release()
    assert not (directory / LOCK_NAME).exists()


def test_finish_removes_only_the_runs_files_and_the_directory_only_if_it_made_it(tmp_path):
    shared = tmp_path / "shared"
    expected = _user_files(shared)
    held = CheckpointDirectory(shared).acquire()
    _save_a_checkpoint(shared)
    assert checkpoint_files(shared)
    held.finish()
    assert _contents(shared) == expected  # nothing of the user's touched, nothing of ours left

    made = tmp_path / "made"
    held = CheckpointDirectory(made).acquire()
    assert (made / CREATED_MARKER).exists()
    _save_a_checkpoint(made)
    held.finish()
    assert not made.exists()


def test_resume_needs_a_checkpoint_that_loads(tmp_path):
    users = tmp_path / "users"
    _user_files(users)
    with pytest.raises(
        ConfigError,
        match="no checkpoint in .*users to resume from: it holds no checkpoint it can load",
    ):
        check_resume(users, resume=True, loadable=loadable_checkpoint)
    # A fresh run may share the directory.
    check_resume(users, resume=False, loadable=loadable_checkpoint)

    damaged = tmp_path / "damaged"
    _save_a_checkpoint(damaged)
    assert loadable_checkpoint(damaged)[0] is not None
    (damaged / "checkpoint").write_bytes(b"\x00\xff not a state file {{{")
    prefix, why = loadable_checkpoint(damaged)
    assert prefix is None and "damaged" in why
    with pytest.raises(ConfigError, match="no checkpoint in .*damaged to resume from"):
        check_resume(damaged, resume=True, loadable=loadable_checkpoint)
    with pytest.raises(ConfigError, match="checkpoint files that cannot be resumed"):
        check_resume(damaged, resume=False, loadable=loadable_checkpoint)


@pytest.mark.e2e
def test_a_run_in_a_directory_of_user_files_leaves_them_all(fashion_mnist_data_dir, tmp_path):
    shared = tmp_path / "mine"
    expected = _user_files(shared)
    config = dict(
        model="lenet5",
        epochs=1,
        batch_size=64,
        train_split="train[:256]",
        test_split="test[:64]",
        data_dir=str(fashion_mnist_data_dir),
        checkpoint_dir=shared,
        export_dir=tmp_path / "exports",
        log_dir=tmp_path / "logs",
    )
    with pytest.raises(ConfigError, match="to resume from: it holds no complete Keras checkpoint"):
        zoo.train(TrainConfig.of(**config, resume=True))
    assert _contents(shared) == expected
    result = zoo.train(TrainConfig.of(**config))
    assert result.completed and result.export_dir.is_dir()
    assert _contents(shared) == expected
    assert np.isfinite(result.metrics.test["accuracy"])


@pytest.mark.e2e
def test_a_run_killed_after_its_last_checkpoint_resumes_and_exports(
    fashion_mnist_data_dir, tmp_path, monkeypatch
):

    from components.export import saved_model as saved_model_module

    checkpoints = tmp_path / "ckpt"
    config = TrainConfig.of(
        model="lenet5",
        epochs=2,
        batch_size=64,
        train_split="train[:256]",
        test_split="test[:64]",
        val_split=0.25,
        data_dir=str(fashion_mnist_data_dir),
        checkpoint_dir=checkpoints,
        export_dir=tmp_path / "exports",
        log_dir=tmp_path / "logs",
    )

    def killed(*args, **kwargs):
        raise RuntimeError("killed during the export")

    with monkeypatch.context() as patch:
        patch.setattr(saved_model_module, "export_classifier", killed)
        with pytest.raises(RuntimeError, match="killed during the export"):
            zoo.train(config)
    assert checkpoint_files(checkpoints) and not (checkpoints / LOCK_NAME).exists()
    with pytest.raises(ConfigError, match="holds a checkpoint of an unfinished run"):
        zoo.train(config)  # a plain rerun would start over: refused
    result = zoo.train(config.replace(resume=True))
    assert result.completed and (result.export_dir / "saved_model.pb").is_file()
    # The two epochs trained before the kill are in the history and the metadata.
    assert len(result.history["loss"]) == 2 and len(result.history["val_accuracy"]) == 2
    assert result.metrics.validation["accuracy"] == result.history["val_accuracy"][-1]
    assert not checkpoints.exists()  # made by the run, emptied and removed at its end


def test_a_finished_run_removes_the_parents_it_made_and_keeps_the_others(tmp_path):
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "notes.txt").write_text("mine")
    held = CheckpointDirectory(tmp_path / "kept" / "checkpoints" / "lenet5_bn").acquire()
    other = CheckpointDirectory(tmp_path / "made" / "checkpoints" / "lenet5_bn").acquire()
    (other.directory / "ckpt-3.weights.h5").write_bytes(b"")
    held.finish()
    other.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept"]
    assert [p.name for p in (tmp_path / "kept").iterdir()] == ["notes.txt"]
