#!/usr/bin/env python3
"""Benchmark: training throughput with `--augment standard` against without it.

Same model, initial weights, data and optimizer, `model.fit` over the project's pipeline; the
augmented pipeline flips and shifts every image in tf.data (Keras's `RandomFlip` and
`RandomTranslation`, batch by batch), in parallel with the training step. The two alternate
epoch by epoch in one run, the first epoch of each is discarded, and the ratio of median
images/s is reported. Target (issue 13): ratio >= 0.90.

    python benchmarks/augmentation_throughput.py                # LeNet-BN: the cheapest step,
                                                               # so the worst case
    python benchmarks/augmentation_throughput.py --model vgg11_bn --epochs 3 \
        --train-split 'train[:25%]'
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness import RESULTS, alternate_epochs, quiet, ratio_result, save_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=6, help="timed epochs per setup")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--model", default="lenet5_bn")
    parser.add_argument("--augment", default="standard")
    parser.add_argument("--train-split", default="train")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    quiet()
    import keras

    import zoo
    from components.data import load_normalized
    from components.optimizers import make_optimizer
    from components.training import compile_classifier

    data = load_normalized("fashion_mnist", train_split=args.train_split)
    pipelines = {
        "augmented": data.pipeline(
            "train", args.batch_size, training=True, seed=0, augment=args.augment
        ),
        "plain": data.pipeline("train", args.batch_size, training=True, seed=0),
    }

    def new_model():
        keras.utils.set_random_seed(0)
        return compile_classifier(zoo.create(args.model), make_optimizer("adam", 1e-3))

    models = {name: new_model() for name in pipelines}
    runners = {
        name: (lambda name=name: models[name].fit(pipelines[name], epochs=1, verbose=0))
        for name in pipelines
    }
    rates = alternate_epochs(runners, args.epochs, data.data.num_train)
    result = ratio_result(
        rates,
        "augmented",
        "plain",
        model=args.model,
        augment=args.augment,
        batch_size=args.batch_size,
        timed_epochs=args.epochs,
    )
    save_result(f"augmentation_throughput_{args.model}", result, args.out)


if __name__ == "__main__":
    main()
