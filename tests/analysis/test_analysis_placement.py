"""Your models on the official v1.6 leaderboard: predicted clemscore for the size, actual, residual."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from parlour.analysis.placement import official_frame, place, place_results, shipped_characteristics
from parlour.cli import app
from parlour.scoring.clemscore import AVG_PLAYED_COL, AVG_QUALITY_COL, CLEMSCORE_COL


def _yours(rows: dict[str, tuple[float, float | None]]) -> pd.DataFrame:
    """A joined frame of 'your' models: pair -> (clemscore, params_b)."""
    frame = pd.DataFrame(
        {
            CLEMSCORE_COL: [c for c, _ in rows.values()],
            AVG_PLAYED_COL: [50.0] * len(rows),
            AVG_QUALITY_COL: [2 * c for c, _ in rows.values()],
            "params_b": [np.nan if p is None else p for _, p in rows.values()],
        },
        index=list(rows),
    )
    return frame


def test_official_fit_uses_every_official_model_with_a_size() -> None:
    official = official_frame("official:v1.6")
    assert len(official) == 61
    sized = official[official["params_b"] > 0]
    placement = place(_yours({"mine-t0.0--mine-t0.0": (20.0, 7.0)}))
    assert placement.fit.n == len(sized) > 30  # the authors' table plus characteristics.yaml
    assert placement.fit.predictors == ["ln_params"]


def test_predicted_and_residual_match_statsmodels() -> None:
    official = official_frame("official:v1.6")
    sized = official[official["params_b"] > 0]
    direct = sm.OLS(sized["-, clemscore"], sm.add_constant(np.log(sized["params_b"]))).fit()
    intercept, slope = direct.params.iloc[0], direct.params.iloc[1]

    yours = {"mid-t0.0--mid-t0.0": (1.0, 3.0), "big-t0.0--big-t0.0": (60.0, 70.0)}
    placement = place(_yours({**yours, "small-t0.0--small-t0.0": (1.0, 0.135)}))
    got = placement.yours.set_index("pair")
    for pair, (actual, params) in yours.items():
        predicted = intercept + slope * np.log(params)
        assert got.loc[pair, "predicted"] == pytest.approx(predicted)
        assert got.loc[pair, "residual"] == pytest.approx(actual - predicted)
        frame = direct.get_prediction(np.array([[1.0, np.log(params)]])).summary_frame(alpha=0.05)
        assert got.loc[pair, "band_low"] == pytest.approx(max(frame["mean_ci_lower"].iloc[0], 0.0))  # clipped at 0
        assert got.loc[pair, "pi_high"] == pytest.approx(frame["obs_ci_upper"].iloc[0])
    assert got.loc["mid-t0.0--mid-t0.0", "pi_low"] == 0.0  # the fit's -14.8: no clemscore is below 0
    # at 0.135B the line says -18.5, which no model can score: no prediction, no position
    small = got.loc["small-t0.0--small-t0.0"]
    assert np.isnan(small["predicted"]) and np.isnan(small["residual"]) and small["position"] == ""
    assert bool(small["extrapolated"])  # below the smallest official model
    assert not bool(got.loc["big-t0.0--big-t0.0", "extrapolated"])
    assert got.loc["big-t0.0--big-t0.0", "position"] == "above"  # 60 at 70B is far above the line


def test_combined_table_ranks_official_and_your_rows() -> None:
    placement = place(_yours({"mine-t0.0--mine-t0.0": (99.0, 7.0), "unsized-t0.0--unsized-t0.0": (10.0, None)}))
    table = placement.table
    assert len(table) == 63 and int(table["official"].sum()) == 61
    assert table.iloc[0]["pair"] == "mine-t0.0--mine-t0.0" and table.iloc[0]["rank"] == 1
    assert list(table["clemscore"]) == sorted(table["clemscore"], reverse=True)
    unsized = placement.yours.set_index("pair").loc["unsized-t0.0--unsized-t0.0"]
    assert np.isnan(unsized["predicted"]) and unsized["position"] == ""


def test_sizes_of_known_models_come_from_the_shipped_characteristics() -> None:
    pair = "Meta-Llama-3-8B-Instruct-hf-t0.0--Meta-Llama-3-8B-Instruct-hf-t0.0"
    placement = place(_yours({pair: (25.0, None)}))  # a rerun of an official model, another score
    assert placement.yours.loc[0, "params_b"] == pytest.approx(8.0)
    shipped = shipped_characteristics().set_index("key")
    assert shipped.loc["meta-llama-3-8b-instruct-hf", "params_b"] == pytest.approx(8.0)


def test_official_rows_given_as_input_are_not_repeated() -> None:
    placement = place(official_frame("official:v1.6"))
    assert placement.yours.empty and len(placement.already_official) == 61 and len(placement.table) == 61


def _smollm2_results(root: Path) -> Path:
    """Scores of the embedded default (as `parlour run` writes them), with its run.json."""
    pair = "smollm2-135m-t0.0--smollm2-135m-t0.0"
    for n in range(3):
        folder = root / pair / "taboo" / "0_high_en" / f"episode_{n}"
        folder.mkdir(parents=True)
        scores = {"Aborted": 1, "Success": 0, "Lose": 0, "Main Score": None}
        (folder / "scores.json").write_text(json.dumps({"turn scores": {}, "episode scores": scores}))
    spec = {
        "name": "smollm2-135m",
        "backend": "llamacpp",
        "quantization": "Q4_1",
        "base_model": "SmolLM2-135M-Instruct",
        "characteristics": {"params_b": 0.135, "train_tokens_t": 2.0},
    }
    (root / pair / "run.json").write_text(json.dumps({"models": [spec]}))
    return root


def test_the_embedded_default_is_placed(tmp_path: Path) -> None:
    results = _smollm2_results(tmp_path / "results")
    placement = place_results([results])
    row = placement.yours.iloc[0]
    assert row["pair"].startswith("smollm2-135m") and row["params_b"] == pytest.approx(0.135)
    # no episode played: no clemscore, so no rank and no position against the (negative, unshown) prediction
    assert np.isnan(row["clemscore"]) and np.isnan(row["predicted"]) and row["position"] == ""
    assert bool(row["extrapolated"]) and row["rank"] is pd.NA
    assert placement.table["rank"].max() == len(placement.table) - 1


def test_eval_compare_prints_the_placement(tmp_path: Path) -> None:
    results = _smollm2_results(tmp_path / "results")
    res = CliRunner().invoke(app, ["eval", "-r", str(results), "--n-boot", "10", "--compare", "official:v1.6"],
                             env={"COLUMNS": "250"})  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "your models on official:v1.6" in res.output
    assert "smollm2-135m" in res.output and "predicted" in res.output and "residual" in res.output
    res = CliRunner().invoke(app, ["eval", "-r", str(results), "--n-boot", "10", "--compare", "official:v9"])
    assert res.exit_code != 0 and "unknown official table 'official:v9'" in str(res.exception or res.output)
