"""The lessons' results as a GitHub markdown table, written atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from components.atomic_files import write_text_atomic


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub markdown table; floats to 4 significant digits, None as "—".

    Example:
    >>> print(markdown_table(["optimizer", "loss"], [["sgd", 0.123456], ["adam", None]]))
    | optimizer | loss |
    |---|---|
    | sgd | 0.1235 |
    | adam | — |
    """
    if not headers:
        raise ValueError("A table needs at least one column.")
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    lines.append("|" + "---|" * len(headers))
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(
                f"Row {list(row)} has {len(row)} cells; the header has {len(headers)}."
            )
        lines.append("| " + " | ".join(_cell(value) for value in row) + " |")
    return "\n".join(lines)


def write_markdown_report(
    path: str | Path,
    title: str,
    intro: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    notes: Sequence[str] = (),
) -> Path:
    """Writes `# title`, the intro, the table and notes to `path` (atomically).

    Args:
        path: the markdown file (its directory is created).
        title, intro: the heading and the paragraph before the table.
        headers, rows: the table, as for `markdown_table`.
        notes: paragraphs after the table.

    Example:
    >>> write_markdown_report("out/results.md", "Lesson", "Setup.", ["a"], [[1]])
    PosixPath('out/results.md')
    """
    parts = [f"# {title}", intro.strip(), markdown_table(headers, rows), *notes]
    return write_text_atomic(path, "\n\n".join(part for part in parts if part) + "\n")


__all__ = ["markdown_table", "write_markdown_report"]
