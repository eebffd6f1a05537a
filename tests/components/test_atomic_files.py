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
