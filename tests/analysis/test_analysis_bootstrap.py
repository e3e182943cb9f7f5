"""Bootstrap CIs and paired comparisons over episodes (parlour.scoring.bootstrap)."""

import numpy as np
import pandas as pd
import pytest

from parlour.errors import ResultsError
from parlour.scoring.bootstrap import bootstrap_ci, paired_bootstrap
from parlour.scoring.clemscore import RAW_COLUMNS, aggregate

GAMES = [
    "imagegame",
    "privateshared",
    "referencegame",
    "taboo",
    "wordle",
    "wordle_withclue",
    "wordle_withcritic",
]


def synthetic_raw(models: dict[str, float], n_per_exp: int = 20, seed: int = 1) -> pd.DataFrame:
    """Raw table over 7 games x 3 experiments; each model aborts with the given probability."""
    rng = np.random.default_rng(seed)
    rows = []
    for model, p_abort in models.items():
        for game in GAMES:
            for exp in range(3):
                for ep in range(n_per_exp):
                    aborted = int(rng.random() < p_abort)
                    main = np.nan if aborted else float(rng.integers(0, 101))
                    key = (game, model, f"{exp}_exp", f"episode_{ep}")
                    rows += [(*key, "Aborted", aborted), (*key, "Main Score", main)]
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def test_point_estimates_equal_results_table() -> None:
    raw = synthetic_raw({"a": 0.3, "b": 0.5})
    ci = bootstrap_ci(raw, n_boot=200)
    table = aggregate(raw)
    for model in ("a", "b"):
        row = ci[(ci.model == model) & (ci.game == "all")].set_index("metric")["value"]
        assert row["clemscore"] == table.loc[model, "-, clemscore"]
        assert row["% Played"] == table.loc[model, "all, Average % Played"]
        assert row["Quality Score"] == table.loc[model, "all, Average Quality Score"]
        for game in GAMES:
            sub = ci[(ci.model == model) & (ci.game == game)].set_index("metric")["value"]
            assert sub["% Played"] == table.loc[model, f"{game}, % Played"]
            assert sub["Quality Score"] == table.loc[model, f"{game}, Quality Score"]
    assert set(ci.columns) >= {"model", "game", "metric", "value", "ci_low", "ci_high", "n_episodes"}
    assert (ci.ci_low <= ci.value + 1e-9).all() and (ci.value <= ci.ci_high + 1e-9).all()
    assert ci[(ci.game == "all")].n_episodes.eq(420).all()


def test_interval_width_is_plausible_and_seeded() -> None:
    raw = synthetic_raw({"a": 0.3})
    ci = bootstrap_ci(raw, n_boot=1000, seed=3)
    again = bootstrap_ci(raw, n_boot=1000, seed=3)
    pd.testing.assert_frame_equal(ci, again)
    played = ci[(ci.game == "taboo") & (ci.metric == "% Played")].iloc[0]
    # binomial standard error of a 60-episode proportion near 0.7 is ~5.9 points: 95% width ~23
    width = played.ci_high - played.ci_low
    assert 15 < width < 32
    overall = ci[(ci.game == "all") & (ci.metric == "% Played")].iloc[0]
    assert overall.ci_high - overall.ci_low < width  # averaging over 7 games narrows it


def test_degenerate_data_gives_zero_width_and_nan_quality() -> None:
    rows = []
    for ep in range(5):
        rows += [
            ("taboo", "m", "0_e", f"episode_{ep}", "Aborted", 0),
            ("taboo", "m", "0_e", f"episode_{ep}", "Main Score", 50.0),
        ]
        rows += [
            ("wordle", "m", "0_e", f"episode_{ep}", "Aborted", 1),
            ("wordle", "m", "0_e", f"episode_{ep}", "Main Score", np.nan),
        ]
    ci = bootstrap_ci(pd.DataFrame(rows, columns=RAW_COLUMNS), n_boot=100).set_index(["game", "metric"])
    assert ci.loc[("taboo", "Quality Score"), "ci_low"] == ci.loc[("taboo", "Quality Score"), "ci_high"] == 50.0
    assert np.isnan(ci.loc[("wordle", "Quality Score"), "value"])
    assert np.isnan(ci.loc[("wordle", "Quality Score"), "ci_low"])
    assert ci.loc[("all", "clemscore"), "value"] == 25.0


