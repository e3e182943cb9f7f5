"""`parlour analyze divergence`: transcripts of specs sharing weights, compared on the same instances."""

import json
from pathlib import Path

import pandas as pd
import pytest
from support.cli import parlour, write_registry
from typer.testing import CliRunner

from parlour.analysis.divergence import (
    divergence_episodes,
    divergence_results,
    first_difference,
    replies,
    summarise,
)
from parlour.analysis.loading import load_joined
from parlour.cli.analyze import analyze_app
from parlour.store import write_json

A, B = "w-cpp-t0.0--w-cpp-t0.0", "w-hf-t0.0--w-hf-t0.0"


def _event(sender: str, receiver: str, content: str, kind: str = "get message") -> dict:
    return {"from": sender, "to": receiver, "timestamp": "", "action": {"type": kind, "content": content}}


def _turn(clue: str, guess: str) -> list[dict]:
    return [
        _event("GM", "Player 1", "Describe the word.", "send message"),
        _event("Player 1", "GM", clue),
        _event("GM", "GM", clue.lower(), "valid clue"),
        _event("GM", "Player 2", clue, "send message"),
        _event("Player 2", "GM", guess),
    ]


def _write(root: Path, pair: str, n: int, turns: list[list[dict]], main: float | None, target: str = "duty") -> None:
    folder = root / pair / "taboo" / "0_high_en" / f"episode_{n}"
    write_json(folder / "instance.json", {"game_id": n, "target_word": target}, root)
    write_json(folder / "interactions.json", {"players": {"GM": "gm"}, "turns": turns}, root)
    scores = {"Aborted": int(main is None), "Success": int(main == 100), "Lose": 0, "Main Score": main}
    write_json(folder / "scores.json", {"turn scores": {}, "episode scores": scores}, root)


def _results(root: Path) -> Path:
    """Two backends of the same weights on four taboo instances; a third model with other weights."""
    same = [_turn("CLUE: a task", "GUESS: duty")]
    _write(root, A, 0, same, 100.0)  # identical throughout
    _write(root, B, 0, same, 100.0)
    _write(root, A, 1, [_turn("CLUE: a task", "GUESS: duty")], 100.0)  # differs in the first reply
    _write(root, B, 1, [_turn("CLUE: an obligation", "GUESS: duty")], 100.0)
    first = _turn("CLUE: a task", "GUESS: job")
    _write(root, A, 2, [first, _turn("CLUE: a must", "GUESS: duty")], 100.0)  # differs at turn 1, scores too
    _write(root, B, 2, [first, _turn("CLUE: a must", "GUESS: chore")], None)
    _write(root, A, 3, same, 100.0)  # same folder, another instance: not compared
    _write(root, B, 3, same, 100.0, target="cat")
    _write(root, "other-t0.0--other-t0.0", 0, [_turn("CLUE: x", "GUESS: y")], None)
    for pair, backend, weights in ((A, "llamacpp", "W"), (B, "huggingface", "W"), ("other-t0.0--other-t0.0", "x", "V")):
        spec = {"name": pair.split("-t0.0")[0], "backend": backend, "base_model": weights}
        write_json(root / pair / "run.json", {"models": [spec]}, root)
    return root


def test_replies_and_first_difference() -> None:
    a = replies({"turns": [_turn("CLUE: a", "GUESS: b"), _turn("CLUE: c", "GUESS: d")]})
    assert a == [
        [("Player 1", "CLUE: a"), ("Player 2", "GUESS: b")],
        [("Player 1", "CLUE: c"), ("Player 2", "GUESS: d")],
    ]
    assert first_difference(a, a) is None
    assert first_difference(a, a[:1]) == 1  # one transcript ends earlier
    assert first_difference(a, [a[0], [("Player 1", "CLUE: c")]]) == 1
    assert replies({"turns": [[_event("Player_1", "GM", "hi")]]}) == [[("Player_1", "hi")]]  # v1.6's Player_1
    assert replies(None) == []


