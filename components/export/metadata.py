"""The one schema of `metadata.json`, the file beside every exported SavedModel.

Training (`zoo.train`), the search (`zoo.tune`) and ensembles (`export_ensemble`) all write it
through `ExportMetadata`; every reader (evaluation, ensembles, the results table) reads it back
through `load_metadata`, so no reader needs to guess at keys. The JSON is flat:

- `schema_version` (int), `kind` (`"train"`, `"tune"` or `"ensemble"`);
- what the run was: `model`, `dataset`, `splits` (what each split holds, in words), `data`
  (`train_split`, `val_split`, `test_split`: the flags that rebuild the splits), `metrics`
  (`train`, `validation`, `test`: `{"loss", "accuracy", ...}` or null; `train_seconds`;
  `history`: per-epoch lists or null), `hyperparameters` (see `Hyperparameters`; null for an
  ensemble), `search` (tune only), `ensemble` (ensembles only), `diagnosis` (bias vs variance
  against human-level error, for a run with a validation split; else null), `command`,
  `versions`, `created`;
- what the SavedModel serves: `input` (`name`, `shape`, `dtypes`, `value_range`), `signatures`,
  `outputs`, `class_names`, `preprocessing` (the normalization in the graph; null for an
  ensemble, whose members hold their own), `tta` (test-time augmentation in the graph:
  `none`, `flip` or `flip_shift`).

An export made without a run (`export_classifier` called directly with no `run`) has only the
serving keys and `schema_version`. Files of classiczoo 0.1, which had no `schema_version`, are
read as version 1 by `ExportMetadata.from_json`, in this module only.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import platform
import sys
from pathlib import Path

from components.atomic_files import write_json_atomic

SCHEMA_VERSION = 1
METADATA_FILE = "metadata.json"
KINDS = ("train", "tune", "ensemble")
SIGNATURE_FLOAT = "serving_default"
SIGNATURE_UINT8 = "serving_uint8"
INPUT_NAME = "images"
OUTPUT_NAMES = ("probabilities", "class_ids", "logits")


class MetadataError(ValueError):
    """A metadata.json that does not follow the schema."""


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries a run depends on (None for one not installed:
    a run on the JAX backend may have no TensorFlow)."""
    import importlib.metadata

    import components

    def version(distribution: str) -> str | None:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            return None

    versions = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "classiczoo": components.__version__,
    }
    for name in ("tensorflow", "keras", "tensorflow_datasets", "numpy", "jax"):
        versions[name] = version(name.replace("_", "-"))
    if versions["jax"] is None:
        del versions["jax"]  # the files of TensorFlow runs stay as they were
    return versions


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


@dataclasses.dataclass(frozen=True)
class DataSplits:
    """The flags that made the splits, so that another command can rebuild them.

    Args:
        train_split: the tfds split trained on, validation included (`"train[:5000]"`).
        val_split: the fraction of it held out for validation (its first examples).
        test_split: the tfds split tested on.
    """

    train_split: str
    val_split: float
    test_split: str


@dataclasses.dataclass(frozen=True)
class Metrics:
    """What the run measured. Each figure dict holds `loss` and `accuracy` (the main head's;
    `loss` is what was minimized), and maybe more (`top5_accuracy`, `learning_rate`).

    Args:
        test: on the test split.
        train: at the end of training (the last epoch's running means), or None.
        validation: on the validation split, or None where there is none.
        train_seconds: wall time of training (of the search, for a tuned model), or None.
        history: per-epoch values of every logged figure, or None.
    """

    test: dict[str, float]
    train: dict[str, float] | None = None
    validation: dict[str, float] | None = None
    train_seconds: float | None = None
    history: dict[str, list[float]] | None = None


@dataclasses.dataclass(frozen=True)
class Hyperparameters:
    """How a model was trained: what `classiczoo train` needs to train it again.

    Args:
        optimizer, learning_rate, lr_schedule, weight_decay, epochs, batch_size, seed: the run's
            (after the model's defaults were filled in).
        strategy: the tf.distribute strategy's class name; replicas: its replicas.
        loop: `"fit"` (Keras's `model.fit`) or `"custom"` (the project's loop).
        precision: the Keras dtype policy; jit_compile: XLA.
        deterministic: op determinism was on.
        model_options: the options given to the model's builder.
        augment: the training pipeline's augmentation policy (`none`, `standard`, ...).
        label_smoothing: of the training targets.
        ema_momentum: of the moving average of the weights exported (None: the weights).
        best_epoch: the epoch whose weights were kept where it is not the last (a tuned
            model, a run with `restore_best`), else None.
        tuned: for a tuned model, the values the search chose (else None).
        backend: the Keras backend it trained under (`tensorflow`, `jax`).
        recipe: the model's recipe whose values filled the settings not given (`default`,
            `fast`, ...; `zoo.defaults.Recipe`).
    """

    optimizer: str
    learning_rate: float
    lr_schedule: str
    weight_decay: float
    epochs: int
    batch_size: int
    seed: int
    strategy: str
    replicas: int
    loop: str
    precision: str
    jit_compile: bool
    deterministic: bool
    model_options: dict
    augment: str = "none"
    label_smoothing: float = 0.0
    ema_momentum: float | None = None
    best_epoch: int | None = None
    tuned: dict | None = None
    backend: str = "tensorflow"
    recipe: str = "default"


