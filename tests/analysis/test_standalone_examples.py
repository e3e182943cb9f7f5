"""Every `$ parlour ...` example of the README runs on the shipped data alone, and the
regression examples print the figures the page shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parlour.cli import app

PAGE = Path(__file__).resolve().parents[2] / "README.md"


def _examples() -> list[tuple[str, list[str]]]:
    """(command line, the output lines shown under it) from the page's console blocks."""
    examples: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S):
        for line in block.splitlines():
            if line.startswith("$ "):
                examples.append((line[2:], []))
            elif examples:
                examples[-1][1].append(line)
    return examples


EXAMPLES = _examples()


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 8 and all(command.startswith("parlour ") for command, _ in EXAMPLES)


@pytest.mark.parametrize(("command", "shown"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_example_runs_and_prints_what_the_page_shows(
    command: str, shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # `report -o site` writes here
    monkeypatch.setenv("COLUMNS", "200")  # one summary line, as on the page
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    for line in shown:
        assert line in result.output
