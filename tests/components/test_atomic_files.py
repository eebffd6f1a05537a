"""One atomic write for every file the project keeps: whole or absent, never half-written."""

from __future__ import annotations

import json

import pytest

from components.atomic_files import atomic_path, write_json_atomic, write_text_atomic
from components.figures import pyplot, save_figure


def test_json_replaces_the_whole_file_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "report.json"
    write_json_atomic(path, {"a": 1})
    write_json_atomic(path, {"b": 2})
    assert json.loads(path.read_text()) == {"b": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    path = write_text_atomic(tmp_path / "notes.md", "old")
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_path(path) as tmp:
            tmp.write_text("half a new ver")
            raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.md"]


def test_parent_directories_are_made_and_the_suffix_kept(tmp_path):
    with atomic_path(tmp_path / "a" / "b" / "plot.png") as tmp:
        assert tmp.suffix == ".png" and tmp.parent == tmp_path / "a" / "b"
        tmp.write_bytes(b"png")
    assert (tmp_path / "a" / "b" / "plot.png").read_bytes() == b"png"


def test_figures_are_written_through_it(tmp_path):
    figure, axis = pyplot().subplots()
    axis.plot([0, 1], [1, 0])
    path = save_figure(figure, tmp_path / "figures" / "line.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["line.png"]


def test_an_output_directory_that_cannot_be_one_is_named(tmp_path):
    from components.atomic_files import check_writable_dir

    blocker = tmp_path / "afile"
    blocker.write_text("a file where a directory should go")
    with pytest.raises(
        OSError, match=r"--export-dir .*afile/x cannot be a directory \(.*afile is a file\)"
    ):
        check_writable_dir(blocker / "x", "--export-dir")
    assert check_writable_dir(tmp_path / "new" / "dir", "--log-dir") == tmp_path / "new" / "dir"
    assert not (tmp_path / "new").exists()  # checked, not made
    assert list(tmp_path.iterdir()) == [blocker]  # the probe file is gone


def test_too_little_free_space_is_refused_before_writing(tmp_path, monkeypatch):
    import shutil

    from components.atomic_files import ensure_free_space

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=300 * 1024))
    with pytest.raises(OSError, match=r"checkpoint ckpt-4 in .*: it needs about 2.2 MiB, 0.3 MiB"):
        ensure_free_space(tmp_path / "ckpt", 1024**2, "checkpoint ckpt-4")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=10 * 1024**2))
    ensure_free_space(tmp_path / "ckpt", 1024**2, "checkpoint ckpt-4")  # 2.2 of 10 MiB: fits


@pytest.mark.e2e
def test_a_full_disk_stops_a_run_before_a_checkpoint_is_half_written(
    fashion_mnist_data_dir, tmp_path, monkeypatch
):
    import shutil

    import zoo

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage._replace(free=100 * 1024))
    with pytest.raises(OSError, match=r"No space left for the checkpoint ckpt-2 in .*ckpt"):
        zoo.train(
            model="lenet5_bn",
            train_split="train[:256]",
            test_split="test[:64]",
            epochs=1,
            checkpoint_every=2,
            data_dir=str(fashion_mnist_data_dir),
            checkpoint_dir=tmp_path / "ckpt",
            export_dir=tmp_path / "exports",
            log_dir=tmp_path / "logs",
        )
    left = list((tmp_path / "ckpt").glob("*ckpt-*")) + list((tmp_path / "ckpt").glob(".*ckpt-*"))
    assert left == []  # no half-written checkpoint (the directory the run made may be gone)
    assert not (tmp_path / "exports").exists()


def test_an_unusable_export_dir_is_refused_before_training(tmp_path):
    import zoo

    blocker = tmp_path / "exports"
    blocker.write_text("")
    with pytest.raises(OSError, match="--export-dir .* cannot be a directory"):
        zoo.train(model="lenet5_bn", export_dir=blocker, checkpoint_dir=tmp_path / "ckpt")
    assert not (tmp_path / "ckpt").exists()  # refused before anything was made
