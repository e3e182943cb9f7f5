"""Resume and evaluation never mix or drop results silently: changed experiment settings are refused,
records of the wrong shape are replayed, scripted replies are hashed by content, and raw.csv is rebuilt
when it does not match the episodes."""

from __future__ import annotations

import csv
import errno
import json
import os
import time
from pathlib import Path

import pytest
from support.cli import parlour

from parlour.analysis.loading import load_source
from parlour.errors import ResultsError
from parlour.games.registry import get_game
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec
from parlour.scoring.evaluate import evaluate

ORACLE = "programmatic-oracle-t0.0--programmatic-oracle-t0.0"


def _taboo_instances(tmp_path: Path, experiments: int = 1) -> Path:
    """The first `experiments` experiments of parlour's own taboo instances, 2 instances each."""
    data = json.loads(Path(get_game("taboo").default_instances).read_text(encoding="utf-8"))
    data["experiments"] = [{**e, "game_instances": e["game_instances"][:2]} for e in data["experiments"][:experiments]]
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(results: Path, instances: Path, *extra: str):
    return parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "-r", str(results), "-i", str(instances), *extra)


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("field", "value"), [("max_turns", 1), ("describer_initial_prompt", "Describe $TARGET_WORD badly.")]
)
def test_changed_experiment_settings_are_refused(tmp_path: Path, field: str, value: object) -> None:
    instances, results = _taboo_instances(tmp_path), tmp_path / "results"
    assert _run(results, instances).returncode == 0
    _edit(instances, lambda data: data["experiments"][0].update({field: value}))
    again = _run(results, instances)
    assert again.returncode == 2, again.stdout
    assert "other settings" in again.stderr and field in again.stderr and "Traceback" not in again.stderr


def test_changed_settings_are_refused_when_the_experiment_files_are_gone(tmp_path: Path) -> None:
    """run.json's plan records each experiment's settings: a resume compares them even when the experiment
    files beside the episodes were removed, and names the setting that changed, with both values."""
    instances, results = _taboo_instances(tmp_path), tmp_path / "results"
    assert _run(results, instances, "--limit", "1").returncode == 0
    old_turns = json.loads(instances.read_text(encoding="utf-8"))["experiments"][0]["max_turns"]
    for experiment_file in results.glob("*/taboo/*/experiment*.json"):
        experiment_file.unlink()
    _edit(instances, lambda data: data["experiments"][0].update({"max_turns": old_turns + 1}))
    again = _run(results, instances, "--limit", "3")
    assert again.returncode == 2, again.stdout
    message = again.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert f"max_turns {old_turns} -> {old_turns + 1}" in message and str(results / ORACLE / "run.json") in message
    assert not list(results.glob("*/taboo/*/experiment*.json"))  # nothing was played or written


def test_eval_counts_only_the_planned_experiments_and_says_so(tmp_path: Path) -> None:
    instances, results = _taboo_instances(tmp_path, experiments=2), tmp_path / "results"
    assert _run(results, instances).returncode == 0
    _edit(instances, lambda data: data["experiments"].pop())  # the second experiment is removed
    assert _run(results, instances).returncode == 0
    shown = parlour("eval", "-r", str(results), "--n-boot", "10")
    assert shown.returncode == 0, shown.stderr
    assert "counted 2 episodes of 1 pair(s)" in shown.stdout and str(results / ORACLE / "run.json") in shown.stdout
    assert "left out 2 episode(s)" in shown.stdout
    raw = load_source(results).raw
    assert raw is not None and set(raw["experiment"]) == {"0_high_en"}


@pytest.mark.parametrize(
    ("interactions", "requests", "reason"),
    [
        ("{}", "[]", "players"),
        ('{"players": {}, "turns": "x"}', "[]", "turns"),
        ('{"players": {}, "turns": []}', "{}", "requests.json"),
    ],
)
def test_records_of_the_wrong_shape_are_replayed(tmp_path: Path, interactions: str, requests: str, reason: str) -> None:
    instances, results = _taboo_instances(tmp_path), tmp_path / "results"
    assert _run(results, instances).returncode == 0
    episode = results / ORACLE / "taboo" / "0_high_en" / "episode_0"
    (episode / "interactions.json").write_text(interactions)
    (episode / "requests.json").write_text(requests)
    again = _run(results, instances)
    assert again.returncode == 0, again.stderr
    assert "1 played" in again.stdout
    assert "replayed: taboo/0_high_en/episode_0" in again.stderr and reason in again.stderr
    assert json.loads((episode / "interactions.json").read_text())["turns"]


