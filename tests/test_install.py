"""A new user's install: a fresh virtual environment with the pip Python 3.11 ships, `pip install .`, then ingest."""

import shutil
import sqlite3
import subprocess
import sys

import pytest

from .conftest import FIXTURES, ROOT


def python_311() -> str | None:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    return shutil.which("python3.11")


@pytest.mark.skipif(python_311() is None, reason="no Python 3.11 on this machine")
def test_a_fresh_venv_with_pythons_own_pip_installs_and_ingests_html(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([python_311(), "-m", "venv", str(venv)], check=True)  # its bundled pip, not upgraded
    pip = subprocess.run([venv / "bin" / "pip", "--version"], capture_output=True, text=True, check=True).stdout
    assert pip.startswith("pip 23."), pip
    install = [venv / "bin" / "pip", "install", "--quiet", "--constraint", ROOT / "constraints.txt", ROOT]
    subprocess.run(install, check=True, cwd=tmp_path)
    db = tmp_path / "articles.db"
    html_pages = sorted((FIXTURES / "formats").glob("*.html"))
    added = subprocess.run([venv / "bin" / "ingest", "add", ROOT / "samples", *html_pages, "--db", db], capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    stored = sqlite3.connect(db).execute("SELECT format, count(*) FROM articles GROUP BY format").fetchall()
    assert dict(stored) == {"text": 1, "html": len(html_pages)}
    checked = subprocess.run([venv / "bin" / "ingest", "check", "--db", db], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_dependencies_are_ranges_and_the_tested_set_is_pinned():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *(d for extra in project["optional-dependencies"].values() for d in extra)]
    assert not [dependency for dependency in declared if "==" in dependency]
    pinned = [line for line in (ROOT / "constraints.txt").read_text().splitlines() if line and not line.startswith("#")]
    assert pinned and all("==" in line for line in pinned)
    names = {line.split("==")[0].lower().replace("_", "-") for line in pinned}
    for dependency in declared:
        name = dependency.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip().lower().replace("_", "-")
        assert name in names, f"{name} is declared but constraints.txt does not pin it"
