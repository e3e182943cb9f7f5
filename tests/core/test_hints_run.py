"""Every hint parlour prints is followed here, and must work: the command it names runs and does what the
hint says."""

from __future__ import annotations

import shlex
from pathlib import Path

from support.cli import parlour, write_registry

from parlour import store


def _played(tmp_path: Path, env: dict[str, str] | None = None) -> Path:
    results = tmp_path / "r"
    res = parlour("run", "-g", "taboo", "-m", "programmatic:breaker", "--limit", "1", "-r", str(results), env=env)
    assert res.returncode == 0, res.stderr
    return results


def _one_line(res) -> str:
    return " ".join(res.stderr.split())


def _hinted_command(message: str) -> list[str]:
    """The command between backquotes in a message, as arguments after `parlour`."""
    command = message.split("`")[1]
    assert command.startswith("parlour ")
    return shlex.split(command)[1:]


def test_eval_of_an_empty_folder_does_not_advise_scoring_it(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = parlour("eval", "-r", str(tmp_path / "empty"))
    assert res.returncode == 2 and "holds no episodes" in _one_line(res)
    assert "parlour score" not in res.stderr
    nothing = parlour("score", "-r", str(tmp_path / "empty"))  # nothing to score is said, not "scored 0"
    assert nothing.returncode == 2 and "no episodes to score" in nothing.stderr


def test_eval_advises_scoring_transcripts_and_the_advice_works(tmp_path: Path) -> None:
    results = _played(tmp_path)
    for scores in results.rglob(store.SCORES):
        scores.unlink()
    res = parlour("eval", "-r", str(results))
    assert res.returncode == 2 and "3 episode(s) have a transcript" in _one_line(res)
    hint = parlour(*_hinted_command(_one_line(res)))
    assert hint.returncode == 0, hint.stderr
    assert parlour("eval", "-r", str(results)).returncode == 0


def test_eval_of_a_results_csv_names_its_folder(tmp_path: Path) -> None:
    results = _played(tmp_path)
    assert parlour("eval", "-r", str(results)).returncode == 0
    res = parlour("eval", "-r", str(results / "results.csv"))
    message = _one_line(res)
    assert res.returncode == 2 and f"(-r {results})" in message and "does not exist" not in message
    assert parlour("eval", "-r", str(results)).returncode == 0
    report = parlour("report", "-r", str(results / "results.csv"), "-o", str(tmp_path / "rep"))
    assert report.returncode == 0, report.stderr


def test_the_analysis_pages_hint_names_a_flag_that_report_takes(tmp_path: Path) -> None:
    results = _played(tmp_path)
    res = parlour("report", "-r", str(results), "-o", str(tmp_path / "rep"))
    assert res.returncode == 0, res.stderr
    page = (tmp_path / "rep" / "analysis.html").read_text()
    hint = page.split("Give model characteristics (<code>")[1].split("</code>")[0]
    assert hint == "parlour report -c FILE"
    chars = tmp_path / "chars.csv"
    chars.write_text("model,params_b\nprogrammatic-breaker,0.1\n")
    again = parlour("report", "-r", str(results), "-o", str(tmp_path / "rep2"), "-c", str(chars))
    assert again.returncode == 0, again.stderr


def test_a_refused_resume_names_the_setting_that_changed(tmp_path: Path) -> None:
    entry = {"name": "tiny", "backend": "programmatic", "options": {"policy": "breaker"}}
    base = ("run", "-g", "taboo", "-m", "tiny", "--limit", "1", "-r", str(tmp_path / "r"))
    first = parlour(*base, env=write_registry(tmp_path / "a.yaml", {**entry, "sampling": {"top_p": 0.9}}))
    assert first.returncode == 0, first.stderr
    again = parlour(*base, env=write_registry(tmp_path / "b.yaml", {**entry, "sampling": {"top_p": 0.5}}))
    assert again.returncode == 2
    assert "changed: sampling.top_p (0.9 -> 0.5)" in _one_line(again)
