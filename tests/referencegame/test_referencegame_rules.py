"""referencegame: every pattern, end condition and score formula, plus generator and programmatic players."""

from __future__ import annotations

import copy
import functools
import json
import math

import pytest

from parlour.games.episode import play_episode, score_episode
from parlour.games.instances import load_instances
from parlour.games.referencegame import generator, rules
from parlour.games.referencegame.generator import ANSWER_PATTERN, EXPRESSION_PATTERN
from parlour.games.registry import get_game
from parlour.models.programmatic import ProgrammaticModel, ScriptedModel
from parlour.models.spec import ModelSpec

GAME = "referencegame"


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("Expression: The top row is filled.", "The top row is filled."),
        ("expression: only row one\n\n", "only row one"),  # trailing newlines are fine
        ("EXPRESSION:\tthe grid", "the grid"),  # any single whitespace after the colon
        ("Expression: line one\nline two", None),  # a second line aborts
        ("Expression:the grid", None),
        ("The expression: the grid", None),
    ],
)
def test_expression_rule(text: str, expression: str | None) -> None:
    assert rules.parse_strict(text, EXPRESSION_PATTERN) == expression


@pytest.mark.parametrize(
    ("text", "strict", "liberal"),
    [
        ("Answer: first", "first", "first"),
        ("answer: Second", "Second", "Second"),
        ("Answer: 3\n", "3", "3"),
        ("Answer: 1st", None, "1"),  # the alternation tries "1" before "1st"
        ("Answer: third and more text", None, "third"),
        ("Answer: First\n\nBecause it has an X.", None, "First"),
        ("Answer: The first grid", None, None),
        ("The answer is first", None, None),
        ("Answer:first", None, None),
    ],
)
def test_answer_rules(text: str, strict: str | None, liberal: str | None) -> None:
    assert rules.parse_strict(text, ANSWER_PATTERN) == strict
    assert rules.parse_liberal(text, ANSWER_PATTERN) == liberal


def test_is_correct_with_list_and_legacy_string() -> None:
    assert rules.is_correct("First", ["first", "1st", "1"])
    assert rules.is_correct("1", ["first", "1st", "1"])
    assert not rules.is_correct("second", ["first", "1st", "1"])
    assert rules.is_correct("first", "first")  # older instance files: one string


@functools.cache
def _shipped() -> dict:
    return generator.generate_instances()


def _instance(position: int = 0) -> dict:
    return copy.deepcopy(_shipped()["experiments"][0]["game_instances"][position])


async def _play(replies: list[str], position: int = 0) -> tuple[dict, dict]:
    game, instance = get_game(GAME), _instance(position)
    model = ScriptedModel(ModelSpec(name="s", backend="scripted"), replies)
    record = await play_episode(game, {"name": "line_grids_rows"}, instance, [model])
    return record.interactions, score_episode(game, {"name": "line_grids_rows"}, instance, record.interactions)


async def test_success() -> None:
    interactions, scores = await _play(["Expression: the top row", "Answer: first"])
    episode = scores["episode scores"]
    assert [e["action"]["type"] for e in interactions["turns"][0]] == [
        "send message",
        "get message",
        "parse",
        "send message",
        "get message",
        "parse",
    ]
    # Player 2 gets Player 1's whole reply, tag included
    assert "\nExpression: the top row\n" in interactions["turns"][0][3]["action"]["content"]
    assert (episode["Success"], episode["Lose"], episode["Aborted"], episode["Main Score"]) == (1, 0, 0, 100)
    assert (episode["Generated Expression Length"], episode["Generated Expression Number of Tokens"]) == (11, 3)
    assert scores["turn scores"][0]["Success"] == 1


async def test_wrong_grid_loses() -> None:
    _, scores = await _play(["Expression: the top row", "Answer: 2"])
    episode = scores["episode scores"]
    assert (episode["Success"], episode["Lose"], episode["Aborted"], episode["Main Score"]) == (0, 1, 0, 0)