def test_a_cut_instance_json_is_replayed(tmp_path: Path) -> None:
    instances, results = _taboo_instances(tmp_path), tmp_path / "results"
    assert _run(results, instances).returncode == 0
    instance = results / ORACLE / "taboo" / "0_high_en" / "episode_1" / "instance.json"
    whole = instance.read_text()
    instance.write_text(whole[: len(whole) // 2])
    again = _run(results, instances)
    assert again.returncode == 0, again.stderr
    assert "1 played" in again.stdout and "replayed: taboo/0_high_en/episode_1" in again.stderr
    assert instance.read_text() == whole


def test_a_scripted_spec_hashes_its_replies_not_their_path(tmp_path: Path) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(["CLUE: a pet"]))
    before = lookup(f"scripted:{replies}").spec_hash()
    replies.write_text(json.dumps(["CLUE: a fruit"]))
    assert lookup(f"scripted:{replies}").spec_hash() != before
    elsewhere = tmp_path / "copy.json"
    elsewhere.write_text(replies.read_text())
    assert lookup(f"scripted:{elsewhere}").spec_hash() == lookup(f"scripted:{replies}").spec_hash()
    # specs without a replies file keep the hashes their results were recorded with
    assert lookup("programmatic:oracle").spec_hash() == "e406b40d3ca0"
    assert ModelSpec(name="x", backend="llamacpp", weights="/a/b.gguf", options={"n_threads": 2}).spec_hash() == (
        "07521f1ef341"
    )


def test_a_scripted_run_with_changed_replies_is_refused(tmp_path: Path) -> None:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(["CLUE: a pet"] * 50))
    results = tmp_path / "results"
    args = ("run", "-g", "taboo", "-m", f"scripted:{replies}", "-r", str(results), "--limit", "1", "--concurrency", "1")
    parlour(*args)  # the script's episodes may fail; the spec is recorded either way
    replies.write_text(json.dumps(["CLUE: a fruit"] * 50))
    again = parlour(*args)
    assert again.returncode == 2 and "was run with spec" in again.stderr


def test_a_failed_table_write_keeps_the_old_table_and_the_report_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instances, results = _taboo_instances(tmp_path, experiments=2), tmp_path / "results"
    assert _run(results, instances, "-e", "high_en").returncode == 0
    evaluate(results, n_boot=10)
    old = (results / "raw.csv").read_bytes()
    assert _run(results, instances).returncode == 0  # a later run adds the second experiment

    real_replace = os.replace

    def disk_full(src: str | Path, dst: str | Path, **dir_fds: int) -> None:
        if Path(dst).name == "raw.csv":
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst, **dir_fds)

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(ResultsError, match="raw.csv: cannot be written"):
        evaluate(results, n_boot=10)
    assert (results / "raw.csv").read_bytes() == old
    assert not list(results.glob(".*.partial"))
    raw = load_source(results).raw  # what `parlour report` reads: rebuilt, not the stale raw.csv
    assert raw is not None and raw["episode"].groupby(raw["experiment"]).nunique().to_dict() == {
        "0_high_en": 2,
        "1_medium_en": 2,
    }


def test_a_cut_raw_csv_is_not_read(tmp_path: Path) -> None:
    instances, results = _taboo_instances(tmp_path), tmp_path / "results"
    assert _run(results, instances).returncode == 0
    evaluate(results, n_boot=10)
    whole = (results / "raw.csv").read_text()
    (results / "raw.csv").write_text(whole[: len(whole) // 3])
    raw = load_source(results).raw
    assert raw is not None and raw["episode"].nunique() == 2


def _leaderboard_clemscore(site: Path) -> float:
    (board,) = site.rglob("leaderboard.csv")
    with board.open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    return float(row["-, clemscore"])


def test_a_scores_file_edited_with_its_size_and_time_kept_is_read_again(tmp_path: Path) -> None:
    """An edit that keeps a scores.json's size and modification time (`cp -p`, `touch -r`, `tar x`) makes
    raw.csv stale like any other: `parlour report` shows what `parlour eval` shows."""
    instances, results = _taboo_instances(tmp_path), tmp_path / "results"
    assert _run(results, instances, "--limit", "1").returncode == 0
    time.sleep(2.1)  # the episode's files are settled: raw.csv built now is taken as current afterwards
    assert parlour("eval", "-r", str(results), "--n-boot", "10").returncode == 0
    report = ("report", "-r", str(results), "--n-boot", "10", "--no-transcripts", "--compare", "none")
    assert parlour(*report, "-o", str(tmp_path / "before")).returncode == 0
    assert _leaderboard_clemscore(tmp_path / "before") == 100.0

    (scores,) = results.rglob("scores.json")
    before = scores.stat()
    text = scores.read_text(encoding="utf-8")
    assert '"Main Score": 100.0' in text
    with open(scores, "r+", encoding="utf-8") as handle:  # in place: same inode, same size
        handle.write(text.replace('"Main Score": 100.0', '"Main Score":   0.0'))
    os.utime(scores, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (scores.stat().st_size, scores.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    run = parlour(*report, "-o", str(tmp_path / "after"))
    assert run.returncode == 0, run.stderr
    assert _leaderboard_clemscore(tmp_path / "after") == 0.0
