#!/usr/bin/env python3
"""Search a zoo model's hyperparameters with keras-tuner, then export the best model.

Example:
    python recipes/tune.py --model lenet5_bn --tuner random --max-trials 10 --epochs 3

The space searched is the model's own (`zoo.get_defaults(model).search_space`, shown by
`recipes/models.py describe`). Trials live in `--directory` (default `tuning/<model>`); running
the same command again resumes the search there. The best model is exported to
`<export-dir>/<model>-tuned/<next version>/` with the chosen hyperparameters in its metadata.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
import warnings
from pathlib import Path

import zoo
from components.cli import fraction, positive_float, positive_int
from components.tuning import TUNERS

STRATEGIES = ("auto", "default", "onedevice", "mirrored")
OBJECTIVE = "val_accuracy"
OPTIMIZER_NOT_LOADED = "Skipping variable loading for optimizer"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", default="lenet5_bn", help=f"one of: {', '.join(zoo.list_models())}"
    )
    parser.add_argument("--dataset", default="fashion_mnist", help="a tfds image dataset")
    parser.add_argument("--tuner", default="random", choices=TUNERS)
    parser.add_argument(
        "--max-trials", type=positive_int, default=10, help="trials in all (Hyperband: a cap)"
    )
    parser.add_argument(
        "--epochs", type=positive_int, help="per trial (Hyperband: the most); default: model's"
    )
    parser.add_argument("--executions-per-trial", type=positive_int, default=1)
    parser.add_argument("--hyperband-factor", type=positive_int, default=3, help=">= 2")
    parser.add_argument(
        "--val-split", type=fraction, default=0.1, help=f"fraction of train for {OBJECTIVE}"
    )
    parser.add_argument("--train-split", default="train", help="tfds split, e.g. 'train[:5000]'")
    parser.add_argument("--test-split", default="test")
    parser.add_argument("--data-dir", help="tfds data dir; default tfds's own")
    parser.add_argument("--resize", type=positive_int, help="resize images to SIZE x SIZE")
    parser.add_argument(
        "--scale", choices=("auto", "paper", "small"), help="model scale; default: by input size"
    )
    parser.add_argument("--width", type=positive_float, help="width multiplier of the model")
    parser.add_argument(
        "--strategy",
        default="auto",
        choices=STRATEGIES,
        help="each trial trains under it: auto (>1 GPU: mirrored; 1 GPU: onedevice), default, "
        "onedevice, mirrored",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--directory", type=Path, help="the search's; default tuning/<model>")
    parser.add_argument(
        "--overwrite", action="store_true", help="remove the search in --directory first"
    )
    parser.add_argument("--export-dir", type=Path, default=Path("saved_models"))
    parser.add_argument("--top", type=positive_int, default=5, help="trials in the table")
    args = parser.parse_args(argv)
    if args.model not in zoo.list_models():
        parser.error(f"unknown model {args.model!r}; valid models: {', '.join(zoo.list_models())}")
    if args.val_split == 0:
        parser.error(f"--val-split must be > 0: the objective is {OBJECTIVE}")
    if args.hyperband_factor < 2:
        parser.error(f"--hyperband-factor must be >= 2, got {args.hyperband_factor}")
    args.model_kwargs = {
        option: getattr(args, option)
        for option in ("scale", "width")
        if getattr(args, option) is not None
    }
    options = zoo.registry.model_options(args.model)
    unknown = sorted(set(args.model_kwargs) - set(options))
    if unknown:
        parser.error(
            f"model {args.model!r} has no option {', '.join(unknown)}; "
            f"its options: {', '.join(options) or 'none'}"
        )
    args.directory = args.directory or Path("tuning") / args.model
    return args


def search_record(args: argparse.Namespace, epochs: int) -> dict:
    """What must match for a search in `--directory` to go on (not --max-trials: it may grow)."""
    return {
        "model": args.model,
        "dataset": args.dataset,
        "train_split": args.train_split,
        "val_split": args.val_split,
        "resize": args.resize,
        "model_options": args.model_kwargs,
        "tuner": args.tuner,
        "objective": OBJECTIVE,
        "epochs": epochs,
        "executions_per_trial": args.executions_per_trial,
        "hyperband_factor": args.hyperband_factor if args.tuner == "hyperband" else None,
        "seed": args.seed,
        "space": zoo.get_defaults(args.model).search_space.to_dict(),
    }


def train_command(model: str, hyperparameters: dict, model_options: dict) -> str:
    """The `recipes/train.py` command line that trains with the chosen hyperparameters."""
    words = ["python", "recipes/train.py", "--model", model]
    words += ["--optimizer", hyperparameters["optimizer"], "--lr-schedule", "constant"]
    words += ["--lr", f"{hyperparameters['learning_rate']:.6g}"]
    words += ["--weight-decay", f"{hyperparameters['weight_decay']:g}"]
    words += ["--batch-size", str(hyperparameters["batch_size"])]
    words += ["--epochs", str(hyperparameters["epochs"])]
    for key, value in model_options.items():
        if isinstance(value, bool):
            text = str(value).lower()
        else:
            text = f"{value:.6g}" if isinstance(value, float) else str(value)
        words += ["--model-arg", f"{key}={text}"]
    return shlex.join(words)


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    defaults = zoo.get_defaults(args.model)
    space = defaults.search_space
    epochs = args.epochs or defaults.epochs
    command = shlex.join(["python", "recipes/tune.py", *argv])

    # Heavy imports after the flags are checked, so bad input is refused at once.
    import functools

    import keras
    import keras_tuner

    from components.data import Preprocessing, load_image_classification, make_pipeline
    from components.distribute import parse_tf_config, select_strategy, strategy_name
    from components.export import export_classifier
    from components.training import compile_classifier, run_metadata
    from components.tuning import (
        ClassifierHyperModel,
        SearchDirectoryError,
        claim_search_directory,
        make_tuner,
        top_trials_table,
        trial_metrics,
    )

    if parse_tf_config() is not None:
        # keras-tuner trains with model.fit, which fails under MultiWorkerMirroredStrategy
        # (keras-team/keras#20585); its own parallel search uses KERASTUNER_* variables instead.
        raise SystemExit(
            "recipes/tune.py does not run under TF_CONFIG (multi-worker): unset it and use "
            "--strategy mirrored for the GPUs of one machine."
        )
    strategy = select_strategy(args.strategy)
    try:
        resumed = claim_search_directory(
            args.directory, search_record(args, epochs), overwrite=args.overwrite
        )
    except SearchDirectoryError as err:
        raise SystemExit(
            f"error: {err} Run the same command as before to resume it, pass --overwrite to "
            "start afresh, or choose another --directory."
        ) from None
    keras.utils.set_random_seed(args.seed)

    data = load_image_classification(
        args.dataset,
        data_dir=args.data_dir,
        train_split=args.train_split,
        test_split=args.test_split,
        val_split=args.val_split,
    )
    resize = (args.resize, args.resize) if args.resize else None
    preprocessing = Preprocessing.fit(data.train, resize=resize)
    print(
        f"Data: {args.dataset}: {data.num_train} train, {data.num_validation} validation, "
        f"{data.num_test} test images of {data.image_shape}, {len(data.class_names)} classes."
    )
    print(
        f"Strategy: {strategy_name(strategy)} with {strategy.num_replicas_in_sync} replica(s); "
        "the batch sizes searched are global."
    )
    print(f"Search space of {args.model}: {space.describe()}.")

    hypermodel = ClassifierHyperModel(
        functools.partial(
            zoo.create,
            args.model,
            input_shape=preprocessing.output_shape(data.image_shape),
            num_classes=len(data.class_names),
            **args.model_kwargs,
        ),
        space,
        preprocessing=preprocessing,
        build_options=zoo.registry.model_options(args.model),
        seed=args.seed,
        name=args.model,
    )
    default_strategy = strategy_name(strategy) == "DefaultStrategy"
    tuner = make_tuner(
        args.tuner,
        hypermodel,
        args.directory,
        max_trials=args.max_trials,
        epochs=epochs,
        objective=OBJECTIVE,
        distribution_strategy=None if default_strategy else strategy,
        seed=args.seed,
        executions_per_trial=args.executions_per_trial,
        hyperband_factor=args.hyperband_factor,
    )
    done = sum(t.status == "COMPLETED" for t in tuner.oracle.trials.values())
    print(
        f"{'Resuming' if resumed else 'Starting'} a {args.tuner} search in {args.directory}: "
        f"{done} trial(s) done, up to {args.max_trials} in all, {epochs} epoch(s) per trial."
    )
    start = time.time()
    try:
        with warnings.catch_warnings():
            # keras-tuner loads weights alone (Hyperband's next rounds, the best model); Keras
            # warns each time that the new optimizer's state was not loaded, which is meant.
            warnings.filterwarnings("ignore", message=OPTIMIZER_NOT_LOADED)
            tuner.search(data.train, validation_data=data.validation, epochs=epochs, verbose=1)
    except KeyboardInterrupt:
        print(f"\nInterrupted. Run the same command to resume the search:\n  {command}")
        raise SystemExit(130) from None
    search_seconds = time.time() - start

    table = top_trials_table(tuner.oracle, args.top)
    print(table)
    best_trials = tuner.oracle.get_best_trials(1)
    if not best_trials:
        raise SystemExit(f"No trial in {args.directory} completed; nothing to export.")
    best = best_trials[0]
    tuned = dict(best.hyperparameters.values)
    trained_epochs = tuned.get("tuner/epochs", epochs)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=OPTIMIZER_NOT_LOADED)
        model = tuner.load_model(best)  # the weights of its best epoch, under the strategy
    inference = zoo.inference_model(model)
    if inference is not model:
        compile_classifier(inference)
    test = make_pipeline(data.test, preprocessing, batch_size=tuned["batch_size"], training=False)
    test_metrics = inference.evaluate(test, return_dict=True, verbose=0)
    recorded = trial_metrics(best)
    metrics = {
        "train": {k: v for k, v in recorded.items() if not k.startswith("val_")},
        "validation": {k[4:]: v for k, v in recorded.items() if k.startswith("val_")},
        "test": {k: float(v) for k, v in test_metrics.items()},
        "search_seconds": round(search_seconds, 1),
    }
    model_options = {
        **args.model_kwargs,
        **{k: v for k, v in tuned.items() if k in space.model_options()},
    }
    hyperparameters = {
        "optimizer": tuned["optimizer"],
        "learning_rate": tuned["learning_rate"],
        "lr_schedule": "constant",
        "weight_decay": tuned["weight_decay"],
        "epochs": trained_epochs,
        "best_epoch": None if best.best_step is None else int(best.best_step) + 1,
        "batch_size": tuned["batch_size"],
        "seed": args.seed,
        "strategy": strategy_name(strategy),
        "replicas": strategy.num_replicas_in_sync,
        "loop": "fit",
        "precision": "float32",
        "jit_compile": False,
        "model_options": model_options,
        "tuned": {k: v for k, v in tuned.items() if not k.startswith("tuner/")},
    }
    retrain = train_command(args.model, hyperparameters, model_options)
    completed = [t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]
    export_dir = export_classifier(
        inference,
        args.export_dir / f"{args.model}-tuned",
        image_shape=data.image_shape,
        preprocessing=preprocessing,
        class_names=data.class_names,
        metadata=run_metadata(
            model=args.model,
            dataset=args.dataset,
            splits=data.splits,
            train_split=args.train_split,
            val_split=args.val_split,
            test_split=args.test_split,
            metrics=metrics,
            hyperparameters=hyperparameters,
            search={
                "tuner": args.tuner,
                "objective": OBJECTIVE,
                "directory": str(args.directory),
                "max_trials": args.max_trials,
                "completed_trials": len(completed),
                "best_trial": best.trial_id,
                "score": best.score,
                "space": space.to_dict(),
                "top_trials": [
                    {
                        "trial": t.trial_id,
                        "score": t.score,
                        "hyperparameters": t.hyperparameters.values,
                    }
                    for t in tuner.oracle.get_best_trials(args.top)
                ],
                "train_command": retrain,
            },
            seed=args.seed,
            command=["python", "recipes/tune.py", *argv],
            extra_versions={"keras_tuner": keras_tuner.__version__},
        ),
    )
    print(
        f"Best trial {best.trial_id}: {OBJECTIVE} {best.score:.4f}; test loss "
        f"{metrics['test']['loss']:.4f}, accuracy {metrics['test']['accuracy']:.4f}."
    )
    print(f"Train it from scratch with these hyperparameters:\n  {retrain}")
    print(f"Exported SavedModel: {export_dir}")
    return {
        "tuner": tuner,
        "best_trial": best,
        "model": inference,
        "preprocessing": preprocessing,
        "metrics": metrics,
        "hyperparameters": hyperparameters,
        "table": table,
        "export_dir": str(export_dir),
        "resumed": resumed,
    }


if __name__ == "__main__":
    main()
