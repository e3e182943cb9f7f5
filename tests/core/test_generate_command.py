"""`parlour generate`: the one entry point to every game's seeded generator."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from parlour.cli import app
from parlour.games.registry import game_names, get_game

GENERATED = [name for name in game_names() if get_game(name).generator is not None]


@pytest.mark.parametrize("game", GENERATED)
def test_default_seed_writes_the_shipped_file_byte_for_byte(game: str, tmp_path: Path) -> None:
    out = tmp_path / game / "instances.json"
    result = CliRunner().invoke(app, ["generate", "-g", game, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == get_game(game).default_instances.read_text(encoding="utf-8")


def test_other_seed_other_instances(tmp_path: Path) -> None:
    out = tmp_path / "taboo.json"
    assert CliRunner().invoke(app, ["generate", "-g", "taboo", "-o", str(out), "--seed", "7"]).exit_code == 0
    assert out.read_text(encoding="utf-8") != get_game("taboo").default_instances.read_text(encoding="utf-8")


def test_rebuild_tables_is_refused_for_a_game_without_tables(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["generate", "-g", "imagegame", "-o", str(tmp_path / "x.json"), "--rebuild-tables"]
    )
    assert result.exit_code == 2
    assert "imagegame has no word tables" in result.output
    assert not (tmp_path / "x.json").exists()
