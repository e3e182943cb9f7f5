"""The score cache: `parlour score` and `parlour eval` skip episodes whose files and scorer are unchanged,
with the same tables as without the cache, and never use a fact that a changed file, another scorer, a
cut or planted cache file or a change within one timestamp tick has made stale."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from pathlib import Path

import pytest

import parlour
from parlour import store, version
from parlour.errors import LinkInResultsError
from parlour.scoring import cache, rescore
from parlour.scoring import raw_table as raw_table_module
from parlour.scoring.evaluate import evaluate
from parlour.scoring.raw_table import build_raw_table
from parlour.scoring.rescore import score_results

TABLES = ("raw.csv", "results.csv", "results_ci.csv")


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scored episodes of two games (wins and aborts) and no score cache; each test copies them."""
    results = tmp_path_factory.mktemp("played") / "results"
    os.environ[cache.DISABLE_ENV] = "1"
    try:
        for policy in ("oracle", "breaker"):
            asyncio.run(parlour.arun(["taboo", "wordle"], f"programmatic:{policy}", results=results, limit=2))
    finally:
        del os.environ[cache.DISABLE_ENV]
    assert not list(results.rglob(cache.CACHE_FILE))
    return results


@pytest.fixture
def results(played: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the played episodes; files count as settled at once (the racy rule has its own test)."""
    monkeypatch.setattr(store, "RACY_MARGIN_NS", 0)
    copy = tmp_path / "results"
    shutil.copytree(played, copy)
    time.sleep(0.02)  # past the copy's timestamp tick
    return copy


def _snapshot(results: Path) -> dict[str, bytes]:
    """Every scores.json and table, by path."""
    files = [*results.glob("*/*/*/episode_*/scores.json"), *(results / name for name in TABLES)]
    return {str(p.relative_to(results)): p.read_bytes() for p in sorted(files) if p.is_file()}


def _score_and_eval(results: Path) -> dict[str, bytes]:
    report = score_results(results, workers=1)
    assert not report.failed
    evaluate(results, n_boot=20, workers=1)
    return _snapshot(results)


def _uncached(results: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    with monkeypatch.context() as patch:
        patch.setenv(cache.DISABLE_ENV, "1")
        return _score_and_eval(results)


def _no_scoring_or_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, scoring an episode or reading a scores.json for the raw table fails the test."""

    def refuse(*args: object) -> None:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(rescore, "score_episode", refuse)
    monkeypatch.setattr(raw_table_module.store, "read_json_bytes", refuse)


def _episode(results: Path, policy: str = "oracle") -> Path:
    return next(results.glob(f"programmatic-{policy}-*/taboo/*/episode_0"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fresh_copy(results: Path) -> Path:
    """The episodes of `results` without their caches (to score them as if for the first time)."""
    copy = results.with_name(results.name + "-fresh")
    shutil.copytree(results, copy)
    for stale in copy.rglob(cache.CACHE_FILE):
        stale.unlink()
    return copy


def test_a_cache_hit_gives_the_tables_of_an_uncached_run(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _uncached(_fresh_copy(results), monkeypatch)
    assert len(expected) > 20
    assert _score_and_eval(results) == expected  # fills the caches
    caches = list(results.glob(f"*/*/*/{cache.CACHE_FILE}"))
    assert caches and all(p.stat().st_mode & 0o777 == 0o666 & ~_umask() for p in caches)
    with monkeypatch.context() as patch:
        _no_scoring_or_reading(patch)
        for table in TABLES:
            (results / table).unlink()
        assert _score_and_eval(results) == expected


def test_the_cache_is_off_with_its_environment_variable(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _uncached(results, monkeypatch)
    _uncached(results, monkeypatch)
    assert not list(results.rglob(cache.CACHE_FILE))


def _overwrite_keeping_size_and_mtime(path: Path, content: bytes) -> None:
    """Write `content` into `path` in place (same inode), padded with spaces to its size, and put its
    modification time back: only ctime tells the edit apart."""
    before = path.stat()
    assert len(content) <= before.st_size
    with open(path, "r+b") as handle:
        handle.write(content + b" " * (before.st_size - len(content)))  # JSON allows trailing blanks
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


def test_an_edited_interactions_file_is_scored_again(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _score_and_eval(results)
    won, aborted = (_episode(results, policy) / store.INTERACTIONS for policy in ("oracle", "breaker"))
    longer, shorter = sorted((won, aborted), key=lambda p: -p.stat().st_size)
    scores_before = (longer.parent / store.SCORES).read_bytes()
    time.sleep(0.02)  # another timestamp tick than the cached stat's
    _overwrite_keeping_size_and_mtime(longer, shorter.read_bytes())
    cached = _score_and_eval(results)
    assert (longer.parent / store.SCORES).read_bytes() != scores_before
    assert cached == _uncached(_fresh_copy(results), monkeypatch)


def test_another_scorer_does_not_use_the_cache(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _score_and_eval(results)
    scored = rescore.score_episode

    def changed_scorer(*args: object) -> dict:
        scores = scored(*args)
        scores["episode scores"]["Main Score"] = 7.0
        return scores

    monkeypatch.setattr(rescore, "score_episode", changed_scorer)
    for module in (rescore, raw_table_module):
        monkeypatch.setattr(module, "scorer_fingerprint", lambda: "another scorer")
    report = score_results(results, workers=1)
    assert report.written == len(report.scored) > 0
    raw = evaluate(results, n_boot=20, workers=1).raw
    assert set(raw[raw.metric == "Main Score"].value) == {7.0}


def test_the_fingerprint_covers_the_scorer_sources_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    cache.scorer_fingerprint.cache_clear()
    first = cache.scorer_fingerprint()
    monkeypatch.setattr(version, "__version__", "0.0.0-other")
    cache.scorer_fingerprint.cache_clear()
    assert cache.scorer_fingerprint() != first
    monkeypatch.undo()
    cache.scorer_fingerprint.cache_clear()
    assert cache.scorer_fingerprint() == first


BROKEN_CACHES = [
    b"",
    b"\xff\xfe not text",
    b'{"format": "parlour score cache 1", "scorer": "x", "episodes": ',
    b"[]",
    b'{"format": "another format", "scorer": "x", "experiment": null, "episodes": {}}',
    b"[" * 5000 + b"]" * 5000,
]


@pytest.mark.parametrize("content", BROKEN_CACHES, ids=["empty", "bytes", "cut", "list", "format", "deep"])
def test_a_broken_cache_file_is_ignored_and_rebuilt(
    results: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    expected = _uncached(_fresh_copy(results), monkeypatch)
    _score_and_eval(results)
    caches = list(results.glob(f"*/*/*/{cache.CACHE_FILE}"))
    for path in caches:
        path.write_bytes(content)
    for table in TABLES:
        (results / table).unlink()
    assert _score_and_eval(results) == expected
    for path in caches:  # rebuilt: valid again
        cache.CacheFile.model_validate_json(path.read_bytes())


def test_a_forged_fact_for_other_stats_is_not_used(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache file of the right format whose facts are about other files (copied from another folder)."""
    expected = _uncached(_fresh_copy(results), monkeypatch)
    _score_and_eval(results)
    for path in results.glob(f"*/*/*/{cache.CACHE_FILE}"):
        path.write_bytes(_forged(path))
    time.sleep(0.02)
    for scores in results.glob("*/*/*/episode_*/scores.json"):
        os.utime(scores)  # every scores.json touched: no recorded stat matches any more
    for table in TABLES:
        (results / table).unlink()
    assert _score_and_eval(results) == expected


def _forged(path: Path) -> bytes:
    """The cache file at `path` with every episode's scores changed to Main Score 1 (stats kept)."""
    recorded = cache.CacheFile.model_validate_json(path.read_bytes())
    forged = {
        name: entry.model_copy(update={"scores": entry.scores.model_copy(update={"values": {"Main Score": 1.0}})})
        for name, entry in recorded.episodes.items()
    }
    return recorded.model_copy(update={"episodes": forged}).model_dump_json().encode()


def test_a_linked_cache_file_is_not_followed(results: Path, tmp_path: Path) -> None:
    _score_and_eval(results)
    folder = next(results.glob(f"*/*/*/{cache.CACHE_FILE}")).parent
    content = _forged(folder / cache.CACHE_FILE)
    target = tmp_path / "outside" / "cache.json"
    target.parent.mkdir()
    target.write_bytes(content)
    link = folder / cache.CACHE_FILE
    link.unlink()
    link.symlink_to(target)
    assert cache.ExperimentCache.load(folder, cache.scorer_fingerprint()).entries == {}  # not read through
    with pytest.raises(LinkInResultsError, match="symbolic link"):
        build_raw_table(results, workers=1)  # and not written through
    assert target.read_bytes() == content and link.is_symlink()


def test_a_file_changed_within_the_racy_margin_is_not_cached(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a file system with 2-second timestamps (FAT), an edit soon after scoring keeps every stat but
    ctime's nanoseconds; the cache must not have recorded the first content then."""
    monkeypatch.setattr(store, "RACY_MARGIN_NS", 2_000_000_000)
    real_key = store.file_stamp

    def coarse_key(path: Path, follow_links: bool = True) -> store.Stamp | None:
        key = real_key(path, follow_links)
        tick = 2_000_000_000
        return None if key is None else (key[0], key[1] // tick * tick, key[2] // tick * tick, key[3], key[4])

    monkeypatch.setattr(store, "file_stamp", coarse_key)
    won, aborted = (_episode(results, policy) / store.INTERACTIONS for policy in ("oracle", "breaker"))
    longer, shorter = sorted((won, aborted), key=lambda p: -p.stat().st_size)
    original = longer.read_bytes()
    longer.write_bytes(original)  # just written, as a run leaves it
    _score_and_eval(results)
    _overwrite_keeping_size_and_mtime(longer, shorter.read_bytes())  # within the same 2-second tick, mostly
    cached = _score_and_eval(results)
    assert cached == _uncached(_fresh_copy(results), monkeypatch)


def test_a_run_fills_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "RACY_MARGIN_NS", 0)
    results = tmp_path / "results"
    parlour.run("taboo", "programmatic:oracle", results=results, limit=2)
    time.sleep(0.02)
    with monkeypatch.context() as patch:
        _no_scoring_or_reading(patch)
        report = score_results(results, workers=1)
        assert report.written == 0 and len(report.scored) >= 2 and not report.failed
        assert len(evaluate(results, n_boot=20, workers=1).raw) > 0


def test_a_run_whose_fills_are_slow_leaves_its_last_episodes_to_score(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fill at a run's end is skipped when the run's last fill took longer than the budget (a run of
    many episodes returns at once); `parlour score` then scores those episodes, with the same tables."""
    from parlour.scoring import cache_filler

    monkeypatch.setattr(store, "RACY_MARGIN_NS", 0)
    filler_init = cache_filler.ScoreCacheFiller.__init__

    def slow_last_fill(self: cache_filler.ScoreCacheFiller) -> None:
        filler_init(self)
        self.last_fill_s = cache_filler.FINAL_FILL_BUDGET_S + 1.0

    monkeypatch.setattr(cache_filler.ScoreCacheFiller, "__init__", slow_last_fill)
    results = tmp_path / "results"
    parlour.run("taboo", "programmatic:oracle", results=results, limit=2)
    assert not list(results.rglob(cache.CACHE_FILE))
    time.sleep(0.02)
    report = score_results(results, workers=1)
    assert len(report.scored) >= 2 and not report.failed and list(results.rglob(cache.CACHE_FILE))
    monkeypatch.setenv(cache.DISABLE_ENV, "1")
    parlour.run("taboo", "programmatic:oracle", results=tmp_path / "plain", limit=2)
    assert _snapshot(results) == _snapshot(tmp_path / "plain")


def test_a_run_scores_as_it_did_without_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "RACY_MARGIN_NS", 0)
    parlour.run("wordle", "programmatic:breaker", results=tmp_path / "cached", limit=2)
    monkeypatch.setenv(cache.DISABLE_ENV, "1")
    parlour.run("wordle", "programmatic:breaker", results=tmp_path / "plain", limit=2)
    cached, plain = (_snapshot(tmp_path / name) for name in ("cached", "plain"))
    assert cached == plain and cached


@pytest.mark.parametrize(
    ("episode_scores", "outcome"),
    [
        # more episode scores than the cache holds: counted like any other, read from the file each time
        ({f"metric {i}": 1.0 for i in range(cache.MAX_METRICS + 1)}, "counted"),
        # an integer no float can hold: the file is not used, with one line naming it
        ('"Main Score": 1' + "0" * 400, "unusable"),
    ],
    ids=["too-many-metrics", "huge-number"],
)
def test_eval_takes_an_unusual_scores_file_alike_with_and_without_the_cache(
    results: Path, episode_scores: dict[str, float] | str, outcome: str
) -> None:
    from support.cli import parlour as run_parlour

    scores = _episode(results) / store.SCORES
    if isinstance(episode_scores, dict):
        scores.write_text(json.dumps({"turn scores": {}, "episode scores": episode_scores}), encoding="utf-8")
    else:
        scores.write_text('{"turn scores": {}, "episode scores": {' + episode_scores + "}}", encoding="utf-8")
    time.sleep(2.1)  # past the racy margin (the fixture sets it to 0 in this process only): the command caches it
    command = ("eval", "-r", str(results), "--n-boot", "10")
    runs = [run_parlour(*command, env=env) for env in ({}, {cache.DISABLE_ENV: "1"})]
    runs.append(run_parlour(*command))  # now from the cache
    for run in runs:
        assert "Traceback" not in run.stderr, run.stderr
        if outcome == "counted":
            assert run.returncode == 0, run.stderr
        else:
            assert run.returncode == 1 and f"{scores}: episode score 'Main Score'" in run.stderr, run.stderr
    assert len({run.stdout for run in runs}) == 1
