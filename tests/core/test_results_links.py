"""A link planted inside a results folder is never followed: every file parlour writes or removes there is
refused with one line naming the link, and the link's target outside the folder stays as it was."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support.cli import parlour

from parlour import store
from parlour.errors import LinkInResultsError

ORACLE = "programmatic-oracle-t0.0--programmatic-oracle-t0.0"
RUN = ("run", "-g", "taboo", "-m", "programmatic:oracle", "--limit", "1", "--no-progress")
SCORE = ("score",)
EVAL = ("eval", "--n-boot", "10")
REPORT = ("report", "--n-boot", "10", "--compare", "none", "--no-transcripts")


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One complete oracle episode (and its tables), copied by each test."""
    results = tmp_path_factory.mktemp("played") / "results"
    done = parlour(*RUN, "-r", str(results))
    assert done.returncode == 0, done.stderr
    return results


def _episode(results: Path) -> Path:
    return next((results / ORACLE / "taboo").glob("*/episode_0"))


def _outside_file(tmp_path: Path, content: str = "outside\n") -> Path:
    target = tmp_path / "outside" / "target.txt"
    target.parent.mkdir(exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return target


def _plant_file(results: Path, rel: Path, tmp_path: Path, replay: bool) -> tuple[Path, Path]:
    """`rel` becomes a link to a file outside; with `replay`, the episode is left incomplete so it is replayed."""
    link = results / rel
    keep = link.is_file() and rel.name != store.INTERACTIONS  # an unreadable interactions.json: replayed
    target = _outside_file(tmp_path, link.read_text(encoding="utf-8") if keep else "outside\n")
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    if replay and rel.name != store.INTERACTIONS:
        (_episode(results) / store.INTERACTIONS).unlink()
    return link, target


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _assert_refused(result, link: Path) -> None:  # noqa: ANN001 - a CompletedProcess
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert link.name in message
    assert "symbolic link" in message or "outside the results folder" in message  # the latter: `store.inside`


EPISODE_FILES = [store.INSTANCE, store.INTERACTIONS, store.REQUESTS, store.SCORES, store.ERROR]


@pytest.mark.parametrize("name", EPISODE_FILES)
def test_run_refuses_a_linked_episode_file(played: Path, tmp_path: Path, name: str) -> None:
    results = tmp_path / "results"
    shutil.copytree(played, results, symlinks=True)
    link, target = _plant_file(results, _episode(results).relative_to(results) / name, tmp_path, replay=True)
    before = target.read_bytes()
    _assert_refused(parlour(*RUN, "-r", str(results)), link)
    assert target.read_bytes() == before
    assert link.is_symlink()


@pytest.mark.parametrize("name", [store.LOCK, store.RUN])
def test_run_refuses_a_linked_pair_file(played: Path, tmp_path: Path, name: str) -> None:
    results = tmp_path / "results"
    shutil.copytree(played, results, symlinks=True)
    link, target = _plant_file(results, Path(ORACLE) / name, tmp_path, replay=True)
    before = target.read_bytes()
    _assert_refused(parlour(*RUN, "-r", str(results)), link)
    assert target.read_bytes() == before


def test_run_refuses_a_linked_experiment_file_and_creates_nothing_outside(played: Path, tmp_path: Path) -> None:
    results = tmp_path / "results"
    shutil.copytree(played, results, symlinks=True)
    exp_dir = _episode(results).parent
    for config in exp_dir.glob("experiment*.json"):
        config.unlink()
    (_episode(results) / store.INTERACTIONS).unlink()
    target = tmp_path / "outside" / "experiment.json"  # not there: a dangling link is refused too
    link = exp_dir / "experiment.json"
    link.symlink_to(target)
    _assert_refused(parlour(*RUN, "-r", str(results)), link)
    assert not target.exists()


def _link_episode_folder(results: Path, tmp_path: Path) -> tuple[Path, Path]:
    episode = _episode(results)
    target = tmp_path / "outside" / "episode"
    target.parent.mkdir()
    shutil.move(episode, target)
    episode.symlink_to(target, target_is_directory=True)
    return episode, target


@pytest.mark.parametrize("command", [RUN, SCORE], ids=["run", "score"])
def test_a_linked_episode_folder_is_neither_written_nor_cleared(
    played: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    results = tmp_path / "results"
    shutil.copytree(played, results, symlinks=True)
    link, target = _link_episode_folder(results, tmp_path)
    (target / store.SCORES).write_text('{"stale": 1}', encoding="utf-8")  # scoring would rewrite it
    if command == RUN:
        (target / store.INTERACTIONS).rename(target / "interactions.kept")  # incomplete: would be cleared
    before = _snapshot(target)
    _assert_refused(parlour(*command, "-r", str(results)), link)
    assert _snapshot(target) == before


def test_score_refuses_a_linked_scores_file(played: Path, tmp_path: Path) -> None:
    results = tmp_path / "results"
    shutil.copytree(played, results, symlinks=True)
    link = _episode(results) / store.SCORES
    target = _outside_file(tmp_path, '{"stale": 1}')
    link.unlink()
    link.symlink_to(target)
    _assert_refused(parlour(*SCORE, "-r", str(results)), link)
    assert target.read_text(encoding="utf-8") == '{"stale": 1}'


@pytest.mark.parametrize("name", ["raw.csv", "results.csv", "results_ci.csv"])
def test_eval_refuses_a_linked_table(played: Path, tmp_path: Path, name: str) -> None:
    results = tmp_path / "results"
    shutil.copytree(played, results, symlinks=True)
    link = results / name
    target = _outside_file(tmp_path)
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    _assert_refused(parlour(*EVAL, "-r", str(results)), link)
    assert target.read_text(encoding="utf-8") == "outside\n"


def _report_folder_link(results: Path, tmp_path: Path) -> tuple[Path, Path]:
    target = tmp_path / "outside" / "site"
    target.mkdir(parents=True)
    (results / "report").symlink_to(target, target_is_directory=True)
    return results / "report", target


def _report_file_link(rel: str) -> Callable[[Path, Path], tuple[Path, Path]]:
    def plant(results: Path, tmp_path: Path) -> tuple[Path, Path]:
        link = results / "report" / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        target = _outside_file(tmp_path)
        link.symlink_to(target)
        return link, target

    return plant


def _report_figures_link(results: Path, tmp_path: Path) -> tuple[Path, Path]:
    target = tmp_path / "outside" / "figures"
    target.mkdir(parents=True)
    (results / "report").mkdir()
    (results / "report" / "figures").symlink_to(target, target_is_directory=True)
    return results / "report" / "figures", target


@pytest.mark.parametrize(
    "plant",
    [
        _report_folder_link,
        _report_file_link("index.html"),
        _report_file_link("static/style.css"),
        _report_file_link("tables/results_ci.csv"),
        _report_figures_link,
    ],
    ids=["folder", "page", "static", "table", "figures"],
)
def test_a_report_inside_the_results_folder_follows_no_link(
    played: Path, tmp_path: Path, plant: Callable[[Path, Path], tuple[Path, Path]]
) -> None:
    results = tmp_path / "results"
    shutil.copytree(played, results, symlinks=True)
    link, target = plant(results, tmp_path)
    outside = target if target.is_dir() else target.parent
    before = _snapshot(outside)
    _assert_refused(parlour(*REPORT, "-r", str(results), "-o", str(results / "report")), link)
    assert _snapshot(outside) == before


def test_the_results_folder_itself_may_be_a_link(played: Path, tmp_path: Path) -> None:
    real = tmp_path / "real"
    shutil.copytree(played, real, symlinks=True)
    (_episode(real) / store.INTERACTIONS).unlink()
    (tmp_path / "results").symlink_to(real, target_is_directory=True)
    again = parlour(*RUN, "-r", str(tmp_path / "results"))
    assert again.returncode == 0, again.stderr
    assert "1 played" in again.stdout
    assert (_episode(real) / store.INTERACTIONS).is_file()


def test_the_writer_refuses_a_link_and_leaves_no_temp_file(tmp_path: Path) -> None:
    results = tmp_path / "results"
    target = _outside_file(tmp_path)
    (results / "pair").mkdir(parents=True)
    (results / "pair" / "run.json").symlink_to(target)
    with pytest.raises(LinkInResultsError, match="run.json: is a symbolic link"):
        store.write_json(results / "pair" / "run.json", {"runs": []}, results)
    assert target.read_text(encoding="utf-8") == "outside\n"
    assert [p.name for p in (results / "pair").iterdir()] == ["run.json"]
