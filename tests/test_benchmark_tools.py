"""The benchmark helpers that turn logs into the tables of docs/RESULTS.md."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO_ROOT


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_epoch_times_reads_finished_epochs_per_model_from_a_console_log():
    epoch_times = _load("epoch_times")
    bar = "\x1b[1m{0}/422\x1b[0m \x1b[32m━━━━\x1b[0m \x1b[1m{1}s\x1b[0m 205ms/step - accuracy: 0.9"
    log = "\n".join(
        [
            "Model: lenet5_bn, 61,000 parameters; adam lr 0.003",
            "\r".join([bar.format(1, 3), bar.format(422, 9) + " - val_accuracy: 0.90"]),
            bar.format(422, 11) + " - val_accuracy: 0.91",
            "Model: vgg11_bn, 2,443,946 parameters",
            bar.format(200, 40),  # unfinished epoch: no validation, not counted
            bar.format(422, 91) + " - val_accuracy: 0.93 - val_loss: 0.17",
        ]
    )
    # A log written to a file has Keras's verbose=2 lines instead (progress_verbosity).
    log += "\nModel: alexnet, 1 parameters\n" + "\n".join(
        [
            "Epoch 1/2",
            "422/422 - 412s - 976ms/step - accuracy: 0.81 - val_accuracy: 0.88",
            "Epoch 2/2",
            "422/422 - 398s - 943ms/step - accuracy: 0.88 - loss: 0.3 - val_accuracy: 0.90",
            "Model: googlenet, 2,132,790 parameters",
            "422/422 - 165s - 391ms/step - loss: 0.8 - val_classifier_accuracy: 0.86",
        ]
    )
    assert epoch_times.epoch_seconds(log) == {
        "lenet5_bn": [9, 11],
        "vgg11_bn": [91],
        "alexnet": [412, 398],
        "googlenet": [165],
    }
