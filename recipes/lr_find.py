#!/usr/bin/env python3
"""Learning-rate range test (Smith 2017) for a zoo model on a tfds dataset: plot and suggestion.

    python recipes/lr_find.py --model lenet5_bn --dataset fashion_mnist --steps 200

Raises the learning rate exponentially from --min-lr to --max-lr over --steps steps, records
the loss, restores the model, prints the suggested rate and writes the plot (PNG).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import zoo
from components.cli import positive_float
from components.optimizers import OPTIMIZERS


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="lenet5_bn", choices=zoo.list_models())
    parser.add_argument("--dataset", default="fashion_mnist")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="default: the model's")
    parser.add_argument("--batch-size", type=int, help="default: the model's")
    parser.add_argument("--min-lr", type=positive_float, default=1e-6)
    parser.add_argument("--max-lr", type=positive_float, default=1.0)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--train-split", default="train")
    parser.add_argument("--data-dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="PNG path; default lr_find_<model>.png")
    args = parser.parse_args(argv)
    if args.min_lr >= args.max_lr:
        parser.error(f"--min-lr {args.min_lr} must be below --max-lr {args.max_lr}")
    if args.steps < 3:
        parser.error(f"--steps must be >= 3, got {args.steps}")

    import keras

    from components.callbacks import find_learning_rate
    from components.data import Preprocessing, load_image_classification, make_pipeline
    from components.optimizers import make_optimizer
    from components.training import compile_classifier, with_aux_targets

    defaults = zoo.get_defaults(args.model)
    keras.utils.set_random_seed(args.seed)
    data = load_image_classification(
        args.dataset, data_dir=args.data_dir, train_split=args.train_split
    )
    preprocessing = Preprocessing.fit(data.train)
    batch_size = args.batch_size or defaults.batch_size
    train = make_pipeline(
        data.train, preprocessing, batch_size=batch_size, training=True, seed=args.seed
    )
    model = zoo.create(args.model, input_shape=data.image_shape, num_classes=len(data.class_names))
    optimizer_name = args.optimizer or defaults.optimizer
    compile_classifier(model, make_optimizer(optimizer_name, args.min_lr))
    print(
        f"Range test: {args.model} on {args.dataset}, {optimizer_name}, batch {batch_size}, "
        f"lr {args.min_lr:g} -> {args.max_lr:g} over {args.steps} steps."
    )
    finder = find_learning_rate(
        model,
        with_aux_targets(train, model),
        min_lr=args.min_lr,
        max_lr=args.max_lr,
        steps=args.steps,
        verbose=1,
    )
    suggestion = finder.suggestion()
    out = finder.plot(args.out or Path(f"lr_find_{args.model}.png"))
    print(f"Suggested learning rate: {suggestion:.3g} (steepest fall of the smoothed loss)")
    print(f"Plot: {out}")
    return {"suggestion": suggestion, "plot": str(out), "finder": finder}


if __name__ == "__main__":
    main()
