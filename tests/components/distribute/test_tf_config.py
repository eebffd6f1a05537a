"""TF_CONFIG checks: a bad cluster description fails at start with a clear message."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from components.distribute.strategies import TFConfigError, is_chief, parse_tf_config, task_id
from tests.conftest import REPO_ROOT

CLUSTER = {"worker": ["localhost:1", "localhost:2"]}


def test_valid_config_and_chief():
    config = parse_tf_config(
        json.dumps({"cluster": CLUSTER, "task": {"type": "worker", "index": 1}})
    )
    assert task_id(config) == 1 and not is_chief(config)
    worker0 = {"cluster": CLUSTER, "task": {"type": "worker", "index": 0}}
    assert is_chief(parse_tf_config(json.dumps(worker0)))
    with_chief = {"cluster": {**CLUSTER, "chief": ["localhost:3"]}, "task": worker0["task"]}
    assert not is_chief(parse_tf_config(json.dumps(with_chief)))
    assert parse_tf_config("") is None


@pytest.mark.parametrize(
    "text,message",
    [
        ("{not json", "TF_CONFIG is not valid JSON"),
        (json.dumps({"task": {"type": "worker", "index": 0}}), "needs a 'cluster' object"),
        (json.dumps({"cluster": CLUSTER}), "needs a 'task' with 'type' and 'index'"),
        (
            json.dumps({"cluster": CLUSTER, "task": {"type": "ps", "index": 0}}),
            "task type 'ps' is not a job of the cluster",
        ),
        (
            json.dumps({"cluster": CLUSTER, "task": {"type": "worker", "index": 2}}),
            r"index 2 is out of range: job 'worker' has 2 task\(s\), so the index must be in "
            r"0\.\.1",
        ),
        (json.dumps({"cluster": {"worker": []}, "task": {}}), "must list host:port addresses"),
    ],
)
def test_bad_configs(text, message):
    with pytest.raises(TFConfigError, match=message):
        parse_tf_config(text)


def test_train_recipe_refuses_a_bad_tf_config_at_start(tmp_path):
    bad = json.dumps({"cluster": CLUSTER, "task": {"type": "worker", "index": 5}})
    out = subprocess.run(
        [sys.executable, str(REPO_ROOT / "recipes" / "train.py")],
        env={"TF_CONFIG": bad, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode != 0
    assert "error: TF_CONFIG task index 5 is out of range" in out.stderr
    assert not (tmp_path / "saved_models").exists()


def test_an_unresolvable_host_is_refused_at_once_not_waited_for(monkeypatch):
    import json
    import time

    from components.distribute.strategies import TFConfigError, select_strategy

    cluster = {"worker": ["localhost:2222", "no-such-host.invalid:2222"]}
    monkeypatch.setenv(
        "TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 0}})
    )
    start = time.monotonic()
    with pytest.raises(TFConfigError, match="host 'no-such-host.invalid' .* cannot be resolved"):
        select_strategy("auto")
    assert time.monotonic() - start < 30
