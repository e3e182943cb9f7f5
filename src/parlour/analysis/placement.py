"""Your models on the official leaderboard: one table with the official rows, and where each of your
models sits against what its size predicts (the paper's clemscore ~ ln(parameters) over the official models).

The fit uses the official models only, so your rows are placed against it without moving it. Parameter
counts of the official models come from the shipped characteristics: the authors' table
(`official:characteristics`) first, parlour's `characteristics.yaml` for the models it lacks. Your models'
come from your characteristics files, run.json and the model registry, else from the same shipped tables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from parlour import store
from parlour.analysis.characteristics import join, load_characteristics, model_key
from parlour.analysis.loading import Scores, load_joined, load_source
from parlour.analysis.matrix import overall
from parlour.analysis.regression import RegressionResult, regression
from parlour.data import (
    DEFAULT_COMPARISON,
    PREFIX,
    instance_digest,
    official_instance_differences,
    official_instance_digests,
    official_instance_hashes,
    official_path,
    table_version,
)
from parlour.data.benchmarks import OFFICIAL_TABLE, VERSION, benchmark_of, recorded_benchmark
from parlour.errors import ResultsError
from parlour.scoring.clemscore import games_of, played_col

# which instances a row was played on, from its episodes' instance.json against the official instances
OFFICIAL_SET, OTHER_SET, UNKNOWN_SET = "official", "other instances", "instance set unknown"


def instance_sets_note(comparison: str = DEFAULT_COMPARISON) -> str:
    """What the marks of the instance sets mean, for a placement on the official table `comparison`."""
    version = comparison.removeprefix(PREFIX)
    return (
        f"A row is 'official' only when it played every official {version} instance of every game it is placed "
        "on. Rows marked 'other instances' were played on other instances than the official ones (other prompts, "
        "target words and grids), so their rank and residual compare different tests, not only different models; "
        "rows marked 'n of N official episodes' played part of the official instances (the experiments named), "
        "so their clemscore stands on fewer or other episodes than the official rows'; rows marked 'instance set "
        "unknown' have nothing to check their instances by (a table given without its episodes, or a run.json "
        "recorded before parlour kept instance hashes)."
    )


MAX_NAMED_EXPERIMENTS = 4
SAME_SCORE = 0.005  # a row of yours with an official model's name and clemscore is that official row


def shipped_characteristics() -> pd.DataFrame:
    """The characteristics shipped with parlour: the authors' table, then characteristics.yaml for the rest."""
    curated = Path(str(resources.files("parlour.models") / "characteristics.yaml"))
    return load_characteristics([official_path("characteristics"), curated])


def official_frame(comparison: str = DEFAULT_COMPARISON) -> pd.DataFrame:
    """The official table `official:NAME` (or just NAME) joined with the shipped characteristics."""
    return join(load_source(official_path(comparison)).table, shipped_characteristics()).frame


@dataclass
class Placement:
    """The official fit, the combined leaderboard and, per model of yours, predicted vs actual clemscore."""

    comparison: str
    fit: RegressionResult  # clemscore ~ ln(params_b) over the official models with a parameter count
    table: pd.DataFrame  # rank, pair, official, clemscore, played, quality, params_b, predicted, residual
    yours: pd.DataFrame  # pair, params_b, clemscore, predicted, band/interval bounds, residual, position
    level: float = 0.95
    already_official: list[str] = field(default_factory=list)  # rows of yours that are official rows
    other_benchmark: list[str] = field(default_factory=list)  # rows of yours that played another benchmark
    #: game -> how the instance file parlour plays differs from the official runs', for games of your rows
    instance_differences: dict[str, str] = field(default_factory=dict)

    @property
    def off_official_instances(self) -> bool:
        """Whether some row of yours was not (or not knowably) played on the official instances."""
        return bool((self.table["instances"] != OFFICIAL_SET).any())

    @property
    def instance_note(self) -> str:
        """The note on instance sets for this placement ('' when every row of yours is on the official set)."""
        notes = [instance_sets_note(self.comparison)] if self.off_official_instances else []
        if self.other_benchmark:
            version = table_version(self.comparison)
            tables = sorted(t for b, t in OFFICIAL_TABLE.items() if VERSION[b] != version)
            names = [model_key(p) for p in self.other_benchmark]
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            notes.append(
                f"{shown} played another clembench version than "
                f"{self.comparison} (other games and rules): place them on {' or '.join(tables)}."
            )
        notes += [f"{game}: {text}." for game, text in self.instance_differences.items()]
        return " ".join(notes)

    def summary_line(self) -> str:
        """How the fit over the official models reads, in the paper's terms."""
        return f"{self.comparison}: {self.fit.summary_line()}"


