"""MkDocs hook: the API reference pages (`api/*.md`), one per package, found at build time.

Each page holds mkdocstrings directives (`::: components.data`); mkdocstrings reads the
docstrings by static analysis, so the build imports neither TensorFlow nor the packages. The
pages and the nav's "API reference" section follow the packages' directories: a package
added, moved or removed needs no edit here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from mkdocs.structure.files import File

ROOTS = ("components", "zoo")
NAV_TITLE = "API reference"
INDEX = "api/index.md"


def _repository(config) -> Path:
    return Path(config.config_file_path).parent


def _summary(path: Path) -> str:
    """The first paragraph of a module's docstring, on one line, read without importing it."""
    docstring = ast.get_docstring(ast.parse(path.read_text())) or ""
    return " ".join(docstring.strip().split("\n\n", 1)[0].split()).replace("|", "\\|")


def _modules(package_dir: Path) -> list[str]:
    return sorted(path.stem for path in package_dir.glob("*.py") if not path.name.startswith("_"))


def _subpackages(package_dir: Path) -> list[str]:
    return sorted(path.parent.name for path in package_dir.glob("*/__init__.py"))


def _defined_in_init(package_dir: Path) -> list[str]:
    """The public functions and classes an `__init__.py` defines itself. Its imported names
    are documented in their own modules, on the same page: listing them twice would double
    the page."""
    tree = ast.parse((package_dir / "__init__.py").read_text())
    return [
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_")
    ]


def _directive(name: str, heading_level: int, members: list[str] | None = None) -> list[str]:
    options = [f"      heading_level: {heading_level}"]
    if members is not None:
        options.append(f"      members: [{', '.join(members)}]")
    return [f"::: {name}", "    options:", *options, ""]


def _package_directives(package: str, package_dir: Path, heading_level: int) -> list[str]:
    """The package (its docstring and what its `__init__` defines), each of its modules a
    level below, and its subpackages the same way."""
    lines = _directive(package, heading_level, members=_defined_in_init(package_dir))
    for module in _modules(package_dir):
        lines += _directive(f"{package}.{module}", heading_level + 1)
    for sub in _subpackages(package_dir):
        lines += _package_directives(f"{package}.{sub}", package_dir / sub, heading_level + 1)
    return lines


def reference_pages(repository: Path) -> dict[str, str]:
    """Page path -> markdown: per root package a page of its own modules, per subpackage a
    page of its modules; and an index."""
    pages = {}
    index = [
        "# API reference",
        "",
        "Generated from the docstrings when the site is built. `components` is the library of "
        "reusable parts; `zoo` holds the models, their registry and the run of a zoo model "
        "(`zoo.train`), and `zoo.cli` the `classiczoo` command (its flags: "
        "[Command-line reference](../cli.md)).",
        "",
        "| package | what it holds |",
        "|---|---|",
    ]
    for root in ROOTS:
        root_dir = repository / root
        page = _directive(root, 1, members=_defined_in_init(root_dir))
        for module in _modules(root_dir):
            page += _directive(f"{root}.{module}", 2)
        pages[f"api/{root}.md"] = "\n".join(page)
        index.append(f"| [`{root}`]({root}.md) | {_summary(root_dir / '__init__.py')} |")
        for sub in _subpackages(root_dir):
            name = f"{root}.{sub}"
            pages[f"api/{name}.md"] = "\n".join(_package_directives(name, root_dir / sub, 1))
            summary = _summary(root_dir / sub / "__init__.py")
            index.append(f"| [`{name}`]({name}.md) | {summary} |")
    pages[INDEX] = "\n".join(index) + "\n"
    return pages


def on_config(config):
    """Expands the nav's `API reference: api/index.md` into the index and one page each."""
    pages = sorted(reference_pages(_repository(config)))
    section = [INDEX, *[{Path(page).stem: page} for page in pages if page != INDEX]]
    for position, item in enumerate(config.nav or []):
        if isinstance(item, dict) and item.get(NAV_TITLE) == INDEX:
            config.nav[position] = {NAV_TITLE: section}
    return config


def on_files(files, config):
    for path, content in reference_pages(_repository(config)).items():
        files.append(File.generated(config, path, content=content))
    return files
