"""Exported models: SavedModels with their metadata, loading them, evaluating them, and
ensembles of them saved as one SavedModel."""

from components.export.combination import METHODS, check_method, combine
from components.export.ensemble import (
    EnsembleModule,
    check_members_agree,
    export_ensemble,
    fit_weights,
)
from components.export.metadata import (
    INPUT_NAME,
    METADATA_FILE,
    OUTPUT_NAMES,
    SCHEMA_VERSION,
    SIGNATURE_FLOAT,
    SIGNATURE_UINT8,
    DataSplits,
    ExportMetadata,
    Hyperparameters,
    MetadataError,
    Metrics,
    RunFacts,
    ServingFacts,
    library_versions,
    load_metadata,
)
from components.export.saved_model import (
    export_classifier,
    list_versions,
    publish_saved_model,
    resolve_model_dir,
)
from components.export.serving import SavedClassifier
from components.export.tta import TTA_MODES, check_tta, combine_views, tta_views

__all__ = [
    "INPUT_NAME",
    "METADATA_FILE",
    "METHODS",
    "OUTPUT_NAMES",
    "SCHEMA_VERSION",
    "SIGNATURE_FLOAT",
    "SIGNATURE_UINT8",
    "TTA_MODES",
    "DataSplits",
    "EnsembleModule",
    "ExportMetadata",
    "Hyperparameters",
    "MetadataError",
    "Metrics",
    "RunFacts",
    "SavedClassifier",
    "ServingFacts",
    "check_members_agree",
    "check_method",
    "check_tta",
    "combine",
    "combine_views",
    "export_classifier",
    "export_ensemble",
    "fit_weights",
    "library_versions",
    "list_versions",
    "load_metadata",
    "publish_saved_model",
    "resolve_model_dir",
    "tta_views",
]
