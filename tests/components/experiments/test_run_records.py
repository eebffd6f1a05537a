"""Finished runs kept on disk and read back by a resumed invocation with the same settings."""

from __future__ import annotations

import json

import pytest

from components.config_error import ConfigError
from components.experiments.run_records import RunRecords

SETTINGS = {"model": "vgg11_bn", "epochs": 36, "seeds": [0, 1], "threshold": 0.93}


def test_runs_are_written_as_they_finish_and_read_back_by_a_resume(tmp_path):
    path = tmp_path / "runs.json"
    records = RunRecords(path, SETTINGS)
    records.add("fast", 0, {"test_accuracy": [0.9, 0.93], "crossings": {"0.93": None}})
    on_disk = json.loads(path.read_text())  # written at once, as strict JSON
    assert on_disk["settings"] == SETTINGS and on_disk["invocations"] == 1
    assert on_disk["runs"]["fast"]["0"]["test_accuracy"] == [0.9, 0.93]

    resumed = RunRecords.resumed(path, dict(SETTINGS))
    assert resumed.get("fast", 0) == {
        "test_accuracy": [0.9, 0.93],
        "crossings": {"0.93": None},
        "invocation": 1,
    }
    assert resumed.get("fast", 1) is None and resumed.get("plain", 0) is None
    resumed.add("fast", 1, {"test_accuracy": [0.92]})
    assert resumed.invocations_of(["fast"], [0, 1]) == {1, 2}
    assert json.loads(path.read_text())["invocations"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.json"]  # no temporary left


@pytest.mark.parametrize(
    "changed,message",
    [
        ({"epochs": 30}, "made with epochs 36, this command asks for 30"),
        ({"seeds": [0, 1, 2]}, r"seeds \[0, 1\], this command asks for \[0, 1, 2\]"),
        ({"width": 0.25}, "made with width None, this command asks for 0.25"),
    ],
)
def test_a_resume_with_other_settings_is_refused_naming_the_setting(tmp_path, changed, message):
    RunRecords(tmp_path / "runs.json", SETTINGS).add("fast", 0, {"test_accuracy": [0.9]})
    with pytest.raises(ConfigError, match=message):
        RunRecords.resumed(tmp_path / "runs.json", {**SETTINGS, **changed})


def test_a_resume_without_records_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="no runs recorded at .*runs.json; run once without"):
        RunRecords.resumed(tmp_path / "runs.json", SETTINGS)
