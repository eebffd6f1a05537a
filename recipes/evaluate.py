#!/usr/bin/env python3
"""Evaluate exported SavedModels on a tfds split: loss and accuracy.

Example:
    python recipes/evaluate.py saved_models/lenet5_bn          # its newest version
    python recipes/evaluate.py saved_models/lenet5_bn/1 --split test

The model is loaded with `tf.saved_model.load` (not the project's model classes); the dataset
defaults to the one in the export's metadata.json.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from components.cli import positive_int


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dirs", nargs="+", type=Path, help="SavedModel or base dirs")
    parser.add_argument("--dataset", help="tfds dataset; default: from the export's metadata")
    parser.add_argument("--split", default="test", help="tfds split, slicing allowed")
    parser.add_argument("--data-dir", help="tfds data dir; default tfds's own")
    parser.add_argument("--batch-size", type=positive_int, default=1000)
    return parser.parse_args(argv)


def evaluate(classifier, dataset, num_examples: int, batch_size: int) -> dict[str, float]:
    """Mean cross-entropy and accuracy of a `SavedClassifier` over `(uint8 image, label)`."""
    import keras
    import numpy as np

    progress = keras.utils.Progbar(num_examples, unit_name="image")
    total_loss = correct = count = 0.0
    for images, labels in dataset.batch(batch_size).as_numpy_iterator():
        outputs = classifier.predict(images)
        probabilities = outputs["probabilities"][np.arange(len(labels)), labels]
        total_loss += float(-np.log(np.clip(probabilities, 1e-12, 1.0)).sum())
        correct += float((outputs["class_ids"] == labels).sum())
        count += len(labels)
        progress.add(len(labels))
    return {"loss": total_loss / count, "accuracy": correct / count, "examples": int(count)}


def main(argv: list[str] | None = None) -> list[dict]:
    args = parse_args(argv)
    import numpy as np

    from components.data import load_image_classification
    from components.serving import SavedClassifier

    results = []
    for model_dir in args.model_dirs:
        classifier = SavedClassifier(model_dir)
        dataset = args.dataset or classifier.metadata.get("dataset")
        if not dataset:
            raise SystemExit(
                f"{classifier.path} has no metadata.json naming its dataset: pass --dataset."
            )
        data = load_image_classification(
            dataset, data_dir=args.data_dir, train_split=args.split, test_split=args.split
        )
        # Fail before the loop, with the expected shape, if the dataset does not fit the model.
        classifier.check_images(np.zeros((1, *data.image_shape), np.uint8))
        print(f"Evaluating {classifier.path} on {dataset} {args.split} ({data.num_test} images)")
        metrics = evaluate(classifier, data.test, data.num_test, args.batch_size)
        print(
            f"{classifier.path}: loss {metrics['loss']:.4f}, accuracy {metrics['accuracy']:.4f} "
            f"on {metrics['examples']} images of {dataset} {args.split}"
        )
        results.append({"model_dir": str(classifier.path), "dataset": dataset, **metrics})
    return results


if __name__ == "__main__":
    main()
