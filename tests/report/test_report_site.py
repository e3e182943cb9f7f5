"""`parlour report`: the static site's files, tables and escaping (the browser test is separate)."""

import html
import re
from pathlib import Path

import pandas as pd
import pytest
import typer
from report_fixtures import EVIL_PAIR, PAYLOAD, RESULTS, build_backend_pair, build_results
from typer.testing import CliRunner

from parlour.cli.report import report_command as report
from parlour.report.site import build_site
from parlour.report.tables import to_markdown
from parlour.report.transcripts import find_episodes, load_episode

CHARS = RESULTS / "model_characteristics_2024-06-07.csv"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("report")(report)
    app.command("noop")(lambda: None)  # two commands keep "report" a subcommand, as under the lead's cli
    return app


@pytest.fixture(scope="module")
def results(reference: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_results(tmp_path_factory.mktemp("results") / "results")


@pytest.fixture(scope="module")
def site(results: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    res = CliRunner().invoke(_app(), ["report", "-r", str(results), "-o", str(out), "--n-boot", "200"])
    assert res.exit_code == 0, res.output
    assert "episodes" in res.output
    return out


def test_site_files(site: Path) -> None:
    for rel in ("index.html", "analysis.html", "transcripts.html", "static/style.css", "static/sort.js",
                "static/browser.js", "tables/leaderboard.csv", "tables/leaderboard.md", "tables/results_ci.csv",
                "figures/profiles.png", "figures/profiles.svg"):  # fmt: skip
        assert (site / rel).is_file(), rel
    assert (site / "models" / f"{EVIL_PAIR}.html").is_file()
    pages = list((site / "transcripts").rglob("*.html"))
    assert len(pages) >= 11 + 46 + 2  # every episode with an interactions.json has a page


def test_leaderboard_tables_match_aggregation(site: Path, results: Path) -> None:
    board = pd.read_csv(site / "tables" / "leaderboard.csv", index_col=0)
    evil = board.loc[EVIL_PAIR]
    assert evil["-, clemscore"] == 50.0 and evil["taboo, % Played"] == 50.0
    assert {"-, clemscore ci_low", "-, clemscore ci_high"} <= set(board.columns)
    assert evil["-, clemscore ci_low"] <= 50.0 <= evil["-, clemscore ci_high"]
    md = (site / "tables" / "leaderboard.md").read_text()
    assert md.splitlines()[1].startswith("|:---") and EVIL_PAIR in md
    page = (site / "index.html").read_text()
    assert page.count("<tr>") == len(board) + 1
    assert "llamacpp · Q4_1" in page  # from run.json


def test_model_output_is_escaped_in_html(site: Path) -> None:
    page = next((site / "transcripts").rglob(f"{EVIL_PAIR}/taboo/0_high_en/episode_0.html"))
    source = page.read_text()
    assert "<script>window.__pwned" not in source and "<img src=x" not in source
    assert html.escape(PAYLOAD, quote=False) in source or "&lt;script&gt;window.__pwned" in source
    # the page has no script at all: nothing in a transcript is executable
    assert "<script" not in source


def test_transcript_listing_has_filters_and_outcomes(site: Path) -> None:
    page = (site / "transcripts.html").read_text()
    for name in ("model", "game", "experiment", "outcome"):
        assert f'data-filter="{name}"' in page
    outcomes = set(re.findall(r'data-outcome="(\w+)"', page))
    assert {"success", "lose", "aborted"} <= outcomes
    assert 'data-game="privateshared"' in page and 'data-game="wordle_withcritic"' in page


def test_episode_loader_sides(results: Path) -> None:
    refs = [r for r in find_episodes(results) if r.pair == EVIL_PAIR]
    assert [r.outcome for r in refs] == ["success", "aborted"]
    episode = load_episode(refs[0])
    sides = [m.side for m in episode.turns[0]]
    assert sides == ["p1", "p1", "gm", "p2", "p2"]
    assert episode.turns[0][1].text == f"CLUE: {PAYLOAD}"
    assert episode.players["Player 1"] == "WordDescriber, evil-model"


def test_report_on_official_tables(tmp_path: Path) -> None:
    summary = build_site([RESULTS / "results_v1.6.csv"], tmp_path, [CHARS], n_boot=50, svg=False)
    assert summary.models == 61 and summary.episodes == 0
    page = (tmp_path / "index.html").read_text()
    assert page.count('class="model"') == 61
    analysis = (tmp_path / "analysis.html").read_text()
    assert "F(1, 15)" in analysis or "F(1," in analysis
    assert (tmp_path / "figures" / "regression.png").is_file()
    assert (tmp_path / "tables" / "brackets.md").is_file()
    assert "No episode records" in (tmp_path / "transcripts.html").read_text()


def test_report_errors_are_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(_app(), ["report", "-r", str(tmp_path / "nothing"), "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "no such results file or folder" in res.output


def test_markdown_escapes_pipes() -> None:
    md = to_markdown(pd.DataFrame({"a": ["x|y"], "b": [1.234]}))
    assert md.splitlines() == ["| a | b |", "|:---|---:|", "| x\\|y | 1.23 |"]


def test_report_compares_backends_from_run_json(tmp_path: Path) -> None:
    results = build_backend_pair(tmp_path / "results")
    summary = build_site([results], tmp_path / "site", n_boot=200, svg=False)
    assert not [s for s in summary.skipped if s.startswith("backends")]
    page = (tmp_path / "site" / "analysis.html").read_text()
    assert "Same weights, different backend" in page
    tests = pd.read_csv(tmp_path / "site" / "tables" / "backend_paired_tests.csv")
    played = tests[(tests.game == "all") & (tests.metric == "% Played")].iloc[0]
    assert played.model_a == "w-cpp-t0.0--w-cpp-t0.0" and played.model_b == "w-hf-t0.0--w-hf-t0.0"
    assert played["diff"] == -40.0 and played.ci_high < 0
    assert (tmp_path / "site" / "figures" / "backend.png").is_file()