def predict(fit: RegressionResult, params_b: pd.Series, level: float = 0.95) -> pd.DataFrame:
    """The fit's clemscore for these sizes: predicted (the line), band_low/high (its confidence band) and
    pi_low/high (the prediction interval of a single model of that size). NaN where the size is unknown."""
    if fit.predictors != ["ln_params"]:
        raise ResultsError("placement needs a fit on ln(params) alone")
    known = params_b[pd.to_numeric(params_b, errors="coerce") > 0].astype(float)
    out = pd.DataFrame(
        np.nan, index=params_b.index, columns=["predicted", "band_low", "band_high", "pi_low", "pi_high"]
    )
    if known.empty:
        return out
    exog = pd.DataFrame({"const": 1.0, "ln_params": np.log(known.to_numpy())})
    frame = fit.fit.get_prediction(exog).summary_frame(alpha=1 - level)  # type: ignore[attr-defined]
    values = frame[["mean", "mean_ci_lower", "mean_ci_upper", "obs_ci_lower", "obs_ci_upper"]].to_numpy()
    out.loc[known.index, list(out.columns)] = values
    # a clemscore lies in [0, 100]: a line extrapolated beyond that predicts nothing, and bounds are clipped
    out.loc[~out["predicted"].between(0.0, 100.0)] = np.nan
    return out.clip(lower=0.0, upper=100.0)


def instance_file_set(run: Mapping | None, comparison: str = DEFAULT_COMPARISON) -> str:
    """By files, where parlour ships no per-instance digests for the table (v2.0): OFFICIAL_SET when every
    instances file a run.json records is the file of its game that the official table `comparison` was played
    on, OTHER_SET when one differs, UNKNOWN_SET when the run.json records none."""
    recorded: dict[str, set[str]] = {}
    for entry in (run or {}).get("runs", []) if isinstance(run, Mapping) else []:
        files = entry.get("instance_files") if isinstance(entry, Mapping) else None
        for game, info in (files or {}).items():
            if isinstance(info, Mapping):
                recorded.setdefault(game, set()).add(str(info.get("sha256")))
    if not recorded:
        return UNKNOWN_SET
    official = official_instance_hashes(comparison)
    same = all(hashes == {official.get(game)} for game, hashes in recorded.items())
    return OFFICIAL_SET if same else OTHER_SET


def instance_set(
    episodes: pd.DataFrame | None, folder: Path | None, official: Mapping[str, Mapping[str, list[str]]]
) -> str:
    """What a row of yours played, from its counted `episodes` (raw-table rows: game, experiment, episode)
    under `folder` (its pair's results folder), against the `official` instance digests (game -> experiment
    folder -> digests): OFFICIAL_SET when their instance.json files hold every official instance of every
    game among them, OTHER_SET when none is official, else "n of N official episodes" with the experiments
    played; UNKNOWN_SET without episodes to look at."""
    if episodes is None or folder is None or episodes.empty:
        return UNKNOWN_SET
    played: set[tuple[str, str, str]] = set()  # (game, experiment folder, instance digest)
    other = 0
    for game, experiment, episode in episodes[["game", "experiment", "episode"]].drop_duplicates().to_numpy():
        digests = official.get(game, {}).get(experiment, [])
        try:
            digest = instance_digest(store.read_json(folder / game / experiment / episode / store.INSTANCE))
        except ResultsError:
            digest = None  # no instance.json to tell: not known to be official
        if digest in digests:
            played.add((game, experiment, digest))
        else:
            other += 1
    total = sum(len(digests) for game in set(episodes["game"]) for digests in official.get(game, {}).values())
    if not other and len(played) == total:
        return OFFICIAL_SET
    if not played:
        return OTHER_SET
    named = sorted({f"{game}/{experiment}" for game, experiment, _ in played})
    more = ", ..." if len(named) > MAX_NAMED_EXPERIMENTS else ""
    text = f"{len(played)} of {total} official episodes ({', '.join(named[:MAX_NAMED_EXPERIMENTS])}{more})"
    return text + (f", {other} on other instances" if other else "")


