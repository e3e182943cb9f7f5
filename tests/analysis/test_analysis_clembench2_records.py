"""Records of clembench 2.0 runs (clemcore 3.x's layout, and clemcore 2.x's as in the official v2.0 runs) are
read by parlour's score, eval, transcript browser and placement: scores come from clemcore's own scorers and
are never rescored by parlour's 1.6 scorers, and the aggregation is clemcore's (clemeval: % played from
Aborted, quality over the episodes played, macro averages over games, clemscore = played x quality)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import REFERENCE
from support.cli import parlour

from parlour.analysis.placement import OFFICIAL_SET, OTHER_SET, instance_file_set, instance_sets_note, other_benchmark
from parlour.data import official_instance_hashes, official_path
from parlour.data.benchmarks import CLEMBENCH_1_6, CLEMBENCH_2_0, GAMES, pair_benchmark
from parlour.report.transcripts import find_episodes, load_episode
from parlour.scoring.clemscore import CLEMSCORE_COL, played_col, quality_col, read_results_table, std_col
from parlour.scoring.evaluate import evaluate

# written by clemcore 3.x: its run.json; `clem run` names record folders instance_<game id>, its episode
# callbacks episode_<n> from 1 (taboo and codenames here)
CLEMCORE3 = "m-t0.0--m-t0.0"
OFFICIAL_STYLE = "o-t0.0--o-t0.0"  # laid out as the official v2.0 runs: <i>_<experiment>/episode_<n>, no run.json


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _interactions(game: str, experiment: str) -> dict:
    say = {"from": "GM", "to": "Player 1", "timestamp": "t", "action": {"type": "send message", "content": "Hi"}}
    reply = {"from": "Player 1", "to": "GM", "timestamp": "t", "action": {"type": "get message", "content": "CLUE: x"}}
    return {
        "meta": {"game_name": game, "experiment_name": experiment, "clem_version": "3.7.2", "completed": True},
        "player_models": {"Player 1": "m", "Player 2": "m"},
        "players": {
            "GM": {"game_role": "Game Master", "model_name": "programmatic"},
            "Player 1": {"game_role": "WordDescriber", "model_name": "m"},
            "Player 2": {"game_role": "WordGuesser", "model_name": "m"},
        },
        "turns": [[say, reply]],
    }


def _episode(folder: Path, game: str, experiment: str, scores: dict) -> None:
    _write(folder / "instance.json", {"game_id": 0, "target_word": "winter", "related_word": ["cold"]})
    _write(folder / "interactions.json", _interactions(game, experiment))
    _write(folder / "scores.json", {"turn scores": {}, "episode scores": scores})


def _outcome(main: float | None) -> dict:
    """Episode scores as clemcore's scorers write them: an aborted episode has no Main Score (NaN)."""
    if main is None:
        return {"Aborted": 1, "Lose": 0, "Success": 0, "Main Score": None}
    return {"Aborted": 0, "Lose": int(main == 0), "Success": int(main == 100), "Main Score": main}


@pytest.fixture
def results(tmp_path: Path) -> Path:
    root = tmp_path / "results"
    pair = root / CLEMCORE3
    _write(pair / "run.json", {"clem_version": "3.7.2", "player_models": {}, "games": {"taboo": {}}})
    for game, experiment, mains in (("taboo", "high_en", [100, 0, 50, None]), ("codenames", "risk_low", [40, 100])):
        _write(pair / game / experiment / "experiment.json", {"name": experiment})
        for n, main in enumerate(mains):
            scores = _outcome(main)
            folder = f"instance_{n:05d}"
            if game == "codenames":  # its scorer also logs the experiment's name and variable, as text
                scores |= {"experiment name": experiment, "experiment variable": "Risk"}
                folder = f"episode_{n + 1:05d}"
            _episode(pair / game / experiment / folder, game, experiment, scores)
    official = root / OFFICIAL_STYLE
    for game, experiment in (("adventuregame", "0_home_deliver_three_basic_easy"), ("taboo", "0_high_en")):
        _write(official / game / experiment / f"experiment_{experiment[2:]}.json", {"name": experiment[2:]})
        _episode(official / game / experiment / "episode_0", game, experiment[2:], _outcome(30))
    return root


def _all_scores(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("scores.json"))}


