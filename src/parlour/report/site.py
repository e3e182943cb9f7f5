"""Build the static HTML report: leaderboard, analysis figures, model pages and the transcript browser.

The site is plain files (HTML, CSS, two small scripts, PNG/SVG figures, CSV/Markdown tables) that open
from the file system without a server. Every string from results, and above all every model reply, goes
through Jinja2's autoescaping; the scripts only read data attributes and never build HTML from data.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from parlour import store
from parlour.analysis import figures
from parlour.analysis.characteristics import COLUMNS as CHAR_COLUMNS
from parlour.analysis.groups import profile
from parlour.analysis.loading import Scores, load_joined
from parlour.analysis.placement import default_comparison, played_instances
from parlour.data import official_path
from parlour.errors import ParlourError
from parlour.models.spec import quantization_label
from parlour.report.analysis_page import write_analysis_page
from parlour.report.placement_page import write_placement_page
from parlour.report.render import NOT_AVAILABLE, Writer, cell, ci_lookup, display_name, fmt, model_href, pct
from parlour.report.transcripts import EpisodeRef, find_episodes, load_episode
from parlour.scoring.bootstrap import bootstrap_ci
from parlour.scoring.clemscore import (
    ALL_GAMES,
    AVG_PLAYED_COL,
    AVG_QUALITY_COL,
    CLEMSCORE,
    CLEMSCORE_COL,
    PCT_PLAYED,
    PLAYED,
    QUALITY,
    games_of,
    played_col,
    quality_col,
)


@dataclass
class SiteSummary:
    """What `build_site` wrote."""

    out: Path
    models: int
    episodes: int
    figures: list[Path] = field(default_factory=list)
    tables: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # analyses left out, with the reason
    comparison: str | None = None  # the official table the models were placed on
    notes: list[str] = field(default_factory=list)  # what the reader should know about the choices made


def build_site(
    results: Sequence[Path],
    out: Path,
    models: Sequence[Path] = (),
    n_boot: int = 1000,
    seed: int = 0,
    transcripts: bool = True,
    svg: bool = True,
    compare: str | None = None,
) -> SiteSummary:
    """Write the report for the given results (folders or tables) into `out` (figures as PNG, and SVG
    unless `svg=False`), with the models placed on the official table `compare`: by default (None) the
    leaderboard of the clembench version the results played, "none" to leave it out."""
    leave_out = compare is not None and compare.lower() == "none"
    if compare and not leave_out:
        official_path(compare)  # an unknown table is the user's error, not a section to leave out
    scores, joined = load_joined(results, models)
    frame = joined.frame
    writer = Writer(out, [str(p) for p in results], _enclosing_folder(out, results))
    _copy_static(writer)
    summary = SiteSummary(out=out, models=len(scores.table), episodes=0)
    if compare is None:
        compare, note = default_comparison(scores.table, scores.runs)
        summary.notes += [note] if note else []
    compare = summary.comparison = None if leave_out else compare

    cis = None
    if scores.raw is not None and not scores.raw.empty:
        cis = bootstrap_ci(scores.raw, n_boot=n_boot, seed=seed)
        writer.table(cis, "results_ci")
    ci = ci_lookup(cis)

    episodes: list[EpisodeRef] = []
    if transcripts:
        for root in dict.fromkeys(scores.roots.values()):
            wanted = {m for m, r in scores.roots.items() if r == root}
            episodes += find_episodes(root, wanted)
    counts = pd.Series([e.pair for e in episodes], dtype=object).value_counts().to_dict()

    if compare:
        try:
            summary.figures += write_placement_page(
                writer, frame, compare, svg, played_instances(scores, compare), scores.runs
            )
        except (ParlourError, ValueError) as exc:  # the rest of the report does not need it
            summary.skipped.append(f"official leaderboard: {exc}")
    _model_pages(writer, scores, frame, ci, counts)
    summary.figures += write_analysis_page(writer, scores, joined, summary.skipped, n_boot, seed, svg)
    # last, so that the front page shows a figure the other pages drew: the models' per-game profiles,
    # else their place on the official leaderboard
    drawn = {f.name: f"figures/{f.name}" for f in summary.figures}
    front = drawn.get("profiles.png") or drawn.get("placement.png")
    _leaderboard(writer, scores, ci, cis is not None, n_boot, front)
    summary.episodes = _transcripts(writer, episodes)
    summary.tables = writer.tables
    return summary


def _enclosing_folder(out: Path, results: Sequence[Path]) -> Path:
    """The results folder `out` is in (a sweep's results/report), else `out`: no link inside it is followed."""
    for folder in results:
        if folder.is_dir() and Path(os.path.abspath(out)).is_relative_to(os.path.abspath(folder)):
            return folder
    return out


def _copy_static(writer: Writer) -> None:
    for item in resources.files("parlour.report").joinpath("static").iterdir():
        if item.is_file():
            store.write_file(writer.out / "static" / item.name, item.read_bytes(), writer.root)


def _first_spec(run: object) -> dict:
    """The first model spec of a run.json, or {} when there is none (run.json is optional)."""
    models = run.get("models") if isinstance(run, dict) else None
    return models[0] if isinstance(models, list) and models and isinstance(models[0], dict) else {}


def _leaderboard(writer: Writer, scores: Scores, ci: dict, has_ci: bool, n_boot: int, figure: str | None) -> None:
    table = scores.table.sort_values(CLEMSCORE_COL, ascending=False, na_position="last")
    games = games_of(table)
    rows = []
    for pair, row in table.iterrows():
        cells = [
            cell(row[CLEMSCORE_COL], ci.get((pair, ALL_GAMES, CLEMSCORE))),
            cell(row[AVG_PLAYED_COL], ci.get((pair, ALL_GAMES, PCT_PLAYED))),
            cell(row[AVG_QUALITY_COL], ci.get((pair, ALL_GAMES, QUALITY))),
        ]
        for game in games:
            # one column a game (quality, its % played below), so that seven games fit 1280 px without
            # scrolling; their intervals are on the model's page
            played = fmt(row[played_col(game)], 0) or NOT_AVAILABLE
            cells.append({**cell(row[quality_col(game)], None, "game"), "ci": f"{played} % played"})
        tag = ""
        spec = _first_spec(scores.runs.get(pair))
        tag = " · ".join(str(v) for v in (spec.get("backend"), quantization_label(spec)) if v)
        rows.append({"name": display_name(pair), "pair": pair, "href": model_href(pair), "cells": cells, "tag": tag})
    writer.page(
        "index.html.j2",
        "index.html",
        title="Leaderboard",
        rows=rows,
        games=[(game, figures.GAME_SHORT.get(game, game)) for game in games],
        has_ci=has_ci,
        n_boot=n_boot,
        figure=figure,
    )
    board = table.copy()
    if ci:
        for metric, col in (
            (CLEMSCORE, CLEMSCORE_COL),
            (PCT_PLAYED, AVG_PLAYED_COL),
            (QUALITY, AVG_QUALITY_COL),
        ):
            idx = board.columns.get_loc(col) + 1
            bounds = [ci.get((p, ALL_GAMES, metric), (math.nan,) * 2) for p in board.index]
            board.insert(idx, f"{col} ci_high", [high for _, high in bounds])
            board.insert(idx, f"{col} ci_low", [low for low, _ in bounds])
    writer.table(board, "leaderboard", index=True)


def _model_pages(writer: Writer, scores: Scores, frame: pd.DataFrame, ci: dict, counts: dict) -> None:
    prof = profile(scores.table)
    for pair in scores.table.index:
        sub = prof[prof["model"] == pair]
        rows = []
        for r in sub.itertuples():
            clem = round(r.played / 100 * r.quality, 2) if not pd.isna(r.quality) else math.nan
            n = _episode_count(scores.raw, pair, r.game) if scores.raw is not None else ""
            rows.append(
                {
                    "game": r.game,
                    "cells": [
                        cell(r.played, ci.get((pair, r.game, PCT_PLAYED))),
                        cell(r.quality, ci.get((pair, r.game, QUALITY))),
                        cell(
                            clem if r.game != ALL_GAMES else scores.table.loc[pair, CLEMSCORE_COL],
                            ci.get((pair, r.game, CLEMSCORE)),
                        ),
                    ],
                    "n": n,
                }
            )
        bars = [
            {
                "game": r.game,
                "label": figures.GAME_SHORT.get(r.game, r.game),
                "played": pct(r.played),
                "quality": pct(r.quality),
                "played_text": fmt(r.played),
                "quality_text": fmt(r.quality) or "none",
            }
            for r in sub.itertuples()
        ]
        chars = []
        if pair in frame.index:
            for col in CHAR_COLUMNS[1:]:
                value = frame.loc[pair, col] if col in frame.columns else None
                if value is not None and not (isinstance(value, float) and math.isnan(value)) and value is not pd.NA:
                    chars.append((col, value))
        run = scores.runs.get(pair)
        writer.page(
            "model.html.j2",
            model_href(pair),
            title=display_name(pair),
            name=display_name(pair),
            pair=pair,
            source=scores.sources.get(pair, ""),
            rows=rows,
            bars=bars if len(bars) > 1 else [],
            characteristics=chars,
            run=json.dumps(run, indent=2, ensure_ascii=False) if run else "",
            specs=_spec_tables(run),
            n_episodes=counts.get(pair, 0),
        )


def _spec_tables(run: object) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each model spec of a run.json as (name, [(field, value)]): what was set, nested values as compact JSON."""
    models = run.get("models") if isinstance(run, dict) else None
    tables = []
    for spec in models if isinstance(models, list) else []:
        if not isinstance(spec, dict):
            continue
        rows = [
            (str(key), value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str))
            for key, value in spec.items()
            if value not in (None, {}, [], "")
        ]
        tables.append((str(spec.get("name", "model")), rows))
    return tables


def _episode_count(raw: pd.DataFrame, pair: str, game: str) -> int | str:
    sub = raw[(raw["model"] == pair) & (raw["metric"] == PLAYED)]
    if game != ALL_GAMES:
        sub = sub[sub["game"] == game]
    return int(len(sub)) if len(sub) else ""


def _transcripts(writer: Writer, episodes: Iterable[EpisodeRef]) -> int:
    episodes = list(episodes)
    env_common = {"bare": True, "body_class": "bare"}
    for ref in episodes:
        if not ref.has_transcript:
            continue
        ep = load_episode(ref)
        players = {"p1": "", "p2": "", "gm": ""}
        for key, value in ep.players.items():
            norm = key.replace("_", " ")
            slot = {"Player 1": "p1", "Player 2": "p2", "GM": "gm"}.get(norm)
            if slot:
                players[slot] = value
        writer.page(
            "episode.html.j2",
            f"transcripts/{ref.slug}",
            title=f"{ref.game} {ref.experiment} {ref.episode}",
            ep=ep,
            players=players,
            extras=json.dumps(ep.extras, indent=2, ensure_ascii=False, default=str) if ep.extras else "",
            instance=json.dumps(ep.instance, indent=2, ensure_ascii=False) if ep.instance else "",
            **env_common,
        )
    listing = [
        {
            "pair": e.pair,
            "name": display_name(e.pair),
            "game": e.game,
            "experiment": e.experiment,
            "episode": e.episode,
            "outcome": e.outcome,
            "main_score": e.main_score,
            "slug": e.slug,
            "has_transcript": e.has_transcript,
        }
        for e in episodes
    ]
    filters = [
        ("model", sorted({e.pair for e in episodes})),
        ("game", sorted({e.game for e in episodes})),
        ("experiment", sorted({e.experiment for e in episodes})),
        (
            "outcome",
            [o for o in ("success", "lose", "aborted", "played", "unscored") if any(e.outcome == o for e in episodes)],
        ),
    ]
    writer.page("transcripts.html.j2", "transcripts.html", title="Transcripts", episodes=listing, filters=filters)
    return len(episodes)
