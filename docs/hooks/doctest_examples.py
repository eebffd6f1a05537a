"""Griffe extension: the house's `Example:` blocks read as Google-style `Examples` sections.

The docstrings write a doctest flush with the text, after the Keras source's manner:

    Example:
    >>> make_schedule("step", 0.1, total_steps=300)(100)
    0.01

Griffe's Google parser takes a section only when its lines are indented, so it would render
the `>>>` lines as Markdown (quotes, and `[...]` read as links). This extension indents the
block under its title before the docstring is parsed; the source files stay as they are.
"""

from __future__ import annotations

import re

import griffe

EXAMPLE_TITLE = re.compile(r"Examples?:\s*")
SECTION_TITLE = re.compile(r"[A-Z][A-Za-z ]*:\s*")  # `Raises:`, `Returns:`, ...


def indent_examples(text: str) -> str:
    """`text` with each unindented block under `Example:` indented by four spaces, up to the
    next section title after a blank line (or the end)."""
    lines = text.split("\n")
    out: list[str] = []
    in_example = False
    for number, line in enumerate(lines):
        if in_example:
            if not line.strip() and out[-1] == "Examples:":
                continue  # griffe refuses a section whose title a blank line follows
            after_blank = out[-1].strip() == ""
            if after_blank and SECTION_TITLE.fullmatch(line):
                in_example = False
            else:
                out.append(f"    {line}" if line else line)
                continue
        following = next((later for later in lines[number + 1 :] if later.strip()), "")
        if EXAMPLE_TITLE.fullmatch(line) and following and not following.startswith(" "):
            in_example = True
            out.append("Examples:")
            continue
        out.append(line)
    return "\n".join(out)


class DoctestExamples(griffe.Extension):
    """Indents the house's `Example:` blocks of every loaded object's docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None and "xample:" in obj.docstring.value:
            obj.docstring.value = indent_examples(obj.docstring.value)
