"""Keep the README honest: the commands it shows exist and its examples run."""

import re
import shlex
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from ingest.cli import cli

from .conftest import ROOT

README = (ROOT / "README.md").read_text()
SHELL_LINES = [
    line.split("#")[0].strip()
    for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    for line in block.splitlines()
    if line.strip()
]
INGEST_LINES = [line for line in SHELL_LINES if re.match(r"(\.venv/bin/)?ingest ", line)]
CURL_URLS = [shlex.split(line)[1] for line in SHELL_LINES if line.startswith("curl ")]


def test_readme_shows_the_two_commands_and_ci_runs_the_test_one():
    assert "make run" in SHELL_LINES and "make test" in SHELL_LINES
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, flags=re.M) and re.search(r"^test:", makefile, flags=re.M)
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == "make test"


@pytest.mark.parametrize("line", INGEST_LINES)
def test_every_ingest_command_and_option_shown_exists(line):
    words = shlex.split(line.replace("[", " ").replace("]", " ").replace("...", " "))
    command = cli.commands[words[1]]
    known = {option for param in command.params for option in getattr(param, "opts", [])}
    assert {word for word in words[2:] if word.startswith("--")} <= known


def test_readme_examples_run(tmp_path):
    db = tmp_path / "articles.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["add", str(ROOT / "samples"), "--db", str(db)]).exit_code == 0
    assert runner.invoke(cli, ["eval", str(ROOT / "gold" / "seed.json"), "--verbose"]).exit_code == 0
    assert runner.invoke(cli, ["retag", "--db", str(db)]).exit_code == 0
    assert runner.invoke(cli, ["check", "--db", str(db)]).exit_code == 0


@pytest.mark.parametrize("url", CURL_URLS)
async def test_every_curl_example_answers(datasette, url):
    parts = urlsplit(url)
    assert (parts.hostname, parts.port) == ("127.0.0.1", 8001)
    response = await datasette.client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200, response.text