def test_both_layouts_are_known_as_clembench_2_0(results: Path) -> None:
    assert pair_benchmark(results / CLEMCORE3) == CLEMBENCH_2_0  # clemcore's run.json
    assert pair_benchmark(results / OFFICIAL_STYLE) == CLEMBENCH_2_0  # a game only 2.0 has
    _write(results / "p" / "run.json", {"runs": [{"benchmark": CLEMBENCH_2_0}]})
    assert pair_benchmark(results / "p", {"taboo"}) == CLEMBENCH_2_0  # parlour's run.json says so
    assert pair_benchmark(results / "none", {"taboo", "wordle"}) == CLEMBENCH_1_6
    assert len(GAMES[CLEMBENCH_2_0]) == 14 and len(GAMES[CLEMBENCH_1_6]) == 7


def test_score_leaves_clemcores_scores_as_they_are(results: Path) -> None:
    before = _all_scores(results)
    run = parlour("score", "-r", str(results))
    assert run.returncode == 0, run.stderr
    assert "left 8 episode(s) of clembench 2.0 runs as clemcore scored them" in run.stdout
    assert _all_scores(results) == before  # taboo 2.0 is not rescored by parlour's taboo 1.6 scorer
    one_game = parlour("score", "-r", str(results), "-g", "codenames")  # a game only 2.0 has
    assert one_game.returncode == 0 and "left 2 episode(s)" in one_game.stdout, one_game.stderr


def test_eval_aggregates_as_clemeval_and_names_the_missing_games(results: Path) -> None:
    evaluation = evaluate(results, n_boot=10, workers=1)
    assert evaluation.unreadable == []  # codenames' text scores do not make its scores.json unusable
    table = evaluation.results
    row = table.loc[CLEMCORE3]
    # taboo: 3 of 4 played (75 %), quality mean(100, 0, 50) = 50, std 50; codenames: 100 %, 70, std 42.43
    assert (row[played_col("taboo")], row[quality_col("taboo")], row[std_col("taboo")]) == (75.0, 50.0, 50.0)
    assert (row[played_col("codenames")], row[quality_col("codenames")], row[std_col("codenames")]) == (
        100.0, 70.0, 42.43,
    )  # fmt: skip
    # macro averages (87.5 % played, quality 60) and clemscore = 0.875 x 60
    assert row[CLEMSCORE_COL] == 52.5
    assert math.isnan(row[played_col("adventuregame")])
    assert table.loc[OFFICIAL_STYLE, CLEMSCORE_COL] == 30.0

    run = parlour("eval", "-r", str(results), "--n-boot", "10", "--compare", "official:v2.0")
    assert run.returncode == 0, run.stderr
    said = " ".join((run.stdout + run.stderr).split())
    assert f"{CLEMCORE3}: no scores for 12 game(s) of clembench-2.0 (adventuregame, guesswhat," in said
    assert "your models on official:v2.0 (rank among 34;" in said and "another clembench version" not in said
    # clemcore's run.json records no instance files: the placement says it cannot tell
    assert "instance set unknown" in said and "every official v2.0 instance" in said
    # where the pinned clembench's instance file is known to differ from the official runs', the placement says so
    assert "codenames: the official v2.0 runs used an earlier codenames instance file" in said

    on_v1_6 = parlour("eval", "-r", str(results), "--n-boot", "10", "--compare", "official:v1.6")
    said = " ".join((on_v1_6.stdout + on_v1_6.stderr).split())
    assert (
        "m, o played another clembench version than official:v1.6 (other games and rules): place them on official:v2.0"
        in said
    )


