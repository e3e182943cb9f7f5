"""Reading clembench-format instance files, checked against each game's schema, with one-line errors that name
the file, the experiment, the instance and the field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from parlour.errors import InstanceFileError
from parlour.textfiles import file_sha256, read_json


def check_folder_name(name: str) -> str:
    """`name` when it can be used as one folder name inside the results folder (it becomes one)."""
    if not name.strip() or "/" in name or "\\" in name or "\0" in name or ".." in name or name == ".":
        raise ValueError(f"{name!r} cannot be a folder name (no path separators, no '..', not empty)")
    return name


def check_pattern(pattern: str) -> str:
    """`pattern` when it compiles as a Python regular expression (the games match replies against it)."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None
    return pattern


#: a regular expression the game matches replies against: checked when the file is loaded, not mid-play
Pattern = Annotated[StrictStr, AfterValidator(check_pattern)]
#: a text that must say something (a word to guess, a tag)
NonEmptyStr = Annotated[StrictStr, Field(min_length=1)]


class Schema(BaseModel):
    """Base of the instance file schemas: the listed fields must have their types (no coercion, so
    `"heart"` is not a list of words and `123` not a word); other keys are kept as they are."""

    model_config = ConfigDict(extra="allow", strict=True)


class ExperimentSchema(Schema):
    """What every experiment has; its name becomes a results folder name."""

    name: Annotated[StrictStr, AfterValidator(check_folder_name)]
    game_instances: list[Any]


class InstanceSchema(Schema):
    """What every game instance has."""

    game_id: StrictInt


def instances_json(instances: dict[str, Any]) -> str:
    """How parlour writes an instances file (the shipped ones are exactly this)."""
    return json.dumps(instances, indent=1, ensure_ascii=False) + "\n"


def load_instances(
    path: Path,
    experiment_schema: type[ExperimentSchema] = ExperimentSchema,
    instance_schema: type[InstanceSchema] = InstanceSchema,
    game: str | None = None,
) -> dict[str, Any]:
    """Load `{"experiments": [{"name", ..., "game_instances": [{"game_id", ...}]}]}` and check every experiment
    and instance against the game's schemas. The data is returned as read (the schemas only check)."""
    data = _read(path)
    if not isinstance(data, dict) or not isinstance(data.get("experiments"), list):
        raise InstanceFileError(f"{path}: needs a top-level object with an 'experiments' list")
    file = f"{path} ({game})" if game else str(path)
    for e_idx, experiment in enumerate(data["experiments"]):
        where = f"{file}: experiments[{e_idx}]"
        if isinstance(experiment, dict) and isinstance(experiment.get("name"), str):
            where = f"{file}: experiment {experiment['name']!r} (experiments[{e_idx}])"
        _check(experiment_schema, experiment, where)
        for i_idx, instance in enumerate(experiment["game_instances"]):
            i_where = f"{where}, instance game_instances[{i_idx}]"
            if isinstance(instance, dict) and "game_id" in instance:
                i_where += f" (game_id {instance['game_id']!r})"
            _check(instance_schema, instance, i_where)
    return data


def instances_sha256(path: Path) -> str:
    """The identity of an instances file: the sha256 of its bytes (run.json records it for every game)."""
    return file_sha256(path, InstanceFileError, "instances file")


def _read(path: Path) -> Any:
    return read_json(path, InstanceFileError, "instances file")


def _check(schema: type[Schema], value: Any, where: str) -> None:
    """InstanceFileError for the first field of `value` that the schema refuses."""
    try:
        schema.model_validate(value)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"])
        if error["type"] == "missing":
            raise InstanceFileError(f"{where}: missing field '{field}'") from None
        got = error.get("input")
        label = f"field '{field}'" if field else "value"
        raise InstanceFileError(f"{where}: {label}: {error['msg']} (got {type(got).__name__} {_short(got)})") from None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def resolve_instances_file(game: str, source: Path | None, default: Path) -> Path:
    """Where a game's instances come from: a JSON file, a folder with `games/<game>/in/instances.json`
    (or `<game>/in/instances.json`), or the game's shipped default."""
    if source is None:
        return default
    if source.is_dir():
        for candidate in (
            source / "games" / game / "in" / "instances.json",
            source / game / "in" / "instances.json",
        ):
            if candidate.is_file():
                return candidate
        raise InstanceFileError(f"{source}: no games/{game}/in/instances.json in this folder")
    if source.exists():
        return source  # a file: its reader says what is wrong with it when it is not a regular one
    raise InstanceFileError(f"{source}: instances file or folder does not exist")
