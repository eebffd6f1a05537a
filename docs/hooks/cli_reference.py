"""MkDocs hook: the CLI reference page (`cli.md`), written at build time from the parsers.

Every command's page section comes from its module's `build_parser` (`zoo.cli.COMMANDS` names
them) and every lesson's from `components.lessons`, so the reference cannot drift from the
flags. Nothing here is copied by hand.

The commands' modules import TensorFlow, which takes seconds: a second process writes the page
(this file run as a script) while MkDocs renders the other pages, and the page is read when
MkDocs reaches it. List this hook after the API reference's, so that its page comes last.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import io
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

HELP_WIDTH = 100  # fixed, so the page does not depend on the terminal that builds it
PAGE = "cli.md"
_writer: subprocess.Popen | None = None


def _top_level_help() -> str:
    from zoo.cli import main

    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        main(["--help"])  # argparse prints the help and exits; main returns 0
    return text.getvalue()


def _default_text(action: argparse.Action) -> str:
    default = action.default
    if default is None or default is argparse.SUPPRESS or isinstance(default, bool):
        return ""
    if isinstance(default, list | tuple):
        return ", ".join(f"`{value}`" for value in default) if default else ""
    return f"`{default}`"


def _invocation(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"`{action.metavar or action.dest}`"
    flags = ", ".join(action.option_strings)
    if action.nargs == 0:
        return f"`{flags}`"
    metavar = action.metavar or action.dest.upper()
    return f"`{flags} {metavar if isinstance(metavar, str) else ' '.join(metavar)}`"


def _help_text(action: argparse.Action) -> str:
    text = (action.help or "").replace("%(default)s", str(action.default))
    text = text.replace("%%", "%")
    if action.choices and not isinstance(action, argparse._SubParsersAction):
        choices = ", ".join(f"`{choice}`" for choice in action.choices)
        text = f"{text} (one of: {choices})" if text else f"one of: {choices}"
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    # argparse has no public way to walk a parser's arguments; `_actions` is what tools that
    # document argparse (sphinx-argparse among them) read.
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _parser_section(parser: argparse.ArgumentParser, level: int) -> list[str]:
    """A heading (the command line), the usage, the description, a table of the arguments and
    the epilog; then the same for each subcommand, a level deeper."""
    parser.formatter_class = functools.partial(parser.formatter_class, width=HELP_WIDTH)
    heading = f"{'#' * level} `{parser.prog}`"
    lines = [heading, "", "```text", parser.format_usage().strip(), "```", ""]
    if parser.description:
        lines += [parser.description, ""]
    rows = [
        action
        for action in parser._actions
        if action.help is not argparse.SUPPRESS
        and not isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
    ]
    if rows:
        lines += ["| argument | default | meaning |", "|---|---|---|"]
        lines += [f"| {_invocation(a)} | {_default_text(a)} | {_help_text(a)} |" for a in rows]
        lines.append("")
    if parser.epilog:
        lines += ["```text", parser.epilog.strip(), "```", ""]
    for subparser in _subparsers(parser).values():
        lines += _parser_section(subparser, level + 1)
    return lines


def cli_reference() -> str:
    """The page: `classiczoo --help`, then a section per command and per lesson."""
    from components.console import quiet_tensorflow

    quiet_tensorflow(False)  # the commands' modules import TensorFlow: without its C++ lines
    from components.lessons import LESSONS, lesson_module
    from zoo.cli import COMMANDS

    lines = [
        "# Command-line reference",
        "",
        "Generated from the commands' argument parsers when the site is built: what "
        "`classiczoo COMMAND --help` prints, with each flag's default. Each command is the same "
        "as `python -m zoo.cli COMMAND` and, in a clone, as its recipe script "
        "(`python recipes/train.py` is `classiczoo train`). Bad flags exit with code 2 and "
        "the usage; bad input found later exits with code 1 and one line naming it "
        "(`--verbose`: the traceback).",
        "",
        "```text",
        _top_level_help().strip(),
        "```",
        "",
    ]
    for name, (module_name, _) in COMMANDS.items():
        module = importlib.import_module(f"zoo.cli.{module_name}")
        lines += _parser_section(module.build_parser(prog=f"classiczoo {name}"), 2)
        if name == "lesson":
            for lesson in LESSONS:
                parser = lesson_module(lesson).build_parser(prog=f"classiczoo lesson {lesson}")
                lines += _parser_section(parser, 3)
    return "\n".join(lines)


def on_config(config):
    """Starts the second process that writes the page."""
    global _writer
    _writer = subprocess.Popen(
        [sys.executable, __file__], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    return config


def on_files(files, config):
    files.append(File.generated(config, PAGE, content="(written by the hook's second process)"))
    return files


def on_page_markdown(markdown, page, config, files):
    """The page's markdown, from the second process (waiting for it if need be)."""
    if page.file.src_uri != PAGE:
        return markdown
    out, err = _writer.communicate()
    if _writer.returncode != 0:
        raise PluginError(f"{__file__} failed:\n{err.decode(errors='replace')}")
    return out.decode("utf-8")


def on_build_error(error):
    if _writer is not None and _writer.poll() is None:
        _writer.kill()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository's packages
    sys.stdout.buffer.write(cli_reference().encode("utf-8"))
