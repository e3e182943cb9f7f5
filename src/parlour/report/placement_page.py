"""The report's official.html: the user's models among the official leaderboard, and against what their size
predicts (the paper's clemscore ~ ln(parameters) over the official models)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from parlour.analysis import figures
from parlour.analysis.placement import OFFICIAL_SET, Placement, place
from parlour.report.render import Writer, cell, display_name, fmt, model_href, rank_text

OFFICIAL_PAGE = "official.html"


def write_placement_page(
    writer: Writer,
    frame: pd.DataFrame,
    comparison: str,
    svg: bool = True,
    played: Mapping[str, str] | None = None,
    runs: Mapping[str, Mapping] | None = None,
) -> list[Path]:
    """Place the models of `frame` (a joined score/characteristics frame) among `comparison` and write the page;
    `played` (pair -> `placement.played_instances`) tells which rows played other or fewer than the official
    instances, `runs` (pair -> run.json) which clembench version."""
    placement = place(frame, comparison, played=played, runs=runs)
    base = writer.figures() / "placement"
    written = figures.placement_figure(placement, base if svg else base.with_suffix(".png"))
    writer.table(placement.table, "official_leaderboard")
    writer.table(placement.yours, "placement")
    short = comparison.removeprefix("official:")
    writer.common["official_page"] = True  # the navigation links the page from here on
    writer.page(
        "official.html.j2",
        OFFICIAL_PAGE,
        title=f"Official {short} leaderboard",
        short=short,
        summary=placement.summary_line(),
        level=f"{placement.level:.0%}",
        yours=_your_rows(placement),
        board=_board_rows(placement),
        n_official=int(placement.table["official"].sum()),
        twins=[display_name(p) for p in placement.already_official],
        instance_note=placement.instance_note,
    )
    return written


def _your_rows(placement: Placement) -> list[dict]:
    rows = []
    for r in placement.yours.itertuples():
        interval = f"[{r.pi_low:.2f}, {r.pi_high:.2f}]" if pd.notna(r.pi_low) else ""
        rows.append(
            {
                "name": display_name(r.pair),
                "href": model_href(r.pair),
                "rank": rank_text(r.rank),
                "params": fmt(r.params_b, 3),
                "cells": [cell(r.clemscore), cell(r.predicted), cell(r.residual)],
                "interval": interval,
                "position": r.position,
                "extrapolated": bool(r.extrapolated),
                "instances": "" if r.instances == OFFICIAL_SET else r.instances,
            }
        )
    return rows


def _board_rows(placement: Placement) -> list[dict]:
    rows = []
    for r in placement.table.itertuples():
        rows.append(
            {
                "name": display_name(r.pair),
                "href": None if r.official else model_href(r.pair),
                "official": bool(r.official),
                "instances": "" if r.instances == OFFICIAL_SET else r.instances,
                "rank": rank_text(r.rank),
                "cells": [cell(v) for v in (r.clemscore, r.played, r.quality)]
                + [{**cell(r.params_b), "text": fmt(r.params_b, 3)}]
                + [cell(v) for v in (r.predicted, r.residual)],
            }
        )
    return rows
