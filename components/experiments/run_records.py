"""The finished runs of a long experiment, kept on disk after each so that it can be resumed.

An experiment of many training runs (`classiczoo lesson tricks --full`: a dozen variants, three
seeds, each a full training run) takes longer than a machine may stay up or a session lasts.
`RunRecords` writes every finished run to one JSON file (atomically: a kill leaves the previous
file whole) beside the experiment's settings; the same command with `--resume` reads it back,
refuses it where a setting differs (its results would not be comparable) and runs only what is
missing. Each run keeps the number of the invocation that made it: seconds measured by different
invocations may come from different machines.
"""

from __future__ import annotations

import json
from pathlib import Path

from components.atomic_files import write_json_atomic
from components.config_error import ConfigError

RECORDS_FILE = "runs.json"


class RunRecords:
    """Finished runs by name and seed, with the settings they were made with.

    Args:
        path: the JSON file.
        settings: what makes the runs comparable (model, data, epochs, ...): JSON values.

    Example:
    >>> records = RunRecords(out / "runs.json", {"model": "vgg11_bn", "epochs": 36})
    ... # doctest: +SKIP
    >>> if records.get("fast", 0) is None:  # doctest: +SKIP
    ...     records.add("fast", 0, train())
    """

    def __init__(self, path: str | Path, settings: dict):
        self.path = Path(path)
        self.settings = json.loads(json.dumps(settings))  # as the file will hold them
        self.runs: dict[str, dict[str, dict]] = {}
        self.invocation = 1

    @classmethod
    def resumed(cls, path: str | Path, settings: dict) -> RunRecords:
        """The records an earlier invocation with the same `settings` left at `path`.

        Raises:
            ConfigError: there is no such file, or a setting differs (the first one named).
        """
        records = cls(path, settings)
        if not records.path.is_file():
            raise ConfigError(
                f"--resume: no runs recorded at {records.path}; run once without --resume."
            )
        earlier = json.loads(records.path.read_text())
        for name in sorted(set(records.settings) | set(earlier["settings"])):
            was, now = earlier["settings"].get(name), records.settings.get(name)
            if was != now:
                raise ConfigError(
                    f"--resume: the runs at {records.path} were made with {name} {was!r}, this "
                    f"command asks for {now!r}: give the same flags, or another --out."
                )
        records.runs = earlier["runs"]
        records.invocation = earlier["invocations"] + 1
        return records

    def get(self, name: str, seed: int) -> dict | None:
        """The recorded run of `name` with `seed`, or None."""
        return self.runs.get(name, {}).get(str(seed))

    def add(self, name: str, seed: int, run: dict) -> None:
        """Records a finished run (its invocation added) and writes the file."""
        self.runs.setdefault(name, {})[str(seed)] = {**run, "invocation": self.invocation}
        write_json_atomic(
            self.path,
            {"settings": self.settings, "invocations": self.invocation, "runs": self.runs},
        )

    def invocations_of(self, names, seeds) -> set[int]:
        """The invocations that made the runs of these names and seeds."""
        return {
            run["invocation"]
            for name in names
            for seed in seeds
            if (run := self.get(name, seed)) is not None
        }


__all__ = ["RECORDS_FILE", "RunRecords"]