def test_stratified_by_experiment_agrees_on_points() -> None:
    raw = synthetic_raw({"a": 0.3})
    by_game = bootstrap_ci(raw, n_boot=100)
    by_exp = bootstrap_ci(raw, n_boot=100, strata="experiment")
    pd.testing.assert_series_equal(by_game["value"], by_exp["value"])


def _two_fixed_experiments(model: str = "m", aborted_in: str = "0_first") -> pd.DataFrame:
    """taboo with one experiment always aborted and the other never: nothing varies within an experiment."""
    rows = []
    for experiment in ("0_first", "1_second"):
        aborted = int(experiment == aborted_in)
        for ep in range(20):
            key = ("taboo", model, experiment, f"episode_{ep}")
            rows += [(*key, "Aborted", aborted), (*key, "Main Score", np.nan if aborted else 50.0)]
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def test_stratified_by_experiment_resamples_within_each_experiment() -> None:
    # each replicate keeps 20 episodes of each experiment, so % Played is exactly 50 in every one;
    # resampling across the game mixes the experiments and gives a wide interval
    raw = _two_fixed_experiments()
    by_exp = bootstrap_ci(raw, n_boot=200, strata="experiment").set_index(["game", "metric"])
    by_game = bootstrap_ci(raw, n_boot=200).set_index(["game", "metric"])
    assert by_exp.loc[("taboo", "% Played"), "ci_low"] == by_exp.loc[("taboo", "% Played"), "ci_high"] == 50.0
    assert by_game.loc[("taboo", "% Played"), "ci_high"] - by_game.loc[("taboo", "% Played"), "ci_low"] > 10


def test_paired_stratified_by_experiment_resamples_within_each_experiment() -> None:
    # a aborts every episode of the first experiment, b every one of the second: both play 50%, and
    # within experiments every replicate says so; across the game, the share of each experiment varies
    raw = pd.concat([_two_fixed_experiments("a", "0_first"), _two_fixed_experiments("b", "1_second")])
    by_exp = paired_bootstrap(raw, "a", "b", n_boot=200, strata="experiment").set_index(["game", "metric"])
    by_game = paired_bootstrap(raw, "a", "b", n_boot=200).set_index(["game", "metric"])
    assert by_exp.loc[("taboo", "% Played"), "ci_low"] == by_exp.loc[("taboo", "% Played"), "ci_high"] == 0.0
    assert by_game.loc[("taboo", "% Played"), "ci_high"] - by_game.loc[("taboo", "% Played"), "ci_low"] > 10


def test_paired_identical_models_show_no_difference() -> None:
    raw = synthetic_raw({"a": 0.3})
    twin = raw.assign(model="b")
    result = paired_bootstrap(pd.concat([raw, twin]), "a", "b", n_boot=300)
    assert (result["diff"] == 0).all()
    assert (result["p"] == 1.0).all()
    assert result.iloc[0]["game"] == "all"


def test_paired_detects_a_real_difference_only_on_shared_instances() -> None:
    good = synthetic_raw({"a": 0.1}, seed=5)
    bad = synthetic_raw({"b": 0.6}, seed=5)
    # b also played an extra experiment that a did not: it must be ignored
    extra = bad[bad.experiment == "0_exp"].assign(experiment="9_extra")
    result = paired_bootstrap(pd.concat([good, bad, extra]), "a", "b", n_boot=500, seed=0)
    overall = result[(result.game == "all") & (result.metric == "% Played")].iloc[0]
    assert overall.n_shared == 420
    assert overall["diff"] > 30
    assert overall.ci_low > 0
    assert overall.p < 0.01
    quality = result[(result.game == "all") & (result.metric == "Quality Score")].iloc[0]
    assert quality.ci_low < 0 < quality.ci_high or quality.p > 0.01  # same score distribution


def test_paired_errors_name_the_model() -> None:
    raw = synthetic_raw({"a": 0.3})
    with pytest.raises(ResultsError, match="'zzz'"):
        paired_bootstrap(raw, "a", "zzz")
