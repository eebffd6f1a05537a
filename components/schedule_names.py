"""The names of the learning-rate schedules (`components.schedules` builds them).

Apart from the schedules themselves, which subclass Keras's: the commands' flags are read
before Keras loads, and `--lr-schedule` needs only the names.
"""

LR_SCHEDULES = (
    "constant",
    "step",
    "exponential",
    "inverse_time",
    "cosine",
    "warmup_cosine",
    "warmup_linear",
    "plateau",
)
# The schedules that are functions of the step (all but the plateau callback).
STEP_SCHEDULES = tuple(name for name in LR_SCHEDULES if name != "plateau")

__all__ = ["LR_SCHEDULES", "STEP_SCHEDULES"]
