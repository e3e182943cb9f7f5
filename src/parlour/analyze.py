"""The paper's analyses as library functions returning DataFrames (the `parlour analyze` commands print them).

Each takes the score sources (results folders, raw.csv / results.csv files, or shipped tables such as
`official:v1.6`) and optional characteristics files; the shipped characteristics and parlour's model
registry are always joined in as well.

    import parlour.analyze as pa
    fit = pa.regression(["official:v1.6-later68"], characteristics=["official:characteristics"])
    print(fit.summary_line())
    table = pa.backends(["results"])

Each function runs one entry of the analysis registry (parlour.analysis.registry); `run_analysis` runs any
entry by name with any of its options, and returns its Outcome (`.table`, `.result`, `.payload()`,
`.draw(path)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from parlour.analysis.characteristics import Joined
from parlour.analysis.groups import DEFAULT_EDGES
from parlour.analysis.loading import Scores, load_joined
from parlour.analysis.registry import run_analysis
from parlour.analysis.regression import RegressionResult

Sources = Sequence[str | Path]


def load(results: Sources, characteristics: Sources = ()) -> tuple[Scores, Joined]:
    """The score matrix of `results` and its join with model characteristics (`.frame`: one row per model)."""
    return load_joined([Path(str(r)) for r in results], [Path(str(c)) for c in characteristics])


def scores(results: Sources, characteristics: Sources = ()) -> pd.DataFrame:
    """One row per model: clemscore, % played, quality, per-game columns and the joined characteristics."""
    return load(results, characteristics)[1].frame


def regression(
    results: Sources, characteristics: Sources = (), target: str = "clemscore", tokens: bool = False
) -> RegressionResult:
    """OLS of `target` on ln(parameters) [+ ln(training tokens)]: F, p, R², coefficients, influence."""
    return run_analysis("regression", results, characteristics, target=target, tokens=tokens).result


def brackets(results: Sources, characteristics: Sources = (), edges: Sequence[float] = DEFAULT_EDGES) -> pd.DataFrame:
    """The spread of clemscore within parameter-size brackets."""
    return run_analysis("brackets", results, characteristics, edges=edges).result


def families(results: Sources, characteristics: Sources = ()) -> pd.DataFrame:
    """Models sharing a base model (the paper's Table 4)."""
    return run_analysis("families", results, characteristics).result


def backends(results: Sources, characteristics: Sources = (), reference: str | None = None) -> pd.DataFrame:
    """The same weights through different access methods, differences against a reference backend."""
    return run_analysis("backends", results, characteristics, reference=reference).result


def quantization(results: Sources, characteristics: Sources = (), reference: str | None = None) -> pd.DataFrame:
    """The same weights at different quantization levels, differences against the unquantised row."""
    return run_analysis("quantization", results, characteristics, reference=reference).result


def divergence(results: Sources, characteristics: Sources = (), per_game: bool = False) -> pd.DataFrame:
    """Specs sharing weights on the same instances: % identical first replies and transcripts, the first
    differing turn, and the score difference on the episodes that diverged."""
    return run_analysis("divergence", results, characteristics, per_game=per_game).result


def placement(results: Sources, characteristics: Sources = (), compare: str | None = None) -> pd.DataFrame:
    """Your models among the official leaderboard `compare` (default: the one of the clembench version they
    played): rank, predicted clemscore for their size, residual."""
    return run_analysis("placement", results, characteristics, compare=compare).result
