#!/usr/bin/env python3
"""Benchmark: training throughput through the project's tfds pipeline vs in-memory NumPy.

Same model (`lenet5_bn`), same initial weights, same batch size, same normalized images; (a) fed
by `components.data.make_pipeline` over tfds's `fashion_mnist`, (b) a plain Keras script fed
from NumPy arrays (`model.fit(x, y, batch_size, shuffle=True)`). The two alternate epoch by
epoch in one run, the first epoch of each is discarded (tracing, cache filling), and the ratio of
median images/s is reported. Target (issue 2): ratio >= 0.95.

    python benchmarks/pipeline_throughput.py [--epochs 4] [--batch-size 128]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness import RESULTS, alternate_epochs, quiet, ratio_result, save_result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--epochs", type=int, default=4, help="timed epochs per feeder, +1 warm-up"
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    quiet()

    import keras

    import zoo
    from components.data import Preprocessing, load_image_classification, make_pipeline
    from components.data.pipeline import preprocess_images
    from components.optimizers import make_optimizer
    from components.training import compile_classifier

    data = load_image_classification("fashion_mnist", data_dir=args.data_dir)
    prep = Preprocessing.fit(data.train)
    pipeline = make_pipeline(data.train, prep, batch_size=args.batch_size, training=True, seed=0)
    images, labels = next(iter(data.train.batch(data.num_train).as_numpy_iterator()))
    x = preprocess_images(images, prep).numpy()
    y = labels

    def new_model():
        keras.utils.set_random_seed(0)
        return compile_classifier(zoo.create("lenet5_bn"), make_optimizer("adam", 1e-3))

    models = {"tfds_pipeline": new_model(), "numpy_in_memory": new_model()}
    runners = {
        "tfds_pipeline": lambda: models["tfds_pipeline"].fit(
            pipeline, epochs=1, verbose=0, shuffle=False
        ),
        "numpy_in_memory": lambda: models["numpy_in_memory"].fit(
            x, y, batch_size=args.batch_size, epochs=1, verbose=0, shuffle=True
        ),
    }
    rates = alternate_epochs(runners, args.epochs, data.num_train)
    result = ratio_result(
        rates,
        "tfds_pipeline",
        "numpy_in_memory",
        batch_size=args.batch_size,
        timed_epochs=args.epochs,
    )
    save_result("pipeline_throughput", result, args.out)


if __name__ == "__main__":
    main()