def row_benchmarks(yours: pd.DataFrame, runs: Mapping[str, Mapping] | None = None) -> dict[str, str]:
    """pair -> the clembench version each row of `yours` (a score table, rows = pairs) played: by its run.json
    in `runs`, else by the games it has scores for; rows that say nothing (no games, no run) are left out."""
    games = games_of(yours)
    found = {}
    for pair in yours.index:
        played = [g for g in games if pd.notna(yours.at[pair, played_col(g)])]
        run = (runs or {}).get(pair)
        if played or recorded_benchmark(run) is not None:
            found[pair] = benchmark_of(run, played)
    return found


def other_benchmark(yours: pd.DataFrame, comparison: str, runs: Mapping[str, Mapping] | None = None) -> list[str]:
    """The rows of `yours` that played another clembench version than the official table `comparison`."""
    version = table_version(comparison)
    if version not in VERSION.values():
        return []  # a table of the paper's, not a leaderboard of one version
    return [pair for pair, played in row_benchmarks(yours, runs).items() if VERSION[played] != version]


def default_comparison(yours: pd.DataFrame, runs: Mapping[str, Mapping] | None = None) -> tuple[str, str | None]:
    """The official table to place `yours` on when none is named, and a note when that choice needs one: the
    leaderboard of the clembench version every row played (DEFAULT_COMPARISON when nothing says); for rows
    of several versions, DEFAULT_COMPARISON and a note naming the others' table."""
    played = row_benchmarks(yours, runs)
    versions = set(played.values())
    if len(versions) == 1:
        return OFFICIAL_TABLE[versions.pop()], None
    if not versions:
        return DEFAULT_COMPARISON, None
    others = sorted(p for p, b in played.items() if OFFICIAL_TABLE[b] != DEFAULT_COMPARISON)
    tables = sorted({OFFICIAL_TABLE[played[p]] for p in others})
    shown = ", ".join(map(model_key, others[:3])) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return DEFAULT_COMPARISON, (
        f"these results mix clembench versions ({', '.join(sorted(versions))}): placed on {DEFAULT_COMPARISON}; "
        f"{shown} played another version: name --compare {' or '.join(tables)} to place them"
    )


def _position(actual: float, low: float, high: float) -> str:
    if math.isnan(actual) or math.isnan(low):
        return ""
    if actual > high:
        return "above"
    if actual < low:
        return "below"
    return "within"


