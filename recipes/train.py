#!/usr/bin/env python3
"""Train a zoo model on a tfds dataset, export it as a SavedModel, and report its metrics.

Example:
    python recipes/train.py --model lenet5_bn --dataset fashion_mnist --val-split 0.1

Flags left unset take the model's own defaults (`zoo.get_defaults`). The export goes to
`<export-dir>/<model>/<next version>/` with `metadata.json` beside the SavedModel.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

import zoo
from components.cli import fraction, non_negative_float, positive_float, positive_int
from components.optimizers import OPTIMIZERS
from components.schedules import LR_SCHEDULES


def model_arg(text: str) -> tuple[str, object]:
    """`KEY=VALUE` with VALUE an int, float, true/false or a string; never evaluated as code."""
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    lowered = value.lower()
    if lowered in ("true", "false"):
        return key, lowered == "true"
    for convert in (int, float):
        try:
            return key, convert(value)
        except ValueError:
            pass
    return key, value


def weights_digest(model) -> str:
    """sha256 of all weights' bytes: equal on every worker when they are in sync."""
    digest = hashlib.sha256()
    for weight in model.weights:
        digest.update(weight.numpy().tobytes())
    return digest.hexdigest()[:16]


MONITORS = ("gradients", "activations")


def monitor_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in MONITORS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown monitor {', '.join(unknown) or text!r}; valid: {', '.join(MONITORS)}"
        )
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--model", default="lenet5_bn", help=f"one of: {', '.join(zoo.list_models())}"
    )
    parser.add_argument("--dataset", default="fashion_mnist", help="a tfds image dataset")
    parser.add_argument("--epochs", type=positive_int, help="default: the model's")
    parser.add_argument("--batch-size", type=positive_int, help="global batch; default: model's")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="default: the model's")
    parser.add_argument("--lr", type=positive_float, help="learning rate; default: the model's")
    parser.add_argument("--lr-schedule", choices=LR_SCHEDULES, help="default: the model's")
    parser.add_argument("--weight-decay", type=non_negative_float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--val-split", type=fraction, default=0.0, help="fraction of train")
    parser.add_argument("--export-dir", default="saved_models", type=Path)
    parser.add_argument("--log-dir", type=Path, help="default logs/<model>/<time>")
    parser.add_argument("--data-dir", help="tfds data dir; default tfds's own")
    parser.add_argument("--train-split", default="train", help="tfds split, e.g. 'train[:5000]'")
    parser.add_argument("--test-split", default="test")
    parser.add_argument("--resize", type=positive_int, help="resize images to SIZE x SIZE")
    parser.add_argument(
        "--strategy",
        default="auto",
        choices=("auto", "default", "onedevice", "mirrored", "multiworker"),
        help="auto: TF_CONFIG set -> multiworker; >1 GPU -> mirrored; 1 GPU -> onedevice",
    )
    parser.add_argument(
        "--loop",
        default="auto",
        choices=("auto", "fit", "custom"),
        help="fit: Keras model.fit; custom: the project's strategy.run loop (auto: custom "
        "under multiworker, where model.fit fails, else fit)",
    )
    parser.add_argument("--scale-lr", action="store_true", help="lr x number of replicas")
    parser.add_argument("--jit-compile", action="store_true", help="compile steps with XLA")
    parser.add_argument(
        "--precision", default="float32", choices=("float32", "mixed_float16", "mixed_bfloat16")
    )
    parser.add_argument(
        "--checkpoint-dir", type=Path, help="default checkpoints/<model>; removed after success"
    )
    parser.add_argument(
        "--checkpoint-every", type=positive_int, help="steps between checkpoints (default: epoch)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="continue from the checkpoint in --checkpoint-dir"
    )
    parser.add_argument(
        "--monitor",
        type=monitor_list,
        default=[],
        help="comma-separated: gradients, activations (TensorBoard, CSV, warnings)",
    )
    parser.add_argument(
        "--monitor-every", type=positive_int, default=100, help="steps between monitor looks"
    )
    parser.add_argument(
        "--pause-every", type=positive_int, metavar="N", help="pause every N steps to decide"
    )
    parser.add_argument(
        "--pause-control",
        choices=("prompt", "file", "auto"),
        help="who decides at a pause: prompt (default on a terminal), file, auto (continue)",
    )
    parser.add_argument(
        "--pause-file",
        type=Path,
        help="control file for --pause-control file (default: <checkpoint-dir>.control)",
    )
    parser.add_argument(
        "--pause-timeout", type=positive_float, help="seconds to wait for the control file"
    )
    parser.add_argument(
        "--pause-on-timeout",
        choices=("continue", "stop"),
        default="continue",
        help="what a control-file pause does when nobody answers in time",
    )
    parser.add_argument(
        "--scale", choices=("auto", "paper", "small"), help="model scale; default: by input size"
    )
    parser.add_argument("--width", type=positive_float, help="width multiplier of the model")
    parser.add_argument(
        "--model-arg",
        type=model_arg,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a model option, e.g. aux_classifiers=true; repeatable",
    )
    args = parser.parse_args(argv)
    if args.pause_control == "prompt" and not sys.stdin.isatty():
        parser.error("--pause-control prompt needs a terminal on stdin; use file or auto")
    if args.pause_control and not args.pause_every:
        parser.error("--pause-control needs --pause-every N")
    if args.model not in zoo.list_models():
        parser.error(f"unknown model {args.model!r}; valid models: {', '.join(zoo.list_models())}")
    args.model_kwargs = dict(args.model_arg)
    for option in ("scale", "width"):
        if getattr(args, option) is not None:
            args.model_kwargs[option] = getattr(args, option)
    options = zoo.registry.model_options(args.model)
    unknown = sorted(set(args.model_kwargs) - set(options))
    if unknown:
        parser.error(
            f"model {args.model!r} has no option {', '.join(unknown)}; "
            f"its options: {', '.join(options) or 'none'}"
        )
    return args


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    defaults = zoo.get_defaults(args.model)
    epochs = args.epochs or defaults.epochs
    batch_size = args.batch_size or defaults.batch_size
    optimizer_name = args.optimizer or defaults.optimizer
    lr = args.lr or defaults.learning_rate
    lr_schedule = args.lr_schedule or defaults.lr_schedule

    # Heavy imports after the flags are checked, so bad input is refused at once.
    import keras
    import tensorflow as tf

    from components.callbacks import (
        ActivationMonitor,
        GradientMonitor,
        LearningRateLogger,
        PauseEveryNSteps,
        default_controller,
    )
    from components.callbacks.checkpointing import TrainingCheckpoint
    from components.data import Preprocessing, load_image_classification, make_pipeline
    from components.distribute import (
        TFConfigError,
        describe_strategy,
        is_chief,
        select_strategy,
        strategy_name,
        task_id,
    )
    from components.export import export_classifier
    from components.loop import DistributedTrainer
    from components.optimizers import make_optimizer
    from components.schedules import make_schedule
    from components.training import compile_classifier, run_metadata, with_aux_targets

    try:
        strategy = select_strategy(args.strategy)  # first: multi-worker needs a fresh context
    except TFConfigError as err:
        raise SystemExit(f"error: {err}") from None
    keras.utils.set_random_seed(args.seed)
    if args.precision != "float32":
        keras.mixed_precision.set_dtype_policy(args.precision)
    chief = is_chief()
    multiworker = isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
    # A resumed run continues in the project's loop, which can start in the middle of an epoch
    # (it computes what model.fit computes; see components/loop.py).
    auto_loop = "custom" if (multiworker or args.resume) else "fit"
    loop = args.loop if args.loop != "auto" else auto_loop
    if loop == "fit" and multiworker:
        raise SystemExit(
            "--loop fit cannot run under MultiWorkerMirroredStrategy (keras-team/keras#20585); "
            "use --loop custom (the default there)."
        )
    say = print if chief else (lambda *a, **k: None)  # other workers stay quiet
    say(describe_strategy(strategy, batch_size) + f" Loop: {loop}.")
    if args.scale_lr:
        lr *= strategy.num_replicas_in_sync
        say(f"Learning rate scaled linearly by {strategy.num_replicas_in_sync} replicas: {lr}.")

    checkpoint_dir = args.checkpoint_dir or Path("checkpoints") / args.model
    has_checkpoint = checkpoint_dir.is_dir() and any(checkpoint_dir.iterdir())
    if args.resume and not has_checkpoint:
        raise SystemExit(f"--resume: no checkpoint in {checkpoint_dir} to resume from.")
    if has_checkpoint and not args.resume:
        raise SystemExit(
            f"{checkpoint_dir} holds a checkpoint of an unfinished run: pass --resume to "
            "continue it, or another --checkpoint-dir to start afresh."
        )

    data = load_image_classification(
        args.dataset,
        data_dir=args.data_dir,
        train_split=args.train_split,
        test_split=args.test_split,
        val_split=args.val_split,
    )
    resize = (args.resize, args.resize) if args.resize else None
    preprocessing = Preprocessing.fit(data.train, resize=resize)
    say(
        f"Data: {args.dataset}: {data.num_train} train, {data.num_validation} validation, "
        f"{data.num_test} test images of {data.image_shape}, {len(data.class_names)} classes; "
        f"normalized with mean {preprocessing.mean}, std {preprocessing.std}."
    )
    train = make_pipeline(
        data.train, preprocessing, batch_size=batch_size, training=True, seed=args.seed
    )
    validation = (
        make_pipeline(data.validation, preprocessing, batch_size=batch_size, training=False)
        if data.validation is not None
        else None
    )
    test = make_pipeline(data.test, preprocessing, batch_size=batch_size, training=False)

    with strategy.scope():
        model = zoo.create(
            args.model,
            input_shape=preprocessing.output_shape(data.image_shape),
            num_classes=len(data.class_names),
            **args.model_kwargs,
        )
        steps_per_epoch = -(-data.num_train // batch_size)
        schedule = make_schedule(
            lr_schedule, lr, total_steps=epochs * steps_per_epoch, steps_per_epoch=steps_per_epoch
        )
        optimizer = make_optimizer(optimizer_name, schedule, weight_decay=args.weight_decay)
        if loop == "fit":
            compile_classifier(model, optimizer, jit_compile=args.jit_compile)
    say(
        f"Model: {args.model}, {model.count_params():,} parameters; {optimizer_name} lr {lr} "
        f"({lr_schedule}), weight decay {args.weight_decay}, {epochs} epochs, "
        f"batch {batch_size}, seed {args.seed}, precision {args.precision}."
    )
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_dir = args.log_dir or Path("logs") / args.model / stamp
    callbacks = []
    if chief:  # only the chief writes logs
        say(f"TensorBoard logs: {log_dir}  (tensorboard --logdir {log_dir})")
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(log_dir)))

    callbacks.append(LearningRateLogger())
    if lr_schedule == "plateau":
        monitor = "val_loss" if validation is not None else "loss"
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor, factor=0.5, patience=2))
    trainer = None
    if loop == "custom":
        trainer = DistributedTrainer(
            model,
            optimizer,
            strategy,
            jit_compile=args.jit_compile,
            checkpoint_dir=checkpoint_dir,
            checkpoint_every=args.checkpoint_every,
            chief=chief,
            task_id=task_id(),
        )
    else:
        callbacks.append(TrainingCheckpoint(str(checkpoint_dir), args.checkpoint_every))
    monitors = {}
    if args.monitor:
        x_look, y_look = next(iter(validation if validation is not None else train))
        if "gradients" in args.monitor:
            monitors["gradients"] = GradientMonitor(
                (x_look.numpy(), y_look.numpy()),
                every=args.monitor_every,
                log_dir=str(log_dir / "gradients"),
                csv_path=str(log_dir / "gradients.csv") if chief else None,
                checkpoint_dir=str(checkpoint_dir),
                chief=chief,
            )
        if "activations" in args.monitor:
            monitors["activations"] = ActivationMonitor(
                x_look.numpy(),
                every=args.monitor_every,
                log_dir=str(log_dir / "activations"),
                chief=chief,
            )
        callbacks.extend(monitors.values())
        say(f"Monitoring {', '.join(monitors)} every {args.monitor_every} steps in {log_dir}.")
    pause = None
    if args.pause_every:
        control = args.pause_control or ("prompt" if sys.stdin.isatty() else "auto")
        pause_file = args.pause_file or checkpoint_dir.with_name(checkpoint_dir.name + ".control")
        controller = default_controller(
            control,
            path=pause_file,
            **(
                {"timeout": args.pause_timeout, "on_timeout": args.pause_on_timeout}
                if control == "file"
                else {}
            ),
        )
        pause = PauseEveryNSteps(
            args.pause_every,
            controller=controller,
            checkpoint_dir=str(checkpoint_dir),
            save_fn=trainer.save_checkpoint if trainer is not None else None,
            strategy=strategy,
            chief=chief,
        )
        callbacks.append(pause)
        say(f"Pausing every {args.pause_every} steps; decisions by: {control}.")

    start = time.time()
    if loop == "fit":
        history = model.fit(
            with_aux_targets(train, model),
            validation_data=with_aux_targets(validation, model) if validation else None,
            epochs=epochs,
            shuffle=False,  # the pipeline shuffles; this silences Keras's warning that it won't
            callbacks=callbacks,
            verbose="auto",
        )
    else:
        history = trainer.fit(
            train,
            epochs=epochs,
            validation_data=validation,
            callbacks=callbacks,
            verbose=1 if chief else 0,
        )
    nan_stop = "gradients" in monitors and monitors["gradients"].nan_layer is not None
    if nan_stop or (pause is not None and pause.stopped_at_step is not None):
        stopped_at = int(model.optimizer.iterations.numpy())
        if pause is not None and pause.stopped_at_step is not None:
            stopped_at = pause.stopped_at_step
        resume = shlex.join(["python", "recipes/train.py", *argv, "--resume"])
        why = "NaN/Inf (GradientMonitor)" if nan_stop else "decision"
        say(
            f"Stopped at step {stopped_at} by {why}; nothing exported; checkpoint in "
            f"{checkpoint_dir}. Continue with:\n  {resume}"
        )
        keras.mixed_precision.set_dtype_policy("float32")
        return {
            "stopped_at_step": stopped_at,
            "monitors": monitors,
            "checkpoint_dir": str(checkpoint_dir),
            "model": model,
            "history": history.history,
            "pause": pause,
        }
    train_seconds = time.time() - start
    # Evaluation and export use the main head alone (GoogLeNet's auxiliary heads are dropped).
    inference = zoo.inference_model(model)
    if loop == "fit":
        if inference is not model:
            compile_classifier(inference)
        test_metrics = inference.evaluate(test, return_dict=True, verbose=0)
    else:
        test_metrics = trainer.evaluate(test)
    print(f"Final weights sha256: {weights_digest(model)} (task {task_id()})")
    last = {k: float(v[-1]) for k, v in history.history.items()}
    metrics = {
        "train": {k: v for k, v in last.items() if not k.startswith("val_")},
        "validation": {k[4:]: v for k, v in last.items() if k.startswith("val_")} or None,
        "test": {k: float(v) for k, v in test_metrics.items()},
        "train_seconds": round(train_seconds, 1),
        "history": {k: [float(x) for x in v] for k, v in history.history.items()},
    }
    # Every worker writes the SavedModel (saving may need them all); only the chief keeps it.
    export_base = args.export_dir / args.model if chief else Path(tempfile.mkdtemp())
    export_dir = export_classifier(
        inference,
        export_base,
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
            hyperparameters={
                "optimizer": optimizer_name,
                "learning_rate": lr,
                "lr_schedule": lr_schedule,
                "weight_decay": args.weight_decay,
                "epochs": epochs,
                "batch_size": batch_size,
                "seed": args.seed,
                "strategy": strategy_name(strategy),
                "replicas": strategy.num_replicas_in_sync,
                "loop": loop,
                "precision": args.precision,
                "jit_compile": args.jit_compile,
                "model_options": args.model_kwargs,
            },
            seed=args.seed,
            command=["python", "recipes/train.py", *argv],
        ),
    )
    if not chief:
        shutil.rmtree(export_base, ignore_errors=True)
    elif checkpoint_dir.is_dir():
        # The run is complete and exported; its checkpoints were only for resuming it.
        shutil.rmtree(checkpoint_dir)
    keras.mixed_precision.set_dtype_policy("float32")
    say(
        f"Test: loss {metrics['test']['loss']:.4f}, accuracy {metrics['test']['accuracy']:.4f} "
        f"({train_seconds:.1f} s training)."
    )
    say(f"Exported SavedModel: {export_dir}")
    return {
        "stopped_at_step": None,
        "monitors": monitors,
        "history": history.history,
        "export_dir": str(export_dir),
        "metrics": metrics,
        "model": inference,
        "preprocessing": preprocessing,
    }


if __name__ == "__main__":
    main()
