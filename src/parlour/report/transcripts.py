"""Episodes of a results folder as data for the transcript browser.

Reads `<pair>/<game>/<i>_<experiment>/episode_<n>/{interactions,scores,instance}.json` (clembench layout;
clemcore 3.x: `<experiment>/instance_<id>/`)
and turns each event into a message with a side: Player 1 (left), Player 2 (right) or the game master's
own bookkeeping (middle). Nothing here produces HTML; the templates escape every string.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from parlour.errors import ResultsError
from parlour.scoring.episodes import walk_episodes
from parlour.textfiles import read_json

OUTCOMES = ("success", "lose", "aborted", "played", "unscored")


@dataclass
class EpisodeRef:
    """Where one episode lives and what the browser lists for it."""

    pair: str
    game: str
    experiment: str
    episode: str
    path: Path
    outcome: str = "unscored"
    main_score: float | None = None
    has_transcript: bool = False

    @property
    def slug(self) -> str:
        """Relative path of the episode's page inside the site."""
        parts = [slug(p) for p in (self.pair, self.game, self.experiment, self.episode)]
        return "/".join(parts) + ".html"

    @property
    def number(self) -> int:
        """The episode number, for ordering (episode_10 after episode_9)."""
        match = re.search(r"(\d+)$", self.episode)
        return int(match.group(1)) if match else 0


@dataclass
class Message:
    """One recorded event, placed on a side of the chat."""

    side: str  # "p1", "p2" or "gm"
    sender: str
    receiver: str
    kind: str  # the action type, e.g. "send message", "get message", "parse"
    text: str
    extra: dict = field(default_factory=dict)
    timestamp: str = ""


@dataclass
class Episode:
    """A loaded episode: players, turns of messages, episode scores and instance."""

    ref: EpisodeRef
    players: dict[str, str]
    turns: list[list[Message]]
    scores: dict
    instance: dict | None
    extras: dict  # game-specific top-level keys of interactions.json


def safe_name(name: str) -> str:
    """A file-system and URL safe version of a directory name (not unique: `m x` and `m_x` both give `m_x`)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


# A pair folder may be up to 255 bytes, the file system's limit for one name, but its page needs a suffix too.
MAX_SLUG = 120


def slug(name: str) -> str:
    """A unique file-system and URL safe name: a short safe name as it is, any other name made safe (cut to
    MAX_SLUG characters) plus `~` and a short hash of the original. No safe name contains `~`, so the two
    kinds never collide."""
    safe = safe_name(name)
    if safe == name and len(name) <= MAX_SLUG:
        return name
    return f"{safe[:MAX_SLUG]}~{hashlib.sha256(name.encode('utf-8')).hexdigest()[:10]}"


def _read_json(path: Path) -> object | None:
    """The file's JSON, None when it is missing; one line naming the file when it is there but unusable."""
    return read_json(path, ResultsError, "JSON file") if path.is_file() else None


def outcome_of(scores: dict | None) -> tuple[str, float | None]:
    """(outcome, main score) from an episode's scores (aborted before success before lose)."""
    if not scores:
        return "unscored", None
    main = scores.get("Main Score")
    main = float(main) if isinstance(main, int | float) and main == main else None
    if scores.get("Aborted") == 1:
        return "aborted", main
    if scores.get("Success") == 1:
        return "success", main
    if scores.get("Lose") == 1:
        return "lose", main
    return "played", main


def find_episodes(root: Path, models: set[str] | None = None) -> list[EpisodeRef]:
    """Every episode folder under a results root, sorted by model, game, experiment, episode number."""
    refs = []
    for found in walk_episodes(root):
        path = found.path
        pair, game, experiment, episode = path.parts[-4:]
        if models is not None and pair not in models:
            continue
        scores = _read_json(path / "scores.json")
        episode_scores = scores.get("episode scores") if isinstance(scores, dict) else None
        outcome, main = outcome_of(episode_scores if isinstance(episode_scores, dict) else None)
        refs.append(
            EpisodeRef(pair, game, experiment, episode, path, outcome, main, (path / "interactions.json").is_file())
        )
    return sorted(refs, key=lambda r: (r.pair, r.game, r.experiment, r.number))


def _side(sender: str, receiver: str) -> str:
    names = {sender.replace("_", " "), receiver.replace("_", " ")}
    if "Player 1" in names:
        return "p1"
    if "Player 2" in names:
        return "p2"
    return "gm"


def _text(content: object) -> str:
    if isinstance(content, str):
        return content
    return json.dumps(content, indent=2, ensure_ascii=False)


def player_label(entry: object) -> str:
    """How a player of interactions.json reads: clembench 1.6 and clemcore 2.x write "Role, model",
    clemcore 3.x an object with `game_role` and `model_name`."""
    if isinstance(entry, dict):
        return ", ".join(str(entry[k]) for k in ("game_role", "model_name") if entry.get(k) is not None)
    return str(entry)


def load_episode(ref: EpisodeRef) -> Episode:
    """Read an episode's files; missing files give empty parts, an unusable one a one-line ResultsError."""
    interactions = _read_json(ref.path / "interactions.json")
    interactions = interactions if isinstance(interactions, dict) else {}
    turns = []
    for turn in interactions.get("turns", []) or []:
        messages = []
        for event in turn if isinstance(turn, list) else []:
            if not isinstance(event, dict):
                continue
            action = event.get("action") if isinstance(event.get("action"), dict) else {}
            sender, receiver = str(event.get("from", "")), str(event.get("to", ""))
            extra = {k: _text(v) for k, v in action.items() if k not in ("type", "content")}
            messages.append(
                Message(
                    side=_side(sender, receiver),
                    sender=sender,
                    receiver=receiver,
                    kind=str(action.get("type", "")),
                    text=_text(action.get("content", "")),
                    extra=extra,
                    timestamp=str(event.get("timestamp", "")),
                )
            )
        turns.append(messages)
    scores = _read_json(ref.path / "scores.json")
    episode_scores = scores.get("episode scores", {}) if isinstance(scores, dict) else {}
    instance = _read_json(ref.path / "instance.json")
    if instance is None:
        instance = _read_json(ref.path / "instance.reconstructed.json")
    players = interactions.get("players") if isinstance(interactions.get("players"), dict) else {}
    extras = {k: v for k, v in interactions.items() if k not in ("players", "turns")}
    return Episode(
        ref=ref,
        players={str(k): player_label(v) for k, v in players.items()},
        turns=turns,
        scores=episode_scores if isinstance(episode_scores, dict) else {},
        instance=instance if isinstance(instance, dict) else None,
        extras=extras,
    )