def test_report_and_placement_default_to_the_leaderboard_of_the_results_version(results: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    report = parlour("report", "-r", str(results), "-o", str(site), "--n-boot", "10", "--no-transcripts")
    assert report.returncode == 0, report.stderr
    assert "<title>Official v2.0 leaderboard" in (site / "official.html").read_text(encoding="utf-8")
    assert "note:" not in report.stdout + report.stderr
    placement = parlour("analyze", "placement", "-r", str(results))
    assert placement.returncode == 0, placement.stderr
    assert "your models on official:v2.0" in " ".join(placement.stdout.split())
    # a named table wins
    named = parlour("report", "-r", str(results), "-o", str(tmp_path / "v16"), "--n-boot", "10", "--no-transcripts",
                    "--compare", "official:v1.6")  # fmt: skip
    assert named.returncode == 0, named.stderr
    assert "<title>Official v1.6 leaderboard" in (tmp_path / "v16" / "official.html").read_text(encoding="utf-8")

    # a clembench 1.6 pair beside them: the v1.6 default, and one line saying so
    pair16 = results / "old-t0.0--old-t0.0"
    _write(pair16 / "run.json", {"benchmark": CLEMBENCH_1_6})
    _write(pair16 / "taboo" / "0_high_en" / "episode_0" / "scores.json",
           {"turn scores": {}, "episode scores": _outcome(40)})  # fmt: skip
    mixed = parlour("report", "-r", str(results), "-o", str(tmp_path / "mixed"), "--n-boot", "10", "--no-transcripts")
    assert mixed.returncode == 0, mixed.stderr
    lines = [line for line in (mixed.stdout + mixed.stderr).splitlines() if line.startswith("note:")]
    assert lines == [
        "note: these results mix clembench versions (clembench-1.6, clembench-2.0): placed on official:v1.6; "
        "m, o played another version: name --compare official:v2.0 to place them"
    ]
    assert "<title>Official v1.6 leaderboard" in (tmp_path / "mixed" / "official.html").read_text(encoding="utf-8")


def test_the_transcript_browser_reads_clemcore_3_records(results: Path) -> None:
    refs = [r for r in find_episodes(results) if r.pair == CLEMCORE3 and r.game == "taboo"]
    assert [(r.experiment, r.episode, r.outcome) for r in refs][:2] == [
        ("high_en", "instance_00000", "success"), ("high_en", "instance_00001", "lose"),
    ]  # fmt: skip
    episode = load_episode(refs[0])
    assert episode.players["Player 1"] == "WordDescriber, m" and episode.players["GM"] == "Game Master, programmatic"
    assert [(m.side, m.kind, m.text) for m in episode.turns[0]] == [
        ("p1", "send message", "Hi"), ("p1", "get message", "CLUE: x"),
    ]  # fmt: skip


def test_placement_marks_rows_of_another_clembench_version() -> None:
    v2_table = read_results_table(str(official_path("official:v2.0")))
    assert len(other_benchmark(v2_table, "official:v1.6")) == 32
    assert other_benchmark(v2_table, "official:v2.0") == []
    later68 = read_results_table(str(official_path("official:v1.6-later68")))  # it has a cloudgame column
    assert other_benchmark(later68, "official:v1.6") == [] and len(other_benchmark(later68, "official:v2.0")) == 68
    # a 1.6-named game set with a run.json saying 2.0
    assert other_benchmark(later68.iloc[:1], "official:v2.0", {later68.index[0]: {"benchmark": CLEMBENCH_2_0}}) == []


def test_placement_marks_runs_by_the_instance_files_of_the_table_compared_with() -> None:
    v2 = official_instance_hashes("official:v2.0")
    run = {"benchmark": CLEMBENCH_2_0, "runs": [{"instance_files": {"taboo": {"sha256": v2["taboo"]}}}]}
    assert instance_file_set(run, "official:v2.0") == OFFICIAL_SET
    assert instance_file_set(run, "official:v1.6") == OTHER_SET  # 2.0's taboo instances are not 1.6's
    assert set(v2) == set(GAMES[CLEMBENCH_2_0])
    assert "every official v2.0 instance" in instance_sets_note("official:v2.0")


CLEMBENCH_2_0_REF = REFERENCE.parent / "clembench-2.0" / "games"


@pytest.mark.reference
def test_the_2_0_games_and_instance_hashes_are_those_of_the_pinned_clembench() -> None:
    import hashlib

    if not CLEMBENCH_2_0_REF.is_dir():
        pytest.skip(f"clembench 2.0 game folders not found at {CLEMBENCH_2_0_REF}")
    found = {}
    for spec_file in CLEMBENCH_2_0_REF.rglob("clemgame.json"):
        specs = json.loads(spec_file.read_text(encoding="utf-8"))
        for spec in specs if isinstance(specs, list) else [specs]:
            if "2.0" in spec.get("benchmark", []):
                instances = spec_file.parent / "in" / f"{spec.get('instances', 'instances')}.json"
                found[spec["game_name"]] = hashlib.sha256(instances.read_bytes()).hexdigest()
    assert sorted(found) == list(GAMES[CLEMBENCH_2_0])
    assert found == official_instance_hashes("official:v2.0")
