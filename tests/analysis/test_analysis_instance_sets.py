"""Placement across instance sets: parlour ships the official v1.6 files' hashes and a digest of each official
instance (not their text); a row is official only when its episodes' instance.json files hold every official
instance of every game it is placed on, and every comparison with the official leaderboard marks the other
rows with what they played and says what that means."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import REFERENCE
from support.cli import parlour

from parlour.analysis.placement import OFFICIAL_SET, OTHER_SET, UNKNOWN_SET, place_results
from parlour.data import official_instance_digests, official_instance_hashes
from parlour.games.registry import game_names, get_game

PAIR = "programmatic-oracle-t0.0--programmatic-oracle-t0.0"
SRC = Path(__file__).resolve().parents[2] / "src"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _instances_played(results: Path) -> str:
    (row,) = place_results([results]).yours.itertuples()
    return str(row.instances)


@pytest.mark.reference
def test_shipped_hashes_are_the_official_files_and_their_text_is_not_shipped() -> None:
    official = official_instance_hashes()
    assert set(official) == set(official_instance_digests()) == set(game_names())
    for game in game_names():
        assert official[game] == _sha(REFERENCE / "games" / game / "in" / "instances.json")
        experiments = json.loads((REFERENCE / "games" / game / "in" / "instances.json").read_text())["experiments"]
        counts = {f"{i}_{e['name']}": len(e["game_instances"]) for i, e in enumerate(experiments)}
        assert {k: len(v) for k, v in official_instance_digests()[game].items()} == counts
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


def test_a_table_without_its_episodes_is_marked_unknown(tmp_path: Path) -> None:
    results = tmp_path / "results"
    _play(results)
    _compare(results)  # writes results.csv
    assert _instances_played(results) == OTHER_SET  # the episodes say so, whatever run.json records
    assert _instances_played(results / "results.csv") == UNKNOWN_SET


@pytest.mark.reference
def test_part_of_the_official_instances_is_marked_with_what_was_played(tmp_path: Path) -> None:
    results = tmp_path / "results"
    _play(results, "-i", str(REFERENCE))  # two instances of one experiment, from the official file
    assert _instances_played(results) == "2 of 60 official episodes (taboo/0_high_en)"
    output = _compare(results)
    assert "2 of 60 official episodes" in output and "part of the official instances" in output


@pytest.mark.reference
def test_only_every_official_instance_from_the_official_files_is_official(tmp_path: Path) -> None:
    results, other = tmp_path / "results", tmp_path / "other"
    args = ("run", "-g", "taboo", "-m", "programmatic:oracle", "--no-progress")
    assert parlour(*args, "-r", str(results), "-i", str(REFERENCE)).returncode == 0
    assert _instances_played(results) == OFFICIAL_SET
    assert OTHER_SET not in _compare(results) and "compare different tests" not in _compare(results)

    # an episode copied in from another instance set, in place of an official one
    assert parlour(*args, "-r", str(other), "--limit", "1").returncode == 0
    episode = f"{PAIR}/taboo/0_high_en/episode_0"
    for name in ("instance.json", "interactions.json", "requests.json", "scores.json"):
        (results / episode / name).write_bytes((other / episode / name).read_bytes())
    assert _instances_played(results) == (
        "59 of 60 official episodes (taboo/0_high_en, taboo/1_medium_en, taboo/2_low_en), 1 on other instances"
    )
