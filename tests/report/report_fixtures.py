"""Builds results folders for the report tests from the clembench reference episodes (copied into tmp)."""

import json
import shutil
from pathlib import Path

from conftest import REFERENCE

from parlour.data import official_path

EPISODES = REFERENCE / "episodes"
SCRIPTED = REFERENCE / "scripted-episodes"
RESULTS = official_path("v1.6").parent  # the official tables, shipped with parlour
EVIL_PAIR = "evil-model-t0.0--evil-model-t0.0"
PAYLOAD = '<script>window.__pwned = 1; console.error("xss")</script><img src=x onerror="window.__pwned=2">'


def _event(sender: str, receiver: str, kind: str, content: object) -> dict:
    return {
        "from": sender,
        "to": receiver,
        "timestamp": "2026-01-01T00:00:00",
        "action": {"type": kind, "content": content},
    }


def _write_evil(root: Path) -> None:
    """A taboo pair whose replies carry HTML and script: they must show as text."""
    base = root / EVIL_PAIR / "taboo" / "0_high_en"
    for n, (aborted, main) in enumerate([(0, 100.0), (1, None)]):
        folder = base / f"episode_{n}"
        folder.mkdir(parents=True)
        reply = f"CLUE: {PAYLOAD}" if n == 0 else PAYLOAD
        turns = [
            [
                _event("GM", "Player 1", "send message", "Describe the word."),
                _event("Player 1", "GM", "get message", reply),
                _event("GM", "GM", "parse", {"clue": PAYLOAD}),
                _event("GM", "Player 2", "send message", reply),
                _event("Player 2", "GM", "get message", "GUESS: duty"),
            ]
        ]
        interactions = {"players": {"GM": "Game master for taboo", "Player 1": "WordDescriber, evil-model",
                                    "Player 2": "WordGuesser, evil-model"}, "turns": turns}  # fmt: skip
        (folder / "interactions.json").write_text(json.dumps(interactions))
        scores = {"Aborted": aborted, "Success": 1 - aborted, "Lose": 0, "Main Score": main}
        text = json.dumps({"turn scores": {}, "episode scores": scores}).replace("null", "NaN")
        (folder / "scores.json").write_text(text)
        (folder / "instance.json").write_text(json.dumps({"game_id": n, "target_word": "duty"}))
    run = {"models": [{"name": "evil-model", "backend": "llamacpp", "quantization": "Q4_1", "spec_hash": "abc123"}]}
    (root / EVIL_PAIR / "run.json").write_text(json.dumps(run))


def _copy_scripted(root: Path) -> int:
    """All scripted edge-case episodes as one pair, numbering the episodes of each experiment."""
    counters: dict[tuple[str, str], int] = {}
    for episode in sorted(SCRIPTED.glob("*/*/*/*/episode_0")):
        game, experiment = episode.parts[-3], episode.parts[-2]
        n = counters.get((game, experiment), 0)
        counters[(game, experiment)] = n + 1
        shutil.copytree(episode, root / "scripted-t0.0--scripted-t0.0" / game / experiment / f"episode_{n}")
    return sum(counters.values())


def build_results(root: Path) -> Path:
    """A results folder with the real v1.6 episodes, the scripted ones and the evil pair (fixtures that
    call it request the `reference` fixture, so that their tests are skipped without the reference)."""
    shutil.copytree(EPISODES, root)
    _copy_scripted(root)
    _write_evil(root)
    return root


def build_backend_pair(root: Path) -> Path:
    """Two runs of the same weights through two backends (scores and run.json only), 2 games x 20 episodes."""
    for pair, backend, aborted_every in (
        ("w-hf-t0.0--w-hf-t0.0", "huggingface", 10),
        ("w-cpp-t0.0--w-cpp-t0.0", "llamacpp", 2),
    ):
        for game in ("taboo", "wordle"):
            for n in range(20):
                folder = root / pair / game / "0_exp" / f"episode_{n}"
                folder.mkdir(parents=True)
                aborted = int(n % aborted_every == 0)
                scores = {
                    "Aborted": aborted,
                    "Success": 1 - aborted,
                    "Lose": 0,
                    "Main Score": None if aborted else 50.0 + n,
                }
                text = json.dumps({"turn scores": {}, "episode scores": scores}).replace("null", "NaN")
                (folder / "scores.json").write_text(text)
        run = {
            "models": [
                {"name": pair.split("-t0.0")[0], "backend": backend, "base_model": "W-Instruct", "quantization": "F16"}
            ]
        }
        (root / pair / "run.json").write_text(json.dumps(run))
    return root