def test_divergence_on_synthetic_results(tmp_path: Path) -> None:
    scores, joined = load_joined([_results(tmp_path / "results")], registry=False)
    episodes = divergence_episodes(joined.frame, scores.roots).set_index("episode")
    assert list(episodes.index) == ["episode_0", "episode_1", "episode_2"]  # episode_3: other instance
    assert set(episodes["model_a"]) == {A} and set(episodes["model_b"]) == {B} and set(episodes["group"]) == {"W"}
    assert list(episodes["first_reply_identical"]) == [True, False, True]
    assert list(episodes["identical"]) == [True, False, False]
    assert episodes.loc["episode_1", "first_diff_turn"] == 0 and episodes.loc["episode_2", "first_diff_turn"] == 1
    assert pd.isna(episodes.loc["episode_0", "first_diff_turn"])
    assert list(episodes["score_diff"]) == [0.0, 0.0, -100.0]  # the aborted episode counts 0

    summary = summarise(episodes.reset_index()).iloc[0]
    assert summary["episodes"] == 3 and summary["diverged"] == 2
    assert summary["first_reply_identical"] == pytest.approx(200 / 3)
    assert summary["identical"] == pytest.approx(100 / 3)
    assert summary["first_diff_turn"] == 0.5
    assert summary["score_diff_diverged"] == -50.0 and summary["score_changed"] == 1
    per_game = divergence_results([tmp_path / "results"], per_game=True)
    assert list(per_game["game"]) == ["taboo"] and per_game.loc[0, "diverged"] == 2


def test_divergence_cli(tmp_path: Path) -> None:
    results = _results(tmp_path / "results")
    out, figure = tmp_path / "div.json", tmp_path / "div.png"
    res = CliRunner().invoke(
        analyze_app, ["divergence", "-r", str(results), "--json", str(out), "--figure", str(figure), "--per-game"],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "w-cpp" in res.output and "w-hf" in res.output and "66.67" in res.output
    payload = json.loads(out.read_text())
    assert payload["summary"][0]["diverged"] == 2 and len(payload["episodes"]) == 3
    assert figure.stat().st_size > 0
    alone = tmp_path / "alone"
    _write(alone, A, 0, [_turn("CLUE: a", "GUESS: b")], None)
    res = CliRunner().invoke(analyze_app, ["divergence", "-r", str(alone)])
    assert res.exit_code == 2 and "error:" in res.output


def test_divergence_of_real_runs(tmp_path: Path) -> None:
    """Three programmatic specs declared as the same weights, played by `parlour run`: two agree throughout,
    the third's guesser differs in the first turn (after an identical first reply) and loses."""
    weights = {"backend": "programmatic", "base_model": "toy-weights"}
    env = write_registry(
        tmp_path / "models.yaml",
        {"name": "toy-q8", "quantization": "Q8_0", "options": {"policy": "oracle"}, **weights},
        {"name": "toy-q4", "quantization": "Q4_0", "options": {"policy": "oracle"}, **weights},
        {"name": "toy-q2", "quantization": "Q2_K", "options": {"policy": "wrong"}, **weights},
    )
    results = tmp_path / "results"
    for name in ("toy-q8", "toy-q4", "toy-q2"):
        run = parlour("run", "-g", "taboo", "-m", name, "--limit", "2", "-r", str(results), "--no-progress", env=env)
        assert run.returncode == 0, run.stderr
    res = parlour("analyze", "divergence", "-r", str(results), "--csv", str(tmp_path / "div.csv"), env=env)
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(tmp_path / "div.csv")
    names = zip(table.model_a, table.model_b, strict=True)
    table["models"] = [" ".join(sorted(n.split("-t0.0")[0] for n in pair)) for pair in names]
    rows = table.set_index("models")
    same = rows.loc["toy-q4 toy-q8"]
    assert same["episodes"] == 6 and same["identical"] == 100.0 and same["diverged"] == 0
    other = rows.loc["toy-q2 toy-q8"]
    assert other["episodes"] == 6 and other["first_reply_identical"] == 100.0 and other["identical"] == 0.0
    assert other["first_diff_turn"] == 0 and abs(other["score_diff_diverged"]) == 100.0
