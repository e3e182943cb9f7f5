"""Rendering helpers shared by the report's pages: the Jinja2 environment, cell formatting, the writer."""

from __future__ import annotations

import math
from pathlib import Path

import jinja2
import markupsafe
import pandas as pd

from parlour import store, version
from parlour.analysis.characteristics import model_key
from parlour.analysis.registry import P_COLUMNS, p_text
from parlour.redact import bidi_shown
from parlour.report.tables import to_markdown
from parlour.report.transcripts import slug


def environment() -> jinja2.Environment:
    """Templates of parlour.report, HTML-autoescaped, with bidirectional formatting characters shown."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("parlour.report", "templates"),
        autoescape=True,  # every template is HTML: escape everything, model output included
        finalize=_shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


NOT_AVAILABLE = "n/a"  # a score that does not exist (no episode played), as the terminal tables say


def _shown(value: object) -> object:
    """Every value a page shows, before it is escaped: a name with U+202E (right-to-left override) in it
    would display as another name, so such characters are shown as escapes, as in the terminal."""
    if not isinstance(value, str):
        return value
    shown = bidi_shown(value)
    return markupsafe.Markup(shown) if isinstance(value, markupsafe.Markup) else shown


def fmt(value: object, digits: int = 2) -> str:
    """A table cell's text: floats with `digits` decimals, NaN empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def pct(value: float) -> str:
    """A bar height in percent for inline CSS (a plain number; NaN draws no bar)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "0"
    return f"{min(max(float(value), 0.0), 100.0):.2f}"


def p_cell(value: object) -> str:
    """A p-value cell: `< 0.001` rather than 0.00."""
    return p_text(value) if isinstance(value, float) and not math.isnan(value) else fmt(value)


def sort_key(value: object) -> str:
    """The data-sort attribute of a cell (empty for NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def cell(value: float, ci: tuple[float, float] | None = None, cls: str = "") -> dict:
    """A score cell with its optional confidence interval; a missing score reads n/a."""
    text_ci = f"[{ci[0]:.2f}, {ci[1]:.2f}]" if ci and not any(math.isnan(x) for x in ci) else ""
    return {"text": fmt(value) or NOT_AVAILABLE, "sort": sort_key(value), "ci": text_ci, "cls": cls}


def rank_text(rank: object) -> str:
    """A leaderboard rank: empty for a row that has none (no clemscore)."""
    return "" if rank is None or rank is pd.NA else str(rank)


def ci_lookup(cis: pd.DataFrame | None) -> dict[tuple[str, str, str], tuple[float, float]]:
    """(model, game, metric) -> (low, high) from a bootstrap_ci table."""
    if cis is None or cis.empty:
        return {}
    return {(r.model, r.game, r.metric): (r.ci_low, r.ci_high) for r in cis.itertuples()}


def table_payload(frame: pd.DataFrame, files: list[tuple[str, str]] | None = None) -> dict:
    """A DataFrame as the analysis template's table (columns, rows of cells, download links)."""
    rows = []
    texts = [p_cell if c in P_COLUMNS else fmt for c in frame.columns]
    for _, row in frame.iterrows():
        rows.append([{"text": text(v), "sort": sort_key(v)} for text, v in zip(texts, row.tolist(), strict=True)])
    return {"columns": [str(c) for c in frame.columns], "rows": rows, "files": files or []}


class Writer:
    """Writes pages and tables into the output folder and remembers what it wrote."""

    def __init__(self, out: Path, sources: list[str], root: Path | None = None) -> None:
        self.out = out
        self.root = out if root is None else root  # no link inside it is followed (store.atomic_writer)
        self.env = environment()
        self.common = {"version": version.__version__, "sources": sources, "bare": False, "official_page": False}
        self.tables: list[Path] = []

    def page(self, template: str, rel: str, **context: object) -> Path:
        """Render a template to `rel` (a path inside the site); links are made relative to the site root."""
        path = self.out / rel
        root = "../" * rel.count("/")
        html = self.env.get_template(template).render({**self.common, "root": root, **context})
        self.file(path, html)
        return path

    def file(self, path: Path, text: str) -> None:
        store.write_text(path, text, self.root)

    def figures(self) -> Path:
        """The figures folder, made here so that matplotlib writes into a folder reached through no link."""
        store.make_folder(self.out / "figures", self.root)
        return self.out / "figures"

    def table(self, frame: pd.DataFrame, name: str, index: bool = False) -> list[tuple[str, str]]:
        """Write tables/<name>.csv and .md; return the (label, link) pairs for a page."""
        folder = self.out / "tables"
        store.write_csv(frame, folder / f"{name}.csv", self.root, index=index)
        self.file(folder / f"{name}.md", to_markdown(frame.reset_index() if index else frame))
        self.tables += [folder / f"{name}.csv", folder / f"{name}.md"]
        return [("CSV", f"tables/{name}.csv"), ("Markdown", f"tables/{name}.md")]


def display_name(pair: str) -> str:
    """Display name: the pair directory without the temperature and the second player (self-play)."""
    first, _, second = pair.partition("--")
    key_first = model_key(first)
    shown = first[: len(key_first)] if first.lower().startswith(key_first) else first
    if second and model_key(second) != key_first:
        return f"{shown} vs {second}"
    return shown


def model_href(pair: str) -> str:
    """A model page's path inside the site."""
    return f"models/{slug(pair)}.html"
