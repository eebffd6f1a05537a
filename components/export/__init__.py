"""Exported models: SavedModels with their metadata, the same converted to ONNX and LiteRT,
loading them in their runtimes, evaluating them, and ensembles of them saved as one model."""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.export.combination import METHODS, check_method, combine
    from components.export.ensemble import (
        EnsembleModule,
        check_members_agree,
        export_ensemble,
        fit_weights,
    )
    from components.export.formats import FORMATS, FormatError, export_format
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
        publish_saved_model,
        resolve_model_dir,
    )
    from components.export.serving import ExportedClassifier, SavedClassifier, load_classifier
    from components.export.tta import TTA_MODES, check_tta, combine_views, tta_views
    from components.export.versions import list_versions

_EXPORTS = {
    "DataSplits": "components.export.metadata",
    "EnsembleModule": "components.export.ensemble",
    "ExportMetadata": "components.export.metadata",
    "Hyperparameters": "components.export.metadata",
    "INPUT_NAME": "components.export.metadata",
    "METADATA_FILE": "components.export.metadata",
    "METHODS": "components.export.combination",
    "MetadataError": "components.export.metadata",
    "Metrics": "components.export.metadata",
    "OUTPUT_NAMES": "components.export.metadata",
    "RunFacts": "components.export.metadata",
    "SCHEMA_VERSION": "components.export.metadata",
    "SIGNATURE_FLOAT": "components.export.metadata",
    "SIGNATURE_UINT8": "components.export.metadata",
    "SavedClassifier": "components.export.serving",
    "ExportedClassifier": "components.export.serving",
    "load_classifier": "components.export.serving",
    "FORMATS": "components.export.formats",
    "FormatError": "components.export.formats",
    "export_format": "components.export.formats",
    "ServingFacts": "components.export.metadata",
    "TTA_MODES": "components.export.tta",
    "check_members_agree": "components.export.ensemble",
    "check_method": "components.export.combination",
    "check_tta": "components.export.tta",
    "combine": "components.export.combination",
    "combine_views": "components.export.tta",
    "export_classifier": "components.export.saved_model",
    "export_ensemble": "components.export.ensemble",
    "fit_weights": "components.export.ensemble",
    "library_versions": "components.export.metadata",
    "list_versions": "components.export.versions",
    "load_metadata": "components.export.metadata",
    "publish_saved_model": "components.export.saved_model",
    "resolve_model_dir": "components.export.saved_model",
    "tta_views": "components.export.tta",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

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
    "ExportedClassifier",
    "load_classifier",
    "FORMATS",
    "FormatError",
    "export_format",
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
