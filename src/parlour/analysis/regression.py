"""OLS of a score on ln(parameters) and optionally ln(training tokens) (the paper's §4, Figure 3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from parlour.analysis.matrix import resolve_target
from parlour.errors import ResultsError

Sample = Literal["nested", "available"]


@dataclass
class RegressionResult:
    """The statistics of one fit, the models it used, and each model's leave-one-out influence."""

    target: str
    predictors: list[str]
    sample: str
    n: int
    f: float
    df_model: int
    df_resid: int
    p: float
    r2: float
    r2_adj: float
    coef: pd.DataFrame  # index = term; estimate, se, t, p, ci_low, ci_high
    models: list[str]
    data: pd.DataFrame  # the rows used: y, ln_params[, ln_tokens], params_b, train_tokens_t
    influence: pd.DataFrame = field(default_factory=pd.DataFrame)  # model, r2_without, delta_r2, cooks_d
    fit: object = None  # the statsmodels results object (for prediction bands in figures)

    def to_dict(self) -> dict:
        """JSON-ready statistics (keys n, f, df_model, df_resid, p, r2, r2_adj, coef, models, ...)."""
        return {
            "target": self.target,
            "predictors": self.predictors,
            "sample": self.sample,
            "n": self.n,
            "f": self.f,
            "df_model": self.df_model,
            "df_resid": self.df_resid,
            "p": self.p,
            "r2": self.r2,
            "r2_adj": self.r2_adj,
            "coef": {term: row.to_dict() for term, row in self.coef.iterrows()},
            "models": self.models,
            "influence": self.influence.to_dict(orient="records"),
        }

    def summary_line(self) -> str:
        """The paper's way of reporting a fit: F(df_model, df_resid) = F, p, R²."""
        return (
            f"{self.target} ~ {' + '.join(self.predictors)}: n = {self.n}, "
            f"F({self.df_model}, {self.df_resid}) = {self.f:.2f}, p = {self.p:.2g}, "
            f"R² = {self.r2:.3f}, adj. R² = {self.r2_adj:.3f}"
        )


def _ols(data: pd.DataFrame, predictors: list[str]):  # noqa: ANN202 - statsmodels results type
    import statsmodels.api as sm  # imported here: it is slow to import and only this needs it

    exog = sm.add_constant(data[predictors], has_constant="add")
    return sm.OLS(data["y"], exog).fit()


def regression_data(
    frame: pd.DataFrame, target: str = "clemscore", tokens: bool = False, sample: Sample = "nested"
) -> tuple[pd.DataFrame, list[str]]:
    """The rows and predictor names a regression uses.

    `sample="nested"` keeps the rows that have the target, parameters and training tokens, so that the
    fits with and without tokens use the same models and their R² compare (as in the paper); when no row
    has a token count it falls back to the rows with parameters. `sample="available"` keeps the rows
    with this fit's own predictors.
    """
    y = resolve_target(frame, target)
    params = pd.to_numeric(frame.get("params_b"), errors="coerce") if "params_b" in frame else None
    if params is None or not (params > 0).any():
        raise ResultsError("no model has a parameter count (params_b); give a model characteristics table")
    toks = pd.to_numeric(frame["train_tokens_t"], errors="coerce") if "train_tokens_t" in frame else None
    has_tokens = toks is not None and bool((toks > 0).any())
    if tokens and not has_tokens:
        raise ResultsError("no model has a training-token count (train_tokens_t); cannot add ln(tokens)")
    data = pd.DataFrame({"y": y, "params_b": params}, index=frame.index)
    data["ln_params"] = np.log(params.where(params > 0))
    predictors = ["ln_params"]
    if has_tokens:
        data["train_tokens_t"] = toks
        data["ln_tokens"] = np.log(toks.where(toks > 0))
    if tokens:
        predictors.append("ln_tokens")
    needed = ["y", *predictors]
    if sample == "nested" and has_tokens:
        needed = sorted(set(needed) | {"ln_tokens"})
    data = data.dropna(subset=needed)
    return data, predictors


def regression(
    frame: pd.DataFrame,
    target: str = "clemscore",
    tokens: bool = False,
    sample: Sample = "nested",
    level: float = 0.95,
) -> RegressionResult:
    """Fit `target ~ ln(params_b) [+ ln(train_tokens_t)]` by OLS on a joined score/characteristics frame."""
    data, predictors = regression_data(frame, target, tokens, sample)
    if len(data) < len(predictors) + 2:
        raise ResultsError(f"only {len(data)} models have {target} and {' and '.join(predictors)}; too few to fit")
    fit = _ols(data, predictors)
    ci = fit.conf_int(alpha=1 - level)
    coef = pd.DataFrame(
        {
            "estimate": fit.params,
            "se": fit.bse,
            "t": fit.tvalues,
            "p": fit.pvalues,
            "ci_low": ci[0],
            "ci_high": ci[1],
        }
    )
    return RegressionResult(
        target=target,
        predictors=predictors,
        sample=sample,
        n=int(fit.nobs),
        f=float(fit.fvalue),
        df_model=int(round(fit.df_model)),
        df_resid=int(round(fit.df_resid)),
        p=float(fit.f_pvalue),
        r2=float(fit.rsquared),
        r2_adj=float(fit.rsquared_adj),
        coef=coef,
        models=list(data.index),
        data=data,
        influence=_influence(data, predictors, float(fit.rsquared), fit),
        fit=fit,
    )


def _influence(data: pd.DataFrame, predictors: list[str], r2: float, fit: object) -> pd.DataFrame:
    """R² with each model left out, its change, and Cook's distance; most influential first."""
    cooks = fit.get_influence().cooks_distance[0]  # type: ignore[attr-defined]
    rows = []
    for i, model in enumerate(data.index):
        rest = data.drop(index=model)
        r2_without = float(_ols(rest, predictors).rsquared) if len(rest) > len(predictors) + 1 else float("nan")
        rows.append({"model": model, "r2_without": r2_without, "delta_r2": r2_without - r2, "cooks_d": cooks[i]})
    out = pd.DataFrame(rows)
    return out.reindex(out["delta_r2"].abs().sort_values(ascending=False).index).reset_index(drop=True)
