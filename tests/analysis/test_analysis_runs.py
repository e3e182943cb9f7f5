"""Analyses on results folders of ours: scores.json / raw.csv loading, run.json, paired backend tests."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from parlour.analysis.loading import load_joined, load_scores, raw_from_episodes
from parlour.cli.analyze import analyze_app
from parlour.scoring.clemscore import aggregate

GAMES = ("taboo", "wordle")


def write_results(root: Path, pair: str, p_abort: float, seed: int, run: dict | None = None) -> None:
    """A pair folder with 2 games x 2 experiments x 15 episodes of scores.json (clembench layout)."""
    rng = np.random.default_rng(seed)
    for game in GAMES:
        for i, exp in enumerate(("high", "low")):
            for n in range(15):
                folder = root / pair / game / f"{i}_{exp}" / f"episode_{n}"
                folder.mkdir(parents=True)
                aborted = int(rng.random() < p_abort)
                main = None if aborted else float(rng.integers(0, 101))
                scores = {"Aborted": aborted, "Success": 1 - aborted, "Lose": 0, "Main Score": main}
                # clembench writes NaN as a bare token
                text = json.dumps({"turn scores": {}, "episode scores": scores}).replace("null", "NaN")
                (folder / "scores.json").write_text(text)
    if run is not None:
        (root / pair / "run.json").write_text(json.dumps(run))


def _two_backends(root: Path) -> None:
    spec = {"weights": "SmolLM2-135M-Instruct", "spec_hash": "x"}
    write_results(
        root, "smol-hf-t0.0--smol-hf-t0.0", 0.1, 1, {"models": [{"name": "smol-hf", "backend": "huggingface", **spec}]}
    )
    write_results(
        root, "smol-cpp-t0.0--smol-cpp-t0.0", 0.7, 2, {"models": [{"name": "smol-cpp", "backend": "llamacpp", **spec}]}
    )


def test_scores_json_tree_gives_raw_and_table(tmp_path: Path) -> None:
    _two_backends(tmp_path)
    raw = raw_from_episodes(tmp_path)
    assert set(raw.columns) == {"game", "model", "experiment", "episode", "metric", "value"}
    played = raw[raw.metric == "Played"]
    assert len(played) == 2 * 2 * 2 * 15
    assert np.isnan(raw[(raw.metric == "Main Score")]["value"]).any()  # bare NaN tokens are read
    scores = load_scores([tmp_path])
    pd.testing.assert_frame_equal(scores.table, aggregate(raw))
    assert set(scores.runs) == {"smol-hf-t0.0--smol-hf-t0.0", "smol-cpp-t0.0--smol-cpp-t0.0"}
    # a raw.csv written next to the episodes is preferred and gives the same table
    raw.to_csv(tmp_path / "raw.csv", index=False)
    pd.testing.assert_frame_equal(load_scores([tmp_path / "raw.csv"]).table, scores.table)


def test_run_json_feeds_the_backend_comparison(tmp_path: Path) -> None:
    _two_backends(tmp_path)
    scores, joined = load_joined([tmp_path])
    assert joined.frame.loc["smol-cpp-t0.0--smol-cpp-t0.0", "backend"] == "llamacpp"
    out = tmp_path / "backends.json"
    res = CliRunner().invoke(
        analyze_app,
        ["backends", "-r", str(tmp_path), "--n-boot", "300", "--json", str(out), "--figure", str(tmp_path / "b.png")],
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(out.read_text())
    refs = [r for r in payload["table"] if r["is_reference"]]
    assert [r["backend"] for r in refs] == ["huggingface"]
    tests = pd.DataFrame(payload["paired_tests"])
    played = tests[(tests.game == "all") & (tests.metric == "% Played")].iloc[0]
    assert played.model_a == "smol-cpp-t0.0--smol-cpp-t0.0" and played.n_shared == 60
    assert played["diff"] < -40 and played.ci_high < 0 and played.p < 0.01
    assert (tmp_path / "b.png").stat().st_size > 1000


def test_profile_cli_adds_cis_and_figures(tmp_path: Path) -> None:
    _two_backends(tmp_path)
    out = tmp_path / "profile.json"
    fig = tmp_path / "profile"
    res = CliRunner().invoke(
        analyze_app, ["profile", "-r", str(tmp_path), "--model", "smol-hf", "--json", str(out), "--figure", str(fig)]
    )
    assert res.exit_code == 0, res.output
    rows = pd.DataFrame(json.loads(out.read_text())["profile"])
    assert set(rows.game) == {"all", *GAMES}
    assert {"played_ci_low", "played_ci_high", "quality_ci_low", "quality_ci_high"} <= set(rows.columns)
    assert (rows.played_ci_low <= rows.played).all() and (rows.played <= rows.played_ci_high).all()
    assert fig.with_suffix(".png").is_file() and fig.with_suffix(".svg").is_file()


def test_brackets_and_families_cli_write_csv(tmp_path: Path) -> None:
    args = ["-r", "official:v1.6-later68", "-c", "official:characteristics", "--csv", str(tmp_path / "b.csv")]
    res = CliRunner().invoke(analyze_app, ["brackets", *args, "--figure", str(tmp_path / "b.png")])
    assert res.exit_code == 0, res.output
    assert pd.read_csv(tmp_path / "b.csv")["n"].sum() == 39
    args = ["-r", "official:v1.6-later68", "-c", "official:table4", "--csv", str(tmp_path / "f.csv")]
    res = CliRunner().invoke(analyze_app, ["families", *args])
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(tmp_path / "f.csv")) == 15


def test_registry_groups_backends_and_quantizations(tmp_path: Path) -> None:
    registry = Path(__file__).resolve().parents[2] / "src" / "parlour" / "models" / "registry.yaml"
    for i, name in enumerate(["smollm2-135m", "smollm2-135m-hf", "smollm2-135m-server", "smollm2-135m-q8_0"]):
        write_results(tmp_path, f"{name}-t0.0--{name}-t0.0", 0.2 + 0.1 * i, i)
    scores, joined = load_joined([tmp_path], [registry])
    assert joined.unmatched_scores == []
    from parlour.analysis.groups import precision, variants

    table, _ = variants(joined.frame, "backend")
    assert set(table["backend"]) == {"llamacpp", "huggingface", "llamacpp_server"}  # Q8_0 is another precision
    assert table.loc[table.is_reference, "backend"].tolist() == ["huggingface"]
    quant, _ = variants(joined.frame, "quantization", reference="Q4_1")
    assert set(quant["quantization"]) == {"Q4_1", "Q8_0 from Q4_1"}  # the registry's Q8_0 is made from Q4_1
    assert precision("Q8_0 from Q4_1") == 8
    assert [precision(q) for q in ("Q8_0", "GGUF Q4_K_M", "bf16", None, "safetensors (unquantised)")] == [
        8,
        4,
        16,
        32,
        32,
    ]


def test_characteristics_from_several_files_merge_field_by_field(tmp_path: Path) -> None:
    from parlour.analysis.characteristics import load_characteristics

    (tmp_path / "a.csv").write_text("model,params_b\nfoo,7\n")
    (tmp_path / "b.csv").write_text("model,params_b,quantization\nfoo,8,Q8_0\nbar,1,\n")
    chars = load_characteristics([tmp_path / "a.csv", tmp_path / "b.csv"]).set_index("key")
    assert chars.loc["foo", "params_b"] == 7  # the first file wins where both say something
    assert chars.loc["foo", "quantization"] == "Q8_0"  # and the second fills what the first lacks
    assert chars.loc["bar", "params_b"] == 1


def test_compare_cli_pairs_two_models(tmp_path: Path) -> None:
    _two_backends(tmp_path)
    out = tmp_path / "cmp.csv"
    res = CliRunner().invoke(analyze_app, ["compare", "smol-cpp", "smol-hf", "-r", str(tmp_path), "--csv", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert set(table.game) == {"all", *GAMES}
    overall = table[(table.game == "all") & (table.metric == "% Played")].iloc[0]
    assert overall.value_a < overall.value_b and overall.p < 0.01
    res = CliRunner().invoke(analyze_app, ["compare", "a", "b", "-r", "official:v1.6"])
    assert res.exit_code == 2 and "needs episode scores" in res.output
