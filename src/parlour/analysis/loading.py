"""Load score matrices: our results folders, raw.csv / results.csv files, and official clembench tables.

A source is one of
* a results folder (clembench layout): its raw.csv if `parlour eval` built it from the episodes there now,
  else every `scores.json` below it;
* a raw.csv file (long table game, model, experiment, episode, metric, value);
* a results.csv file (clembench's wide table; official tables have no episode data, so no CIs);
* a summary CSV with a model column and clemscore[, pct_played, quality] (e.g. the paper's tables).
Episode-level data (raw) is kept where it exists so that analyses can add bootstrap CIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parlour.analysis.characteristics import (
    Joined,
    from_runs,
    join,
    load_characteristics,
    merge_rows,
    model_key,
    normalise,
)
from parlour.data import resolve_source
from parlour.errors import ResultsError
from parlour.scoring.clemscore import (
    AVG_PLAYED_COL,
    AVG_QUALITY_COL,
    CLEMSCORE_COL,
    PCT_PLAYED,
    QUALITY,
    QUALITY_STD,
    aggregate,
    check_raw,
    is_overall_col,
    read_results_table,
)
from parlour.scoring.raw_table import build_raw_table, raw_csv_is_current
from parlour.textfiles import read_csv, read_json


@dataclass
class Scores:
    """A score matrix (results.csv layout, index = pair directory) with optional episode data."""

    table: pd.DataFrame
    raw: pd.DataFrame | None = None
    roots: dict[str, Path] = field(default_factory=dict)  # model -> results folder holding its episodes
    runs: dict[str, dict] = field(default_factory=dict)  # model -> run.json content, where present
    sources: dict[str, str] = field(default_factory=dict)  # model -> where its row came from
    duplicates: list[str] = field(default_factory=list)  # models given by more than one source (first kept)

    @property
    def models(self) -> list[str]:
        """The pair directory names, in table order."""
        return list(self.table.index)


def raw_from_episodes(root: Path) -> pd.DataFrame:
    """clembench's long raw table from every scores.json under root (parlour.scoring.raw_table); an
    unusable scores.json stops the analysis with its reason rather than silently shrinking a model's data."""
    scores = build_raw_table(root)
    if scores.unreadable:
        _, reason = scores.unreadable[0]
        raise ResultsError(f"{reason} ({len(scores.unreadable)} unusable scores.json under {root})")
    return scores.table


def read_raw(path: Path) -> pd.DataFrame:
    """Read a raw.csv long table (ResultsError naming the file when it is not one)."""
    # every cell as the text written (no "NA" or "007" taken for a missing value or a number); values below
    raw = read_csv(path, ResultsError, "raw scores", dtype=str, keep_default_na=False)
    raw = raw.loc[:, [c for c in raw.columns if not str(c).startswith("Unnamed")]]
    try:
        check_raw(raw)
    except ResultsError as exc:
        raise ResultsError(f"{path}: {exc}") from exc
    raw["value"] = pd.to_numeric(raw["value"], errors="coerce")
    for col in ("game", "model", "experiment", "episode", "metric"):
        raw[col] = raw[col].astype(str)
    return raw


def _read_runs(root: Path, models: Iterable[str]) -> dict[str, dict]:
    runs = {}
    for model in models:
        path = root / model / "run.json"
        if path.is_file():
            try:
                runs[model] = read_json(path, ResultsError, "run file")
            except ResultsError:
                continue  # run.json is informative only; a broken one must not stop an analysis
    return runs


def load_source(path: Path) -> Scores:
    """Load one results folder, raw.csv or results.csv (or a shipped table named `official:NAME`)."""
    path = resolve_source(path)
    if path.is_dir():
        # a raw.csv that a later run or a failed write made stale is rebuilt from the episodes
        raw = read_raw(path / "raw.csv") if raw_csv_is_current(path) else raw_from_episodes(path)
        if raw.empty:
            results_csv = path / "results.csv"
            if results_csv.is_file():
                table = read_results_table(str(results_csv))
                return Scores(table, None, sources={m: str(results_csv) for m in table.index})
            raise ResultsError(f"{path}: no scores found (no raw.csv, results.csv or */*/*/episode_*/scores.json)")
        table = aggregate(raw)
        return Scores(
            table,
            raw,
            roots={m: path for m in table.index},
            runs=_read_runs(path, table.index),
            sources={m: str(path) for m in table.index},
        )
    if not path.is_file():
        raise ResultsError(f"{path}: no such results file or folder")
    header = read_csv(path, ResultsError, "results table", nrows=0).columns
    if CLEMSCORE_COL in header:
        table = read_results_table(str(path))
        return Scores(table, None, sources={m: str(path) for m in table.index})
    if "clemscore" in {str(c).strip().lower() for c in header}:
        table = read_summary_table(path)
        return Scores(table, None, sources={m: str(path) for m in table.index})
    raw = read_raw(path)
    table = aggregate(raw)
    return Scores(table, raw, sources={m: str(path) for m in table.index})


