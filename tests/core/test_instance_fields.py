"""Every field of every game's instances is checked for type and value when the file is loaded: a bad one
is one line naming the file, the game, the experiment, the instance and the field, before any episode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.cli import parlour

from parlour.errors import InstanceFileError
from parlour.games.instances import load_instances
from parlour.games.privateshared.texts import EMBEDDED_KEYS as TEXTS
from parlour.games.registry import get_game

Change = Callable[[dict[str, Any]], object]


def _set(key: str, value: Any) -> Change:
    def change(item: dict[str, Any]) -> None:
        target = item
        *path, last = key.split(".")
        for part in path:
            target = target[part]
        target[last] = value

    return change


# (game, change of the first experiment, or None, change of its second instance, or None, field named)
CASES = [
    ("privateshared", None, _set("requests.from", "0"), "requests.from"),
    ("privateshared", None, _set("slots.from", 3), "slots.from"),
    ("privateshared", None, _set("probes.0.from", 1.5), "probes.0.from"),
    ("privateshared", None, _set("requests.from", -1), "requests.from"),
    ("privateshared", None, _set("lang", "../../etc"), "lang"),
    ("privateshared", None, lambda i: i["request_order"].pop(), "request_order must list every slot"),
    ("privateshared", None, lambda i: i["probes"].pop("3"), "probes has no round '3'"),
    ("privateshared", _set("words", {"ANSWER": 3}), None, "words.ANSWER"),
    ("privateshared", _set("reprompts", "again"), None, "reprompts"),
    ("privateshared", _set("request_texts", {"from": "Where from?"}), None, "request_texts.from"),
    *[("privateshared", _set(key, None), None, f"field '{key}': Value error, must not be null") for key in TEXTS],
    ("wordle", None, _set("target_word", "Start"), "target_word"),
    ("wordle", None, _set("target_word", "star"), "target_word"),
    ("wordle", None, _set("target_word", 12345), "target_word"),
    ("wordle_withclue", None, _set("target_word_clue", ["a", "clue"]), "target_word_clue"),
    ("wordle", _set("common_config.max_attempts_per_game", "6"), None, "common_config.max_attempts_per_game"),
    ("wordle", _set("common_config.max_retry_per_error", 10**9), None, "common_config.max_retry_per_error"),
    ("wordle", _set("guesser_prompt", []), None, "guesser_prompt"),
    ("wordle", _set("guesser_prompt", [{"role": "user", "content": 5}]), None, "guesser_prompt.0.content"),
    ("wordle", _set("response_format_keywords.guess", 3), None, "response_format_keywords.guess"),
    ("wordle_withcritic", _set("guesser_critic_prompt", []), None, "use_critic needs a non-empty"),
    ("imagegame", None, _set("grid_dimension", 100000), "grid_dimension"),
    ("imagegame", None, _set("player_1_response_pattern", "^instruction: ("), "player_1_response_pattern"),
    ("referencegame", None, _set("player_2_response_pattern", "^answer: [a-"), "player_2_response_pattern"),
    ("referencegame", None, _set("target_grid_name", []), "target_grid_name"),
    ("taboo", _set("max_turns", 10**9), None, "max_turns"),
    ("taboo", None, _set("target_word", ""), "target_word"),
]


def _changed_file(tmp_path: Path, game: str, experiment_change: Change | None, instance_change: Change | None) -> Path:
    data = json.loads(get_game(game).default_instances.read_text(encoding="utf-8"))
    experiment = data["experiments"][0]
    if experiment_change:
        experiment_change(experiment)
    if instance_change:
        instance_change(experiment["game_instances"][1])
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("game", "experiment_change", "instance_change", "named"), CASES)
def test_a_bad_field_is_refused_when_loaded_naming_where(
    tmp_path: Path, game: str, experiment_change: Change | None, instance_change: Change | None, named: str
) -> None:
    spec = get_game(game)
    path = _changed_file(tmp_path, game, experiment_change, instance_change)
    with pytest.raises(InstanceFileError) as error:
        load_instances(path, spec.experiment_schema, spec.instance_schema, game)
    message = str(error.value)
    experiment = json.loads(path.read_text())["experiments"][0]["name"]
    assert f"{path} ({game})" in message and repr(experiment) in message and "\n" not in message
    assert named in message
    if instance_change:
        assert "game_instances[1]" in message


def test_run_refuses_a_wordle_target_that_is_not_five_lowercase_letters(tmp_path: Path) -> None:
    path = _changed_file(tmp_path, "wordle", None, _set("target_word", "Start"))
    results = tmp_path / "r"
    run = parlour("run", "-g", "wordle", "-m", "programmatic:oracle", "-i", str(path), "-r", str(results))
    assert run.returncode == 2, run.stderr
    assert "(wordle)" in run.stderr and "field 'target_word'" in run.stderr and "Traceback" not in run.stderr
    assert not results.exists()
