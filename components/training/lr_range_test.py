"""Smith's learning-rate range test of a registered model on a tfds dataset: `zoo.lr_find`.

The model is built and compiled as a run would (its defaults, the dataset's normalization),
then `components.callbacks.find_learning_rate` raises the rate exponentially over `steps`
steps, records the loss, and restores the model and the optimizer.
"""

from __future__ import annotations

from pathlib import Path

from components.backends import require_tensorflow_backend
from components.callbacks.lr_finder import LRFinder, find_learning_rate
from components.console import progress_verbosity
from components.data.normalized import load_normalized
from components.optimizers import OPTIMIZERS, make_optimizer
from components.training.compile import compile_classifier, with_aux_targets
from components.training.config import ConfigError, ModelRegistry
from components.training.reproducibility import seed_everything


def lr_range_test(
    registry: ModelRegistry,
    model: str = "lenet5_bn",
    *,
    dataset: str = "fashion_mnist",
    optimizer: str | None = None,
    batch_size: int | None = None,
    min_lr: float = 1e-6,
    max_lr: float = 1.0,
    steps: int = 200,
    train_split: str = "train",
    data_dir: str | Path | None = None,
    seed: int = 0,
    verbose: int = 1,
) -> LRFinder:
    """Runs the range test; returns the `LRFinder` (its `suggestion()` and `plot(path)`).

    Args:
        registry: where the model comes from (`zoo.registry`).
        model: a registered model's name.
        dataset, train_split, data_dir: the data, as for a training run.
        optimizer, batch_size: None takes the model's defaults.
        min_lr, max_lr: the range, 0 < min_lr < max_lr.
        steps: steps of the test, >= 3.
        seed: seeds the model and the shuffle.
        verbose: a progress bar (1: `progress_verbosity()`'s, live on a terminal, one line in
            a file or a pipe) or none (0).

    Raises:
        ConfigError: an unknown model or optimizer, a bad range or step count.
    """
    require_tensorflow_backend(
        "The learning-rate range test run (tf.data, tf.distribute)",
        "zoo.train runs Keras's fit; or run this with KERAS_BACKEND=tensorflow",
    )
    if model not in registry.list_models():
        raise ConfigError(
            f"unknown model {model!r}; valid models: {', '.join(registry.list_models())}."
        )
    if optimizer is not None and optimizer not in OPTIMIZERS:
        raise ConfigError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {optimizer!r}.")
    if not 0 < min_lr < max_lr:
        raise ConfigError(f"need 0 < min_lr < max_lr, got {min_lr} and {max_lr}.")
    if steps < 3:
        raise ConfigError(f"steps must be >= 3, got {steps}.")
    if batch_size is not None and batch_size < 1:
        raise ConfigError(f"batch_size must be a positive integer, got {batch_size}.")
    defaults = registry.get_defaults(model)
    optimizer = optimizer or defaults.optimizer
    batch_size = batch_size or defaults.batch_size
    seed_everything(seed)
    data = load_normalized(dataset, data_dir=data_dir, train_split=train_split)
    train = data.pipeline("train", batch_size, training=True, seed=seed)
    network = registry.create(
        model, input_shape=data.model_input_shape, num_classes=len(data.data.class_names)
    )
    compile_classifier(network, make_optimizer(optimizer, min_lr))
    if verbose:
        print(
            f"Range test: {model} on {dataset}, {optimizer}, batch {batch_size}, "
            f"lr {min_lr:g} -> {max_lr:g} over {steps} steps."
        )
    return find_learning_rate(
        network,
        with_aux_targets(train, network),
        min_lr=min_lr,
        max_lr=max_lr,
        steps=steps,
        verbose=progress_verbosity() if verbose else 0,
    )


__all__ = ["lr_range_test"]