def _with_shipped_sizes(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill missing parameter counts of your models from the shipped characteristics."""
    frame = frame.copy()
    if "params_b" not in frame:
        frame["params_b"] = np.nan
    shipped = join(frame[[]], shipped_characteristics()).frame["params_b"]
    frame["params_b"] = pd.to_numeric(frame["params_b"], errors="coerce").fillna(shipped)
    return frame


def _official_twins(yours: pd.DataFrame, official: pd.DataFrame) -> list[str]:
    """Your rows that are an official row (same model key and clemscore), e.g. an official table given as input."""
    scores = {model_key(p): s for p, s in overall(official)["clemscore"].items()}
    mine = overall(yours)["clemscore"]
    return [p for p, s in mine.items() if model_key(p) in scores and abs(scores[model_key(p)] - s) < SAME_SCORE]


def place(
    yours: pd.DataFrame,
    comparison: str = DEFAULT_COMPARISON,
    level: float = 0.95,
    played: Mapping[str, str] | None = None,
    runs: Mapping[str, Mapping] | None = None,
) -> Placement:
    """Place the models of a joined score/characteristics frame among the official table `comparison`;
    `played` (pair -> `played_instances`) says which instances each of your rows was played on, `runs`
    (pair -> run.json) which clembench version."""
    comparison = PREFIX + comparison.removeprefix(PREFIX)
    official = official_frame(comparison)
    fit = regression(official, sample="available", level=level)
    yours = _with_shipped_sizes(yours)
    twins = _official_twins(yours, official)
    yours = yours.drop(index=twins)

    parts = []
    for frame, is_official in ((official, True), (yours, False)):
        part = overall(frame)
        part["params_b"] = pd.to_numeric(frame["params_b"], errors="coerce") if "params_b" in frame else np.nan
        part = part.join(predict(fit, part["params_b"], level))
        part["residual"] = part["clemscore"] - part["predicted"]
        part["position"] = [_position(*v) for v in part[["clemscore", "pi_low", "pi_high"]].to_numpy()]
        part["official"] = is_official
        part["instances"] = [OFFICIAL_SET if is_official else (played or {}).get(p, UNKNOWN_SET) for p in part.index]
        parts.append(part.reset_index(names="pair"))
    # stable: at equal clemscore the official rows keep the better rank
    table = pd.concat(parts, ignore_index=True).sort_values(
        "clemscore", ascending=False, na_position="last", kind="stable"
    )
    # a row with no clemscore (no episode played) has no rank: it is not last, it is not comparable
    ranked = table["clemscore"].notna().to_numpy()
    table.insert(0, "rank", pd.array(np.where(ranked, np.cumsum(ranked), 0), dtype="Int64"))
    table.loc[~ranked, "rank"] = pd.NA
    table = table.reset_index(drop=True)

    low, high = fit.data["params_b"].min(), fit.data["params_b"].max()
    mine = table[~table["official"]].drop(columns=["official"]).copy()
    mine["extrapolated"] = (mine["params_b"] < low) | (mine["params_b"] > high)
    columns = ["rank", "pair", "params_b", "clemscore", "predicted", "residual", "position"]
    columns += ["band_low", "band_high", "pi_low", "pi_high", "extrapolated", "played", "quality", "instances"]
    shown = ["rank", "pair", "official", "instances", "clemscore", "played", "quality", "params_b", "predicted"]
    shown += ["residual"]
    others = other_benchmark(yours, comparison, runs)
    played = [g for g in games_of(yours) if yours[played_col(g)].notna().any()]
    differences = {g: t for g, t in official_instance_differences(comparison).items() if g in played}
    mine = mine[columns].reset_index(drop=True)
    return Placement(comparison, fit, table[shown], mine, level, twins, others, differences)


def place_results(
    results: Sequence[Path], models: Sequence[Path] = (), comparison: str = DEFAULT_COMPARISON, level: float = 0.95
) -> Placement:
    """Load your results (folders or tables) and characteristics, and place them among `comparison`."""
    scores, joined = load_joined(list(results), list(models))
    return place(joined.frame, comparison, level, played_instances(scores, comparison), scores.runs)


def played_instances(scores: Scores, comparison: str = DEFAULT_COMPARISON) -> dict[str, str]:
    """pair -> the instance set each pair of `scores` played, for a placement on `comparison`: by its counted
    episodes' instance.json where parlour ships the table's instance digests, else by its run.json's files."""
    official = official_instance_digests(comparison)
    if not official:
        return {pair: instance_file_set(scores.runs.get(pair), comparison) for pair in scores.models}
    raw = scores.raw
    by_pair = dict(tuple(raw.groupby("model"))) if raw is not None and not raw.empty else {}
    return {
        pair: instance_set(by_pair.get(pair), scores.roots[pair] / pair if pair in scores.roots else None, official)
        for pair in scores.models
    }
