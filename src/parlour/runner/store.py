"""The clembench 1.6 results layout on disk, with atomic writes.

results/<pair>/<game>/<i>_<experiment>/episode_<n>/{instance,interactions,requests,scores}.json
An episode is complete when interactions.json exists (it is written after requests.json); a failed
episode has error.json instead and is redone by the next run.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from parlour.errors import ResultsError

INSTANCE = "instance.json"
INTERACTIONS = "interactions.json"
REQUESTS = "requests.json"
SCORES = "scores.json"
ERROR = "error.json"
RUN = "run.json"


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temp file + rename): a reader never sees a half-written file.
    NaN is written as the bare token NaN, as clembench's json.dump does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultsError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc


def pair_name(names: list[str]) -> str:
    """`<m0>-t<T>--<m1>-t<T>`; one model is duplicated (self-play), as clembench names it."""
    if len(names) == 1:
        names = [names[0], names[0]]
    return "--".join(names)


def experiment_dir(results: Path, pair: str, game: str, index: int, experiment: str) -> Path:
    return results / pair / game / f"{index}_{experiment}"


def episode_dir(exp_dir: Path, episode: int) -> Path:
    return exp_dir / f"episode_{episode}"


def is_complete(ep_dir: Path) -> bool:
    return (ep_dir / INTERACTIONS).is_file() and (ep_dir / REQUESTS).is_file()


def clear_episode(ep_dir: Path) -> None:
    """Remove what an interrupted or failed attempt left, before playing the episode again."""
    for name in (INTERACTIONS, REQUESTS, SCORES, ERROR):
        (ep_dir / name).unlink(missing_ok=True)
    for leftover in ep_dir.glob(".*.partial"):  # temp files of a write that was killed
        leftover.unlink(missing_ok=True)