SUMMARY_NAMES = ("pair", "model_name", "model name", "model")
SUMMARY_SCORES = {
    "clemscore": CLEMSCORE_COL,
    "pct_played": AVG_PLAYED_COL,
    "played": AVG_PLAYED_COL,
    "% played": AVG_PLAYED_COL,
    "average % played": AVG_PLAYED_COL,
    "quality": AVG_QUALITY_COL,
    "quality score": AVG_QUALITY_COL,
    "average quality score": AVG_QUALITY_COL,
}


def read_summary_table(path: Path) -> pd.DataFrame:
    """A table of overall scores only (a model column plus clemscore[, pct_played, quality]), such as the
    paper's tables as data; it gives the three overall columns and no per-game ones."""
    frame = read_csv(path, ResultsError, "score summary")
    lower = {str(c).strip().lower(): c for c in frame.columns}
    name = next((lower[n] for n in SUMMARY_NAMES if n in lower), None)
    if name is None:
        raise ResultsError(f"{path}: a score summary needs a model column ({', '.join(SUMMARY_NAMES)})")
    table = pd.DataFrame(index=frame[name].astype(str).str.strip())
    for low, column in lower.items():
        if low in SUMMARY_SCORES and SUMMARY_SCORES[low] not in table.columns:
            table[SUMMARY_SCORES[low]] = pd.to_numeric(frame[column], errors="coerce").to_numpy()
    table = table.reindex(columns=[CLEMSCORE_COL, AVG_PLAYED_COL, AVG_QUALITY_COL])
    table = table[~table.index.duplicated(keep="first")]
    table.index.name = None
    return table.astype(float)


def load_scores(paths: Iterable[Path]) -> Scores:
    """Load and combine several sources; a model given twice keeps its first source (listed in duplicates)."""
    combined: Scores | None = None
    for path in paths:
        part = load_source(Path(path))
        if combined is None:
            combined = part
            continue
        # the same model from two sources (e.g. a pair directory and a plain model name) keeps the first
        have = {model_key(m) for m in combined.table.index}
        new = [m for m in part.table.index if model_key(m) not in have]
        combined.duplicates += [m for m in part.table.index if model_key(m) in have]
        table = pd.concat([combined.table, part.table.loc[new]])
        combined.table = table.reindex(columns=_column_order(table.columns))
        if part.raw is not None:
            extra = part.raw[part.raw["model"].isin(new)]
            combined.raw = extra if combined.raw is None else pd.concat([combined.raw, extra], ignore_index=True)
        for attr in ("roots", "runs", "sources"):
            getattr(combined, attr).update({m: v for m, v in getattr(part, attr).items() if m in new})
    if combined is None:
        raise ResultsError("no results given")
    return combined


def _column_order(columns: Iterable[str]) -> list[str]:
    """Overall columns first, then per game (alphabetical) % Played, Quality Score, Quality Score (std)."""
    columns = list(columns)
    head = [c for c in columns if is_overall_col(c)]
    rest = [c for c in columns if c not in head]
    kind = {PCT_PLAYED: 0, QUALITY: 1, QUALITY_STD: 2}
    rest.sort(key=lambda c: (c.split(", ", 1)[0], kind.get(c.split(", ", 1)[-1], 3), c))
    return head + rest


def registry_characteristics() -> pd.DataFrame:
    """Characteristics from parlour's model registry files (built-in and the user's models.yaml files)."""
    try:
        from parlour.models.registry import registry_files
    except ImportError:  # the analysis works without the models package
        return load_characteristics([])
    frames = []
    for path in registry_files():
        try:
            frames.append(load_characteristics([path]))
        except ResultsError:
            continue  # a broken registry file is the models commands' business, not the analysis'
    return normalise(pd.concat(frames, ignore_index=True)) if frames else load_characteristics([])


def shipped_characteristics() -> pd.DataFrame:
    """parlour's own characteristics of the clembench v1.6 models (parlour/models/characteristics.yaml)."""
    from parlour.models.characteristics import load_characteristics as shipped

    return normalise(pd.DataFrame([{k: v for k, v in row.items() if k != "estimated"} for row in shipped()]))


def load_joined(results: Iterable[Path], models: Iterable[Path] = (), registry: bool = True) -> tuple[Scores, Joined]:
    """Scores of all sources joined with model characteristics. Sources in order of precedence: the given
    files, the run.json files of the results, (with `registry`) parlour's model registry, and, only when
    no file is given, parlour's shipped characteristics. Only the given files' unmatched names are reported."""
    scores = load_scores(results)
    models = list(models)
    given = load_characteristics(models)
    parts = [given]
    if scores.runs:
        parts.append(from_runs(scores.runs))
    if registry:
        parts.append(registry_characteristics())
    if not models:
        parts.append(shipped_characteristics())
    # a column no part fills takes no part in the columns' types (pandas 2 and 3 differ there): it is added back empty
    columns = list(dict.fromkeys(c for p in parts for c in p.columns))
    filled = [p.dropna(axis=1, how="all") for p in parts if not p.empty]
    chars = merge_rows(normalise(pd.concat(filled or [given], ignore_index=True).reindex(columns=columns)))
    joined = join(scores.table, chars)
    wanted = set(given["model"])
    joined.unmatched_characteristics = [m for m in joined.unmatched_characteristics if m in wanted]
    return scores, joined
