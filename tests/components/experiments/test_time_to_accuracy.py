"""Time to accuracy (components.experiments.time_to_accuracy, epoch_clock): the crossings,
the medians over seeds and the ratio against hand-computed values; the clock against a
measurement it must leave out."""

from __future__ import annotations

import time

import keras
import numpy as np

from components.experiments import (
    EpochClock,
    median_reached,
    seedwise_time_ratio,
    summarize_seeds,
    threshold_crossings,
    time_ratio,
)


def run_record(seconds, accuracies, tflop_per_epoch=2.0):
    """A record of `train_and_test`'s form, without training."""
    return {
        "epoch_seconds": seconds,
        "test_accuracy": accuracies,
        "tflop_per_epoch": tflop_per_epoch,
        "crossings": threshold_crossings(seconds, accuracies, tflop_per_epoch),
    }


def test_crossings_take_the_first_epoch_at_or_above_each_threshold():
    found = threshold_crossings([10, 20, 30, 40], [0.90, 0.921, 0.935, 0.93], 2.0)
    # 0.92 first at epoch 2 (10 + 20 s), 0.93 at epoch 3 (the later dip does not matter).
    assert found["0.92"] == {"epoch": 2, "seconds": 30, "tflop": 4.0}
    assert found["0.93"] == {"epoch": 3, "seconds": 60, "tflop": 6.0}
    assert found["0.94"] is None
    # Exactly the threshold counts as reached.
    assert threshold_crossings([5], [0.93], 1.0)["0.93"] == {
        "epoch": 1,
        "seconds": 5,
        "tflop": 1.0,
    }
    # Thresholds of one's own, e.g. a quick lesson's.
    assert threshold_crossings([3, 4], [0.84, 0.86], 1.0, thresholds=(0.85,)) == {
        "0.85": {"epoch": 2, "seconds": 7, "tflop": 2.0}
    }


def test_median_counts_a_seed_that_never_reached_as_infinitely_late():
    assert median_reached([30, 12, None]) == 30
    assert median_reached([None, 36, None]) is None
    assert median_reached([10, None]) is None  # half is not most
    assert median_reached([10, 20]) == 15


def test_summary_over_seeds_and_the_ratio():
    runs = [
        run_record([10, 20, 30, 40], [0.90, 0.921, 0.935, 0.939]),
        run_record([12, 12, 12, 12], [0.925, 0.93, 0.941, 0.94]),
        run_record([5, 5, 5, 5], [0.80, 0.85, 0.91, 0.915]),
    ]
    summary = summarize_seeds(runs)
    assert summary["seeds"] == 3
    # Seconds to 0.92: 30, 12 and never -> 30; epochs 2, 1, never -> 2; TFLOP 4, 2 -> 4.
    assert summary["thresholds"]["0.92"] == {"reached": 2, "epoch": 2, "seconds": 30, "tflop": 4.0}
    assert summary["thresholds"]["0.93"] == {"reached": 2, "epoch": 3, "seconds": 60, "tflop": 6.0}
    assert summary["thresholds"]["0.94"] == {
        "reached": 1,
        "epoch": None,
        "seconds": None,
        "tflop": None,
    }
    assert summary["final_test_accuracy"] == {"median": 0.939, "min": 0.915, "max": 0.94}
    assert summary["train_seconds"] == 48  # of 100, 48 and 20
    assert summary["tflop"] == 8.0  # 4 epochs x 2 TFLOP

    fast = summarize_seeds([run_record([3, 3], [0.93, 0.94])] * 3)
    assert time_ratio(summary, fast, 0.93) == {"ratio": 20.0, "at_least": None}  # 60 s / 3 s
    never = summarize_seeds([run_record([50, 50], [0.9, 0.91])])
    assert time_ratio(never, fast, 0.93) == {"ratio": None, "at_least": 100 / 3}
    assert time_ratio(fast, never, 0.93) == {"ratio": None, "at_least": None}


def test_the_ratio_seed_by_seed_and_its_median():
    # Seed 0: 0.93 after 60 s against 3 s (20); seed 1: slow never, all its 100 s against 5 s
    # (a lower bound, 20); seed 2: 24 s against 6 s (4); seed 3: fast never (nothing).
    slow = [
        run_record([10, 20, 30, 40], [0.90, 0.921, 0.935, 0.939]),
        run_record([50, 50], [0.9, 0.91]),
        run_record([12, 12, 12, 12], [0.925, 0.93, 0.941, 0.94]),
        run_record([1], [0.95]),
    ]
    fast = [
        run_record([3, 3], [0.93, 0.94]),
        run_record([5], [0.935]),
        run_record([6, 6], [0.935, 0.94]),
        run_record([5, 5], [0.90, 0.91]),
    ]
    found = seedwise_time_ratio(slow, fast, 0.93)
    assert found["ratios"] == [(20.0, False), (20.0, True), (4.0, False), None]
    # The median of 20, 20 and 4 is 20, and a bound (20) is not above it: at least 20.
    assert found["median"] == 20.0 and found["at_least"] is True
    exact = seedwise_time_ratio(slow[:1] + slow[2:3], fast[:1] + fast[2:3], 0.93)
    assert exact == {"ratios": [(20.0, False), (4.0, False)], "median": 12.0, "at_least": False}
    assert seedwise_time_ratio(slow[3:], fast[3:], 0.93)["median"] is None


def test_epoch_clock_stops_before_it_measures():
    pause = 0.5
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    said = []

    def measure():
        time.sleep(pause)  # a slow test pass: off the clock
        return 0.25

    clock = EpochClock(measure, log=lambda *a: said.append(a))
    start = time.perf_counter()
    model.fit(x, y, epochs=2, batch_size=16, callbacks=[clock], verbose=0)
    wall = time.perf_counter() - start
    assert len(clock.epoch_seconds) == 2 and clock.values == [0.25, 0.25]
    assert all(s > 0 for s in clock.epoch_seconds)
    # The measurements took 2 x pause of the wall time and none of the clock's.
    assert sum(clock.epoch_seconds) <= wall - 2 * pause
    assert [(epoch, value) for epoch, _, value in said] == [(0, 0.25), (1, 0.25)]
    assert [seconds for _, seconds, _ in said] == clock.epoch_seconds
