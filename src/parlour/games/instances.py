"""Reading clembench-format instance files, with one-line errors that name the file and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parlour.errors import InstanceFileError


def instances_json(instances: dict[str, Any]) -> str:
    """How parlour writes an instances file (the shipped ones are exactly this)."""
    return json.dumps(instances, indent=1, ensure_ascii=False) + "\n"


def load_instances(
    path: Path,
    experiment_keys: tuple[str, ...] = (),
    instance_keys: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Load and check `{"experiments": [{"name", ..., "game_instances": [{"game_id", ...}]}]}`.

    `experiment_keys` / `instance_keys` are the keys the game needs; a missing one is reported
    with its location (e.g. `experiments[1].game_instances[4]: missing 'target_word'`).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceFileError(f"{path}: cannot read instances file ({exc.strerror or exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceFileError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("experiments"), list):
        raise InstanceFileError(f"{path}: needs a top-level object with an 'experiments' list")
    for e_idx, experiment in enumerate(data["experiments"]):
        where = f"{path}: experiments[{e_idx}]"
        if not isinstance(experiment, dict):
            raise InstanceFileError(f"{where}: must be an object")
        for key in ("name", "game_instances", *experiment_keys):
            if key not in experiment:
                raise InstanceFileError(f"{where}: missing '{key}'")
        if not isinstance(experiment["game_instances"], list):
            raise InstanceFileError(f"{where}.game_instances: must be a list")
        for i_idx, instance in enumerate(experiment["game_instances"]):
            i_where = f"{where}.game_instances[{i_idx}]"
            if not isinstance(instance, dict):
                raise InstanceFileError(f"{i_where}: must be an object")
            for key in ("game_id", *instance_keys):
                if key not in instance:
                    raise InstanceFileError(f"{i_where}: missing '{key}'")
    return data


def resolve_instances_file(game: str, source: Path | None, default: Path) -> Path:
    """Where a game's instances come from: a JSON file, a folder with `games/<game>/in/instances.json`
    (or `<game>/in/instances.json`), or the game's shipped default."""
    if source is None:
        return default
    if source.is_file():
        return source
    if source.is_dir():
        for candidate in (
            source / "games" / game / "in" / "instances.json",
            source / game / "in" / "instances.json",
        ):
            if candidate.is_file():
                return candidate
        raise InstanceFileError(f"{source}: no games/{game}/in/instances.json in this folder")
    raise InstanceFileError(f"{source}: instances file or folder does not exist")