async def test_abort_at_player_1_counts_as_lose() -> None:
    interactions, scores = await _play(["Expression: a\nb", "Answer: first"])
    episode = scores["episode scores"]
    assert len(interactions["turns"][0]) == 3  # Player 2 is never asked
    assert (episode["Aborted at Player 1"], episode["Aborted"], episode["Success"], episode["Lose"]) == (1, 1, 0, 1)
    assert math.isnan(episode["Main Score"]) and math.isnan(episode["Generated Expression Length"])
    assert (episode["Request Count"], episode["Violated Request Count"], episode["Request Success Ratio"]) == (
        1,
        1,
        0.0,
    )


async def test_abort_at_player_2_and_liberal_rescue() -> None:
    _, scores = await _play(["Expression: x", "I pick the first"])
    episode = scores["episode scores"]
    assert (episode["Aborted at Player 2"], episode["Aborted"], episode["Lose"], episode["Request Success Ratio"]) == (
        1,
        1,
        1,
        0.5,
    )
    interactions, scores = await _play(["Expression: x", "Answer: second, because"], position=1)
    assert interactions["turns"][0][5]["action"]["type"] == "invalid format"
    assert scores["episode scores"]["Success"] == 1 and scores["episode scores"]["Aborted"] == 0


def _programmatic(policy: str) -> ProgrammaticModel:
    return ProgrammaticModel(
        ModelSpec(name=f"programmatic-{policy}", backend="programmatic", options={"policy": policy})
    )


@pytest.mark.parametrize(("policy", "aborted", "lose"), [("oracle", 0, 0), ("breaker", 1, 1), ("wrong", 0, 1)])
async def test_programmatic_policies(policy: str, aborted: int, lose: int) -> None:
    game, instance = get_game(GAME), _instance(2)
    record = await play_episode(game, {"name": "x"}, instance, [_programmatic(policy)])
    episode = score_episode(game, {"name": "x"}, instance, record.interactions)["episode scores"]
    assert (episode["Aborted"], episode["Lose"]) == (aborted, lose)


def _instance_files(reference) -> list:
    official = reference / "games/referencegame/in"
    # instances_v1.6.json is the older April variant: one-string targets, strict answer options
    return [get_game(GAME).default_instances, official / "instances.json", official / "instances_v1.6.json"]


def test_instance_files_load(reference) -> None:
    game = get_game(GAME)
    for path in _instance_files(reference):
        data = load_instances(path, game.experiment_schema, game.instance_schema)
        assert sum(len(e["game_instances"]) for e in data["experiments"]) == 180


async def test_oracle_wins_every_shipped_and_official_instance(reference) -> None:
    game = get_game(GAME)
    played = 0
    for path in _instance_files(reference):
        for experiment in json.loads(path.read_text(encoding="utf-8"))["experiments"]:
            for instance in experiment["game_instances"]:
                record = await play_episode(game, experiment, instance, [_programmatic("oracle")])
                scores = score_episode(game, experiment, instance, record.interactions)["episode scores"]
                assert scores["Main Score"] == 100, (path.name, experiment["name"], instance["game_id"])
                played += 1
    assert played == 540


def test_closest_grids_by_edit_distance() -> None:
    grids = ["aaaa", "aaab", "bbbb", "aabb"]
    assert generator.closest(0, grids) == ["aaab", "aabb"]


def test_generator_is_seeded_and_shipped_file_is_current() -> None:
    data = _shipped()
    assert data == generator.generate_instances()
    assert data != generator.generate_instances(seed=7)  # the random category changes
    assert [(e["name"], len(e["game_instances"])) for e in data["experiments"]] == [
        (name, 30)
        for name in (
            "line_grids_rows",
            "line_grids_columns",
            "diagonal_grids",
            "letter_grids",
            "shape_grids",
            "random_grids",
        )
    ]
    assert json.loads(get_game(GAME).default_instances.read_text(encoding="utf-8")) == data
    for experiment in data["experiments"]:
        for instance in experiment["game_instances"]:
            position = ("first", "second", "third").index(instance["target_grid_name"][0])
            shown = [instance[f"player_2_{n}_grid"] for n in ("first", "second", "third")]
            assert shown[position] == instance["player_1_target_grid"]
            assert sorted(shown) == sorted(instance[f"player_1_{n}_grid"] for n in ("target", "second", "third"))
            assert len(set(shown)) == 3
            assert "TARGET_EXPRESSION" in instance["player_2_prompt_header"]
    for grid in generator.categories()["random_grids"]:
        assert grid.count("X") == generator.RANDOM_FILLED