@dataclasses.dataclass(frozen=True)
class RunFacts:
    """What made an export: the run's side of metadata.json.

    Args:
        kind: one of `KINDS`.
        model: the zoo model's name (an ensemble's export name).
        dataset: the tfds dataset.
        splits: what each split holds, in words (`ImageClassificationData.splits`).
        data: the flags that rebuild the splits.
        metrics: what the run measured.
        command: the command line that reproduces the run.
        hyperparameters: how it trained (None for an ensemble).
        search: the search's facts (tune only).
        ensemble: method, weights and members (ensembles only).
        diagnosis: bias vs variance against human-level error, for a run with a validation
            split (`components.training.diagnosis`), else None.
        versions: library versions (default: this process's).
        created: ISO time (default: now).
    """

    kind: str
    model: str
    dataset: str
    splits: dict[str, str]
    data: DataSplits
    metrics: Metrics
    command: str
    hyperparameters: Hyperparameters | None = None
    search: dict | None = None
    ensemble: dict | None = None
    diagnosis: dict | None = None
    versions: dict[str, str] = dataclasses.field(default_factory=library_versions)
    created: str = dataclasses.field(default_factory=_now)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise MetadataError(f"kind must be one of {KINDS}, got {self.kind!r}.")
        if (self.kind == "ensemble") != (self.ensemble is not None):
            raise MetadataError("An ensemble's metadata, and only it, has an 'ensemble' entry.")
        if (self.kind == "tune") != (self.search is not None):
            raise MetadataError("A tuned model's metadata, and only it, has a 'search' entry.")
        if (self.kind == "ensemble") == (self.hyperparameters is not None):
            raise MetadataError("Every export but an ensemble records its hyperparameters.")


@dataclasses.dataclass(frozen=True)
class ServingFacts:
    """What a SavedModel serves: the serving side of metadata.json.

    Args:
        input: `name`, `shape` (`[None, H, W, C]`), `dtypes`, `value_range`.
        signatures: signature name -> input dtype.
        outputs: the output names.
        class_names: the class of each output index.
        preprocessing: `Preprocessing.to_dict()` of the graph's normalization, or None.
        tta: the test-time augmentation inside the graph (`components.export.tta.TTA_MODES`).
        format: None for a SavedModel; for a converted file (`components.export.formats`):
            its `name` (`onnx`, `litert`), `file`, `converter`, `runtime`, `opset`, the
            `source` it was converted from and the runtime's `check` against the SavedModel.
    """

    input: dict
    signatures: dict[str, str]
    outputs: list[str]
    class_names: list[str]
    preprocessing: dict | None = None
    tta: str = "none"
    format: dict | None = None

    @classmethod
    def for_images(
        cls, image_shape, class_names, preprocessing: dict | None = None, tta: str = "none"
    ) -> ServingFacts:
        """The facts of this project's signatures for raw images of `image_shape`.

        Example:
        >>> ServingFacts.for_images((28, 28, 1), ["a", "b"]).input["shape"]
        [None, 28, 28, 1]
        """
        return cls(
            input={
                "name": INPUT_NAME,
                "shape": [None, *image_shape],
                "dtypes": ["float32", "uint8"],
                "value_range": [0, 255],
            },
            signatures={SIGNATURE_FLOAT: "float32", SIGNATURE_UINT8: "uint8"},
            outputs=list(OUTPUT_NAMES),
            class_names=list(class_names),
            preprocessing=preprocessing,
            tta=tta,
        )


