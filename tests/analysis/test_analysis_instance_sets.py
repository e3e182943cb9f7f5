"""Placement across instance sets: run.json records the sha256 of each instances file, parlour ships the
official v1.6 files' hashes (not their text), and every comparison with the official leaderboard marks the
rows played on other instances and says what that means."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import REFERENCE
from support.cli import parlour

from parlour.analysis.placement import OFFICIAL_SET, OTHER_SET, UNKNOWN_SET, instance_set
from parlour.data import official_instance_hashes
from parlour.games.registry import game_names, get_game

PAIR = "programmatic-oracle-t0.0--programmatic-oracle-t0.0"
SRC = Path(__file__).resolve().parents[2] / "src"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_json(**hashes: str) -> dict:
    return {"runs": [{"instance_files": {g: {"path": "x", "sha256": h} for g, h in hashes.items()}}]}


def test_a_run_is_on_the_official_set_only_when_every_recorded_file_is_official() -> None:
    official = official_instance_hashes()
    assert set(official) == set(game_names())
    assert instance_set(_run_json(taboo=official["taboo"], wordle=official["wordle"])) == OFFICIAL_SET
    assert instance_set(_run_json(taboo=official["taboo"], wordle="0" * 64)) == OTHER_SET
    assert instance_set({"runs": [{"games": ["taboo"]}]}) == UNKNOWN_SET  # recorded before the hashes
    assert instance_set(None) == UNKNOWN_SET


@pytest.mark.reference
def test_shipped_hashes_are_the_official_files_and_their_text_is_not_shipped() -> None:
    official = official_instance_hashes()
    for game in game_names():
        assert official[game] == _sha(REFERENCE / "games" / game / "in" / "instances.json")
        assert _sha(get_game(game).default_instances) != official[game]  # parlour's own instances differ
    shipped = {_sha(p) for p in SRC.rglob("*.json")}
    assert not shipped & set(official.values())


def _play(results: Path, *extra: str) -> None:
    args = ("run", "-g", "taboo", "-e", "high_en", "--limit", "2", "-m", "programmatic:oracle", "--no-progress")
    run = parlour(*args, "-r", str(results), *extra)
    assert run.returncode == 0, run.stderr


def _compare(results: Path) -> str:
    evaluation = parlour("eval", "-r", str(results), "--n-boot", "10", "--compare", "official:v1.6",
                         env={"COLUMNS": "400"})  # fmt: skip
    assert evaluation.returncode == 0, evaluation.stderr
    return " ".join((evaluation.stdout + evaluation.stderr).split())


def test_parlours_own_instances_are_recorded_and_marked_in_eval_compare_and_the_report(tmp_path: Path) -> None:
    results = tmp_path / "results"
    _play(results)
    recorded = json.loads((results / PAIR / "run.json").read_text())["runs"][-1]["instance_files"]
    assert recorded == {
        "taboo": {"path": str(get_game("taboo").default_instances), "sha256": _sha(get_game("taboo").default_instances)}
    }
    output = _compare(results)
    assert OTHER_SET in output and "compare different tests" in output

    out = tmp_path / "site"
    site = parlour("report", "-r", str(results), "-o", str(out), "--n-boot", "10", "--no-transcripts")
    assert site.returncode == 0, site.stderr
    page = (out / "official.html").read_text()
    assert "Not the same test:" in page and page.count(f'<span class="tag instances">{OTHER_SET}</span>') == 2


def test_a_run_recorded_without_hashes_is_marked_unknown(tmp_path: Path) -> None:
    results = tmp_path / "results"
    _play(results)
    path = results / PAIR / "run.json"
    run = json.loads(path.read_text())
    for entry in run["runs"]:
        del entry["instance_files"]
    path.write_text(json.dumps(run))
    assert UNKNOWN_SET in _compare(results)


@pytest.mark.reference
def test_a_run_on_the_official_files_is_not_marked(tmp_path: Path) -> None:
    results = tmp_path / "results"
    _play(results, "-i", str(REFERENCE))
    output = _compare(results)
    assert OTHER_SET not in output and UNKNOWN_SET not in output and "compare different tests" not in output
