"""The wheel a pip user installs: both packages, every subpackage, the `classiczoo` command,
and nothing of the repository's scaffolding. (CI also installs it into a fresh environment and
trains from outside the repository: .ci/pip_user_check.)"""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO_ROOT), "--no-deps",
         "--no-build-isolation", "-q", "-w", str(out)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    [path] = out.glob("classiczoo-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_every_package_and_no_scaffolding(wheel):
    names = wheel.namelist()
    packages = sorted(
        str(p.parent.relative_to(REPO_ROOT))
        for root in ("components", "zoo")
        for p in (REPO_ROOT / root).rglob("__init__.py")
    )
    for package in packages:
        assert f"{package}/__init__.py" in names, package
    assert "zoo/cli/__main__.py" in names and "components/lessons/init.py" in names
    assert not [n for n in names if n.split("/")[0] in ("tests", "recipes", "benchmarks")]


def test_the_wheel_installs_the_classiczoo_command(wheel):
    [entry_points] = [n for n in wheel.namelist() if n.endswith("entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[console_scripts]" in text and "classiczoo = zoo.cli:main" in text
