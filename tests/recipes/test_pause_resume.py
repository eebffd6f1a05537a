"""The train recipe's pause, stop and --resume, and the lr_find recipe, on real data."""

from __future__ import annotations

import json

import matplotlib.image
import pytest

from tests.conftest import load_recipe


@pytest.mark.e2e
def test_stop_at_a_pause_then_resume_to_the_end(fashion_mnist_data_dir, tmp_path, capsys):
    control = tmp_path / "control"
    control.write_text("lr=0.001\n")  # read at the first pause
    args = [
        f"--data-dir={fashion_mnist_data_dir}",
        "--train-split=train[:1024]",
        "--test-split=test[:256]",
        "--epochs=2",
        "--batch-size=64",  # 16 steps per epoch
        f"--export-dir={tmp_path / 'saved_models'}",
        f"--log-dir={tmp_path / 'logs'}",
        f"--checkpoint-dir={tmp_path / 'checkpoints'}",
        "--pause-every=6",
        "--pause-control=file",
        f"--pause-file={control}",
        "--pause-timeout=0.5",
        "--pause-on-timeout=stop",  # nobody answers the second pause: stop
        "--lr-schedule=constant",
    ]
    train = load_recipe("train")
    first = train.main(args)
    assert first["stopped_at_step"] == 12
    assert not (tmp_path / "saved_models").exists()  # a stopped run exports nothing
    out = capsys.readouterr().out
    assert "Set learning rate 0.001" in out and "No command in 0.5 s: stop." in out
    assert f"{' '.join(args[:2])}" in out.replace("'", "") and "--resume" in out

    with pytest.raises(SystemExit, match="pass --resume"):
        train.main(args)  # the checkpoint is never silently overwritten
    with pytest.raises(ValueError, match="does not fit this run"):
        train.main([*args[:-1], "--lr-schedule=cosine", "--resume"])

    pause_flags = [a for a in args if a.startswith("--pause")]
    second = train.main([a for a in args if a not in pause_flags] + ["--resume"])
    assert second["stopped_at_step"] is None
    out = capsys.readouterr().out
    assert "Resumed from step 12 (epoch 1)" in out
    metadata = json.loads((tmp_path / "saved_models/lenet5_bn/1/metadata.json").read_text())
    assert metadata["hyperparameters"]["loop"] == "custom"
    # The rate set at the pause was restored with the checkpoint and kept.
    assert metadata["metrics"]["history"]["learning_rate"] == pytest.approx([0.001, 0.001])
    assert not (tmp_path / "checkpoints").exists()  # the finished run removed its checkpoints


@pytest.mark.e2e
def test_lr_find_recipe_writes_a_plot(fashion_mnist_data_dir, tmp_path):
    result = load_recipe("lr_find").main(
        [
            f"--data-dir={fashion_mnist_data_dir}",
            "--train-split=train[:2048]",
            "--steps=40",
            "--min-lr=1e-5",
            "--max-lr=1",
            f"--out={tmp_path / 'lr.png'}",
        ]
    )
    assert 1e-5 <= result["suggestion"] <= 1
    image = matplotlib.image.imread(tmp_path / "lr.png")
    assert image.shape[:2] == (450, 700) and image[..., :3].std() > 0.05
