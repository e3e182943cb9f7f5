"""parlour's aggregation against clemcore's own (clemeval.py of the `clem` extra, the code that made the official
v2.0 table): the same scores.json files, clembench 2.0's 14 games and a 1.6 pair, give the same results table,
cell for cell. Skipped, saying so, where the extra is not installed."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parlour.data.benchmarks import CLEMBENCH_1_6, CLEMBENCH_2_0, GAMES
from parlour.scoring.evaluate import evaluate


def _results(root: Path, seed: int = 7) -> Path:
    """Three pairs (two on the 14 games of 2.0, one on the 7 of 1.6), with aborted episodes (Main Score NaN,
    as clemcore's scorers write it), a game where every episode aborted, and a game a pair never played."""
    rng = random.Random(seed)
    plan = {"a-t0.0--a-t0.0": GAMES[CLEMBENCH_2_0], "b-t0.0--c-t0.0": GAMES[CLEMBENCH_2_0][:-1]}
    plan["d-t0.0--d-t0.0"] = GAMES[CLEMBENCH_1_6]
    for pair, games in plan.items():
        for game in games:
            for experiment in ("0_one", "1_two"):
                for n in range(rng.randint(1, 6)):
                    aborted = game == "codenames" and pair.startswith("a") or rng.random() < 0.3
                    main = float("nan") if aborted else round(rng.uniform(0, 100), 3) * rng.choice((1, 1, 0))
                    scores = {"Aborted": int(aborted), "Lose": int(not aborted and main == 0), "Main Score": main}
                    scores["Success"] = int(not aborted and main > 0)
                    if game == "codenames":  # as its scorer does: descriptive scores, as text
                        scores |= {"experiment name": experiment[2:], "experiment variable": "Risk"}
                    folder = root / pair / game / experiment / f"episode_{n}"
                    folder.mkdir(parents=True)
                    (folder / "scores.json").write_text(json.dumps({"turn scores": {}, "episode scores": scores}))
    return root


def test_parlour_eval_gives_clemevals_table(tmp_path: Path) -> None:
    from parlour.clembench.games import require_clemcore
    from parlour.errors import ClembenchError

    try:
        require_clemcore()  # as parlour imports it: clemcore's logging set-up would silence this process's logs
    except ClembenchError:
        pytest.skip("clemcore (the clem extra) is not installed")
    from clemcore import clemeval

    results = _results(tmp_path / "results")
    theirs = clemeval.perform_evaluation(str(results), return_dataframe=True)
    ours = evaluate(results, n_boot=10, workers=1).results
    assert sorted(ours.index) == sorted(theirs.index)
    assert sorted(ours.columns) == sorted(theirs.columns)
    theirs = theirs.loc[ours.index, ours.columns].astype(float)
    theirs.index = theirs.index.astype(object)  # the index's string dtype is pandas' choice, not a score
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True, check_names=False)
    assert np.isnan(ours.loc["a-t0.0--a-t0.0", "codenames, Quality Score"])  # every episode aborted
