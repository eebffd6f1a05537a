"""A run's pause, stop and resume, and the LR range test, on real data."""

from __future__ import annotations

import json
import re

import matplotlib.image
import pytest

import zoo
from components.training import ConfigError, TrainConfig


@pytest.mark.e2e
def test_stop_at_a_pause_then_resume_to_the_end(fashion_mnist_data_dir, tmp_path, capsys):
    control = tmp_path / "control"
    control.write_text("lr=0.001\n")  # read at the first pause
    config = TrainConfig.of(
        data_dir=str(fashion_mnist_data_dir),
        train_split="train[:1024]",
        test_split="test[:256]",
        epochs=2,
        batch_size=64,  # 16 steps per epoch
        export_dir=tmp_path / "saved_models",
        log_dir=tmp_path / "logs",
        checkpoint_dir=tmp_path / "checkpoints",
        pause_every=6,
        pause_control="file",
        pause_file=control,
        pause_timeout=0.5,
        pause_on_timeout="stop",  # nobody answers the second pause: stop
        lr_schedule="constant",
        command=("classiczoo", "train", "--pause-every", "6"),
    )
    first = zoo.train(config)
    assert first.stopped_at_step == 12 and not first.completed
    assert (first.stopped_by, first.exit_code) == ("paused", 4)  # `train`'s exit code
    assert first.export_dir is None and first.metrics is None
    assert not (tmp_path / "saved_models").exists()  # a stopped run exports nothing
    out = capsys.readouterr().out
    assert "Set learning rate 0.001" in out and "No command in 0.5 s: stop." in out
    assert first.resume_command == "classiczoo train --pause-every 6 --resume"
    assert first.resume_command in out

    with pytest.raises(ConfigError, match="pass --resume"):
        zoo.train(config)  # the checkpoint is never silently overwritten
    with pytest.raises(ValueError, match="does not fit this run"):
        zoo.train(config.replace(lr_schedule="cosine", resume=True))

    second = zoo.train(
        config.replace(
            pause_every=None,
            pause_control=None,
            pause_file=None,
            pause_timeout=None,
            resume=True,
        )
    )
    assert second.completed
    out = capsys.readouterr().out
    assert "at step 12 (epoch 1, batch 12)" in out
    # Output that is not a terminal gets Keras's one line per epoch, not a live bar per step.
    assert re.search(r"^16/16 - \d+s - ", out, re.MULTILINE) and "━" not in out, out
    metadata = json.loads((tmp_path / "saved_models/lenet5_bn/1/metadata.json").read_text())
    assert metadata["hyperparameters"]["loop"] == "fit"  # Keras's fit resumes mid-epoch
    # The rate set at the pause was restored with the checkpoint and kept.
    assert metadata["metrics"]["history"]["learning_rate"] == pytest.approx([0.001, 0.001])
    assert not (tmp_path / "checkpoints").exists()  # the finished run removed its checkpoints


def test_resume_without_a_checkpoint_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="no checkpoint in .*empty to resume from"):
        zoo.train(checkpoint_dir=tmp_path / "empty", resume=True, data_dir=str(tmp_path))


@pytest.mark.e2e
def test_lr_find_writes_a_plot(fashion_mnist_data_dir, tmp_path, capsys):
    finder = zoo.lr_find(
        "lenet5_bn",
        data_dir=fashion_mnist_data_dir,
        train_split="train[:2048]",
        steps=40,
        min_lr=1e-5,
        max_lr=1.0,
    )
    assert 1e-5 <= finder.suggestion() <= 1
    assert len(finder.losses) <= 40
    # Not a terminal: one progress line for the test (it may stop early), no redrawn bar.
    printed = capsys.readouterr().out
    assert re.search(r"\d+/40 - \d+s - ", printed) and "━" not in printed, printed
    finder.plot(tmp_path / "lr.png")
    image = matplotlib.image.imread(tmp_path / "lr.png")
    assert image.shape[:2] == (450, 700) and image[..., :3].std() > 0.05


def test_lr_find_refuses_a_bad_range():
    with pytest.raises(ConfigError, match="need 0 < min_lr < max_lr"):
        zoo.lr_find("lenet5_bn", min_lr=1.0, max_lr=0.1)
    with pytest.raises(ConfigError, match="unknown model 'lenet7'"):
        zoo.lr_find("lenet7")
