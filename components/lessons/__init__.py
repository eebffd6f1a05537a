"""The course notes' experiments, one module per lesson: `classiczoo lesson NAME`.

Each lesson reruns one experiment of the notes (CS231n, deeplearning.ai, d2l) on a slice of
Fashion-MNIST (or on generated data) and writes PNG plots and a markdown table to `--out`
(default `lessons_out/<lesson>/`). Every module has `build_parser(prog)`, `run(args)` and
`main(argv)`; the shared parts are `components.experiments`. A lesson that trains zoo models
(`tricks`) says `TAKES_REGISTRY = True`: its `main` and `run` take the zoo's registry as well,
since components never import zoo.

Example:
>>> sorted(LESSONS)[:3]
['activations', 'augmentation', 'batchnorm']
"""

from __future__ import annotations

import importlib
from types import ModuleType

# lesson: what it shows
LESSONS = {
    "init": "weight initialization, seen in the activations of deep tanh and ReLU nets",
    "activations": "sigmoid, tanh, ReLU, leaky ReLU, ELU, Maxout on one net and budget",
    "optimizers": "SGD, momentum, Nesterov, RMSprop, Adam with and without bias correction",
    "batchnorm": "a net with and without BatchNorm at several learning rates",
    "regularization": "no regularization, L2, dropout: train vs test (bias vs variance)",
    "loss": "softmax cross-entropy vs the multiclass SVM loss",
    "minibatch": "batch size 1, 32 and the full batch: noise, time, accuracy",
    "preprocessing": "raw, standardized, PCA- and ZCA-whitened inputs",
    "augmentation": "a small CNN on few images with and without augmentation: the gap",
    "capacity": "a depth and width sweep of a small CNN: under- and overfitting",
    "crossval": "k-fold cross-validation vs a single hold-out estimate, over seeds",
    "bias_variance": "four runs, one per bias/variance quadrant, and their diagnosis",
    "tricks": "the fast recipe without each technique, plain with each: what each buys",
}


def lesson_module(name: str) -> ModuleType:
    """The module of lesson `name` (one of `LESSONS`)."""
    if name not in LESSONS:
        raise ValueError(f"Unknown lesson {name!r}. Lessons: {', '.join(LESSONS)}.")
    return importlib.import_module(f"components.lessons.{name}")


__all__ = ["LESSONS", "lesson_module"]