@dataclasses.dataclass(frozen=True)
class ExportMetadata:
    """metadata.json: the run's facts (None for a bare export) and the serving facts.

    Example:
    >>> serving = ServingFacts.for_images((28, 28, 1), ["a", "b"])
    >>> metadata = ExportMetadata(run=None, serving=serving)
    >>> ExportMetadata.from_json(metadata.to_json()) == metadata
    True
    """

    run: RunFacts | None
    serving: ServingFacts
    schema_version: int = SCHEMA_VERSION

    def to_json(self) -> dict:
        """The flat JSON object (see the module's docstring)."""
        payload = {"schema_version": self.schema_version}
        if self.run is not None:
            payload.update(dataclasses.asdict(self.run))
        payload.update(dataclasses.asdict(self.serving))
        if payload["format"] is None:  # a SavedModel's file stays as it was before formats
            del payload["format"]
        return payload

    @classmethod
    def from_json(cls, payload: dict) -> ExportMetadata:
        """Reads the flat JSON object back; raises `MetadataError` naming what is wrong."""
        payload = dict(payload)
        version = payload.pop("schema_version", None)
        if version is None:
            payload = _from_version_0(payload)
            version = SCHEMA_VERSION
        if version != SCHEMA_VERSION:
            raise MetadataError(
                f"metadata.json has schema_version {version}; this classiczoo reads "
                f"{SCHEMA_VERSION}. Upgrade classiczoo to read it."
            )
        serving = _build(ServingFacts, payload, "serving")
        if payload.get("kind") is None:
            return cls(run=None, serving=serving, schema_version=version)
        run_payload = {
            f.name: payload[f.name] for f in dataclasses.fields(RunFacts) if f.name in payload
        }
        _check_required(RunFacts, run_payload, "run")
        run_payload["data"] = _build(DataSplits, run_payload["data"], "data")
        run_payload["metrics"] = _build(Metrics, run_payload["metrics"], "metrics")
        if run_payload.get("hyperparameters") is not None:
            run_payload["hyperparameters"] = _build(
                Hyperparameters, run_payload["hyperparameters"], "hyperparameters"
            )
        return cls(
            run=_build(RunFacts, run_payload, "run"), serving=serving, schema_version=version
        )


def _check_required(kind, payload: dict, where: str) -> None:
    required = {
        f.name
        for f in dataclasses.fields(kind)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    missing = sorted(required - set(payload))
    if missing:
        raise MetadataError(f"metadata.json lacks {', '.join(missing)} in its {where} facts.")


def _build(kind, payload: dict, where: str):
    if not isinstance(payload, dict):
        raise MetadataError(f"metadata.json's {where} facts are not an object: {payload!r}.")
    _check_required(kind, payload, where)
    names = {f.name for f in dataclasses.fields(kind)}
    return kind(**{k: v for k, v in payload.items() if k in names})


def _from_version_0(payload: dict) -> dict:
    """classiczoo 0.1's layout: no schema_version, no kind, a top-level seed, GoogLeNet's main
    accuracy named `classifier_accuracy`, hyperparameters without `deterministic`."""
    payload = dict(payload)
    payload.pop("seed", None)
    if "model" in payload and "metrics" in payload:
        payload["kind"] = (
            "ensemble" if "ensemble" in payload else "tune" if "search" in payload else "train"
        )
        metrics = dict(payload["metrics"])
        for split in ("train", "validation", "test"):
            figures = metrics.get(split)
            if figures and "accuracy" not in figures and "classifier_accuracy" in figures:
                metrics[split] = {**figures, "accuracy": figures["classifier_accuracy"]}
        metrics.pop("search_seconds", None)
        payload["metrics"] = metrics
        payload.setdefault("splits", {})
        payload.setdefault(
            "data", {"train_split": "train", "val_split": 0.0, "test_split": "test"}
        )
        if payload.get("hyperparameters") is not None:
            payload["hyperparameters"] = {"deterministic": False, **payload["hyperparameters"]}
        if payload["kind"] == "ensemble":
            payload["hyperparameters"] = None
    return payload


def write_metadata(directory: str | Path, metadata: ExportMetadata) -> Path:
    """Writes `metadata.json` into `directory`, atomically."""
    return write_json_atomic(Path(directory) / METADATA_FILE, metadata.to_json())


def load_metadata(model_dir: str | Path) -> ExportMetadata | None:
    """The metadata.json beside a SavedModel, or None where there is none.

    Raises:
        MetadataError: the file is not JSON, or does not follow the schema.
    """
    path = Path(model_dir) / METADATA_FILE
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise MetadataError(f"{path} is not valid JSON: {err}.") from None
    if not isinstance(payload, dict):
        raise MetadataError(f"{path} must hold a JSON object, not {type(payload).__name__}.")
    try:
        return ExportMetadata.from_json(payload)
    except (MetadataError, TypeError, KeyError, AttributeError, ValueError) as err:
        raise MetadataError(f"{path}: {type(err).__name__}: {err}") from None


__all__ = [
    "INPUT_NAME",
    "KINDS",
    "METADATA_FILE",
    "OUTPUT_NAMES",
    "SCHEMA_VERSION",
    "SIGNATURE_FLOAT",
    "SIGNATURE_UINT8",
    "DataSplits",
    "ExportMetadata",
    "Hyperparameters",
    "MetadataError",
    "Metrics",
    "RunFacts",
    "ServingFacts",
    "library_versions",
    "load_metadata",
    "write_metadata",
]
