"""Where serving changes the text even when the score does not: transcripts of the same instances played by
specs that share base weights (other backends, other quantization levels), compared reply by reply.

Specs share weights when their `weights` characteristic is the same (a spec's `base_model` in run.json or
the registry; else the characteristics' base_model). Episodes are matched on game, experiment folder and
episode folder, and count only when both recorded the same instance. A reply is an event from a player
to the game master; turns are numbered from 0, as in the transcript pages.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from parlour import store
from parlour.analysis.loading import load_joined
from parlour.errors import ResultsError
from parlour.scoring.clemscore import ABORTED, MAIN_SCORE
from parlour.textfiles import read_json

Replies = list[list[tuple[str, str]]]  # per turn, (player, text) of each reply

EPISODE_COLUMNS = [
    "group", "model_a", "model_b", "game", "experiment", "episode", "first_reply_identical", "identical",
    "first_diff_turn", "score_a", "score_b", "score_diff",
]  # fmt: skip


def _read(path: Path) -> object | None:
    try:
        return read_json(path, ResultsError, "JSON file")
    except ResultsError:
        return None


def replies(interactions: object) -> Replies:
    """The players' replies per turn of an interactions.json (GM bookkeeping and prompts left out)."""
    turns = interactions.get("turns") if isinstance(interactions, dict) else None
    out: Replies = []
    for turn in turns if isinstance(turns, list) else []:
        events = turn if isinstance(turn, list) else []
        said = []
        for event in events:
            if not isinstance(event, dict) or not str(event.get("from", "")).replace("_", " ").startswith("Player"):
                continue
            action = event.get("action") if isinstance(event.get("action"), dict) else {}
            content = action.get("content", "")
            said.append((str(event["from"]), content if isinstance(content, str) else json.dumps(content)))
        out.append(said)
    return out


def first_difference(a: Replies, b: Replies) -> int | None:
    """The first turn whose replies differ (a transcript that ends earlier differs there); None if equal."""
    for turn in range(max(len(a), len(b))):
        if turn >= len(a) or turn >= len(b) or a[turn] != b[turn]:
            return turn
    return None


def episode_score(scores: object) -> float:
    """An episode's Main Score, with an aborted episode as 0 (as the clemscore counts it); NaN if unscored."""
    episode = scores.get("episode scores") if isinstance(scores, dict) else None
    if not isinstance(episode, dict):
        return math.nan
    if episode.get(ABORTED) == 1:
        return 0.0
    value = episode.get(MAIN_SCORE)
    return float(value) if isinstance(value, int | float) else math.nan


def _episodes(root: Path, pair: str) -> dict[tuple[str, str, str], Path]:
    """(game, experiment, episode) -> folder, for the episodes of a pair that have a transcript."""
    return {
        tuple(path.parent.parts[-3:]): path.parent  # type: ignore[misc]
        for prefix in store.EPISODE_PREFIXES
        for path in (root / pair).glob(f"*/*/{prefix}*/{store.INTERACTIONS}")
    }


def compare_pairs(group: str, a: str, root_a: Path, b: str, root_b: Path) -> list[dict]:
    """One row per episode both pairs played on the same instance."""
    eps_a, eps_b = _episodes(root_a, a), _episodes(root_b, b)
    rows = []
    for key in sorted(eps_a.keys() & eps_b.keys()):
        folder_a, folder_b = eps_a[key], eps_b[key]
        instance_a, instance_b = _read(folder_a / "instance.json"), _read(folder_b / "instance.json")
        if instance_a is not None and instance_b is not None and instance_a != instance_b:
            continue  # same folder name, different instance: not the same episode
        ra, rb = replies(_read(folder_a / "interactions.json")), replies(_read(folder_b / "interactions.json"))
        first_a = next((text for turn in ra for _, text in turn), None)
        first_b = next((text for turn in rb for _, text in turn), None)
        turn = first_difference(ra, rb)
        score_a = episode_score(_read(folder_a / "scores.json"))
        score_b = episode_score(_read(folder_b / "scores.json"))
        rows.append(
            {
                "group": group, "model_a": a, "model_b": b, "game": key[0], "experiment": key[1], "episode": key[2],
                "first_reply_identical": first_a is not None and first_a == first_b, "identical": turn is None,
                "first_diff_turn": math.nan if turn is None else turn,
                "score_a": score_a, "score_b": score_b, "score_diff": score_b - score_a,
            }
        )  # fmt: skip
    return rows


def groups_of(frame: pd.DataFrame, roots: Mapping[str, Path], group: str = "weights") -> dict[str, list[str]]:
    """Pairs with episodes on disk, grouped by the `group` characteristic; groups of two or more."""
    column = group
    if column not in frame or not frame[column].notna().any():
        if group == "weights" and "base_model" in frame and frame["base_model"].notna().any():
            column = "base_model"
        else:
            raise ResultsError(f"no model has a '{group}' value: give characteristics (or run.json) naming the weights")
    found: dict[str, list[str]] = {}
    for pair, value in frame[column].items():
        if pair in roots and isinstance(value, str) and value.strip():
            found.setdefault(value.strip(), []).append(str(pair))
    return {g: sorted(pairs) for g, pairs in found.items() if len(pairs) >= 2}


def divergence_episodes(frame: pd.DataFrame, roots: Mapping[str, Path], group: str = "weights") -> pd.DataFrame:
    """Per episode and pair of specs sharing weights: whether the first reply and the whole transcript are
    identical, the first turn that differs, and the two episode scores (b - a)."""
    groups = groups_of(frame, roots, group)
    if not groups:
        raise ResultsError(f"no two models with episodes share a '{group}' value; nothing to compare")
    rows = []
    for name, pairs in groups.items():
        for a, b in itertools.combinations(pairs, 2):
            rows += compare_pairs(name, a, roots[a], b, roots[b])
    return pd.DataFrame(rows, columns=EPISODE_COLUMNS)


def summarise(episodes: pd.DataFrame, per_game: bool = False) -> pd.DataFrame:
    """Per pair of specs (and game): episodes compared, share with an identical first reply and an identical
    transcript, the median first differing turn, and the mean score difference (b - a) on the diverged ones."""
    keys = ["group", "model_a", "model_b", *(["game"] if per_game else [])]
    rows = []
    for values, sub in episodes.groupby(keys, sort=False):
        diverged = sub[~sub["identical"]]
        rows.append(
            {
                **dict(zip(keys, values, strict=True)),
                "episodes": len(sub),
                "first_reply_identical": 100 * sub["first_reply_identical"].mean(),
                "identical": 100 * sub["identical"].mean(),
                "diverged": len(diverged),
                "first_diff_turn": diverged["first_diff_turn"].median() if len(diverged) else np.nan,
                "score_diff_diverged": diverged["score_diff"].mean() if len(diverged) else np.nan,
                "score_changed": int((diverged["score_diff"].fillna(0) != 0).sum()),
            }
        )
    return pd.DataFrame(rows)


def divergence(
    frame: pd.DataFrame, roots: Mapping[str, Path], group: str = "weights", per_game: bool = False
) -> pd.DataFrame:
    """The summary table of `divergence_episodes` (see `summarise`)."""
    return summarise(divergence_episodes(frame, roots, group), per_game)


def divergence_results(
    results: Sequence[Path], models: Sequence[Path] = (), group: str = "weights", per_game: bool = False
) -> pd.DataFrame:
    """Load results folders (and characteristics) and return the divergence summary of their specs."""
    scores, joined = load_joined(list(results), list(models))
    return divergence(joined.frame, scores.roots, group, per_game)
