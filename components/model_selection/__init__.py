"""Choosing a model on held-out data: k-fold splits and cross-validation of settings (beside
the hyperparameter search of `components.tuning`)."""

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what static tools see; at run time each name loads on first use
    from components.model_selection.cross_validation import cross_validate
    from components.model_selection.folds import Fold, kfold_splits

_EXPORTS = {
    "Fold": "components.model_selection.folds",
    "cross_validate": "components.model_selection.cross_validation",
    "kfold_splits": "components.model_selection.folds",
}
__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS)

__all__ = ["Fold", "cross_validate", "kfold_splits"]
