"""The one metadata.json schema: written by every export, read back whole by every reader."""

from __future__ import annotations

import json

import pytest

from components.export.metadata import (
    SCHEMA_VERSION,
    DataSplits,
    ExportMetadata,
    MetadataError,
    Metrics,
    RunFacts,
    ServingFacts,
    load_metadata,
    write_metadata,
)
from tests.conftest import make_run_facts

SERVING = ServingFacts.for_images((28, 28, 1), ["a", "b"], {"mean": [0.5], "std": [0.25]})


def test_a_run_round_trips_through_the_file(tmp_path):
    metadata = ExportMetadata(run=make_run_facts(), serving=SERVING)
    write_metadata(tmp_path, metadata)
    payload = json.loads((tmp_path / "metadata.json").read_text())
    # Flat, as readers and jq see it, with every key of the schema present.
    assert payload["schema_version"] == SCHEMA_VERSION and payload["kind"] == "train"
    assert payload["data"] == {"train_split": "train", "val_split": 0.0, "test_split": "test"}
    assert payload["metrics"]["test"] == {"loss": 1.0, "accuracy": 0.5}
    assert payload["search"] is None and payload["ensemble"] is None
    assert payload["input"]["shape"] == [None, 28, 28, 1]
    back = load_metadata(tmp_path)
    assert back == metadata
    assert back.run.hyperparameters.optimizer == "adam"  # typed, no dict lookups


def test_a_bare_export_has_the_serving_facts_only(tmp_path):
    write_metadata(tmp_path, ExportMetadata(run=None, serving=SERVING))
    payload = json.loads((tmp_path / "metadata.json").read_text())
    assert "model" not in payload and payload["class_names"] == ["a", "b"]
    assert load_metadata(tmp_path).run is None


def test_no_file_is_none_and_a_broken_one_is_named(tmp_path):
    assert load_metadata(tmp_path) is None
    (tmp_path / "metadata.json").write_text("{not json")
    with pytest.raises(MetadataError, match="is not valid JSON"):
        load_metadata(tmp_path)
    payload = ExportMetadata(run=make_run_facts(), serving=SERVING).to_json()
    del payload["metrics"]
    (tmp_path / "metadata.json").write_text(json.dumps(payload))
    with pytest.raises(MetadataError, match="lacks metrics"):
        load_metadata(tmp_path)
    payload["schema_version"] = 99
    (tmp_path / "metadata.json").write_text(json.dumps(payload))
    with pytest.raises(MetadataError, match="schema_version 99; this classiczoo reads 1"):
        load_metadata(tmp_path)


def test_the_kinds_carry_their_own_sections():
    with pytest.raises(MetadataError, match="only it, has an 'ensemble' entry"):
        make_run_facts(ensemble={"method": "vote"})
    with pytest.raises(MetadataError, match="only it, has a 'search' entry"):
        make_run_facts(kind="tune")
    with pytest.raises(MetadataError, match="kind must be one of"):
        make_run_facts(kind="trained")
    ensemble = RunFacts(
        kind="ensemble",
        model="ensemble-a-b",
        dataset="fashion_mnist",
        splits={},
        data=DataSplits("train", 0.1, "test"),
        metrics=Metrics(test={}),
        command="",
        ensemble={"method": "vote", "weights": [0.5, 0.5], "members": []},
    )
    assert ensemble.hyperparameters is None


def test_a_classiczoo_0_1_file_is_read_in_the_schema(tmp_path):
    # The layout 0.1 wrote for GoogLeNet with auxiliary heads (abridged).
    old = {
        "model": "googlenet",
        "dataset": "fashion_mnist",
        "splits": {"train": "train without its first 6000 examples"},
        "data": {"train_split": "train", "val_split": 0.1, "test_split": "test"},
        "metrics": {
            "train": {"loss": 0.3, "classifier_accuracy": 0.9},
            "validation": {"loss": 0.31, "classifier_accuracy": 0.89},
            "test": {"loss": 0.32, "accuracy": 0.88},
            "train_seconds": 591.0,
        },
        "hyperparameters": {
            "optimizer": "adam", "learning_rate": 0.002, "lr_schedule": "cosine",
            "weight_decay": 0.0, "epochs": 2, "batch_size": 128, "seed": 0,
            "strategy": "DefaultStrategy", "replicas": 1, "loop": "fit",
            "precision": "float32", "jit_compile": False, "model_options": {},
        },
        "seed": 0,
        "command": "python recipes/train.py --model googlenet",
        "versions": {"classiczoo": "0.1.0"},
        "created": "2026-11-01T00:00:00+00:00",
        **SERVING.__dict__,
    }  # fmt: skip
    (tmp_path / "metadata.json").write_text(json.dumps(old))
    metadata = load_metadata(tmp_path)
    assert metadata.run.kind == "train"
    assert metadata.run.metrics.validation["accuracy"] == 0.89
    assert metadata.run.hyperparameters.deterministic is False
