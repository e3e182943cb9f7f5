"""imagegame: every pattern, end condition and score formula, plus generator and programmatic players."""

from __future__ import annotations

import copy
import functools
import json
import math

import pytest

from parlour.games.episode import play_episode, score_episode
from parlour.games.imagegame import generator, rules
from parlour.games.imagegame.generator import GRID_PATTERN, INSTRUCTION_PATTERN, TERMINATE_PATTERN
from parlour.games.imagegame.players import oracle_instructions
from parlour.games.instances import load_instances
from parlour.games.registry import get_game
from parlour.models.programmatic import ProgrammaticModel, ScriptedModel
from parlour.models.spec import ModelSpec

E = rules.EMPTY
TARGET = "\n".join(["B B ▢ ▢ ▢", "▢ ▢ ▢ ▢ ▢", "▢ ▢ ▢ ▢ ▢", "▢ ▢ ▢ ▢ ▢", "▢ ▢ ▢ ▢ B"])


def grid(*filled: tuple[int, int], letter: str = "B") -> str:
    rows = [[E] * 5 for _ in range(5)]
    for r, c in filled:
        rows[r][c] = letter
    return rules.grid_text(rows)


# -- patterns --
@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("Instruction: DONE", True),
        ("  INSTRUCTION :  done  ", True),
        ("instruction:done\n", True),
        ("Instruction: DONE.", False),
        ("DONE", False),
        ("Instruction: Done with row 1", False),
    ],
)
def test_terminate_pattern(text: str, done: bool) -> None:
    assert rules.is_terminate(text, TERMINATE_PATTERN) is done


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("Instruction: Put B in row 1", "Instruction: Put B in row 1"),
        ("instruction: Put B in row 1\n", "instruction: Put B in row 1"),  # one trailing newline is fine
        ("INSTRUCTION: x", "INSTRUCTION: x"),
        ("Instruction:Put B", None),  # exactly one space after the colon
        ("Instruction: a\nInstruction: b", None),  # two lines
        ("Instruction: a\n\n", None),
        ("Sure. Instruction: a", None),
    ],
)
def test_instruction_pattern(text: str, parsed: str | None) -> None:
    assert rules.parse_instruction(text, INSTRUCTION_PATTERN) == parsed


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        (TARGET, True),
        ("\n\n" + TARGET + "\n", True),
        (TARGET.lower(), False),  # case-sensitive
        ("\n".join(TARGET.split("\n")[:4]), False),  # four rows
        ("Here:\n" + TARGET, False),
        (TARGET.replace("B B", "BB"), False),
        (TARGET.replace("▢", "."), False),
    ],
)
def test_grid_pattern(text: str, valid: bool) -> None:
    assert rules.is_grid(text, GRID_PATTERN) is valid


# -- score formulas --
def test_evaluate_rounds_like_v16() -> None:
    # target 3 filled; drawn 2 correct + 1 wrong: P = R = 2/3 -> 0.6667 -> 67
    drawn = grid((0, 0), (0, 1), (1, 1))
    assert rules.evaluate(TARGET, drawn) == (67.0, 67.0, 67.0)
    assert rules.evaluate(TARGET, TARGET) == (100.0, 100.0, 100.0)
    # case-insensitive cell comparison
    assert rules.evaluate(TARGET, TARGET.replace("B", "b")) == (100.0, 100.0, 100.0)


def test_evaluate_f1_zero_is_int_and_shape_mismatch() -> None:
    precision, recall, f1 = rules.evaluate(TARGET, grid((2, 2)))
    assert (precision, recall, f1) == (0.0, 0.0, 0) and type(f1) is int
    assert rules.evaluate(TARGET, "B B\nB B") == (0.0, 0.0, 0.0)


def test_evaluate_raises_where_v16_does() -> None:
    assert rules.evaluate(TARGET, rules.empty_grid()) is None  # no filled cell drawn: 0/0
    assert rules.evaluate(TARGET, TARGET.replace("▢ ▢ ▢ ▢ B", "▢ ▢ ▢ B")) is None  # short last row


def test_changed_cells() -> None:
    assert rules.changed_cells(rules.empty_grid(), TARGET) == 3
    assert rules.changed_cells(TARGET, TARGET.lower()) == 0
    assert rules.changed_cells(TARGET, "B B ▢ ▢ ▢") is None


def test_instruction_text_strips_only_the_exact_tag() -> None:
    assert rules.instruction_text("Instruction: Fill row 1") == "Fill row 1"
    assert rules.instruction_text("instruction: Fill row 1") == "instruction: Fill row 1"


@functools.cache
def _shipped() -> dict:
    return generator.generate_instances()


def _instance(target: str = TARGET) -> dict:
    instance = copy.deepcopy(_shipped()["experiments"][0]["game_instances"][0])
    return {**instance, "target_grid": target}


def _event(type_: str, content: str) -> dict:
    return {"from": "x", "to": "y", "timestamp": "", "action": {"type": type_, "content": content}}


def _turn(instruction: str, drawn: str | None = None) -> list[dict]:
    events = [_event("send message", "q"), _event("get message", instruction), _event("parse", instruction)]
    if drawn is not None:
        events += [_event("send message", instruction), _event("get message", drawn), _event("parse", drawn)]
    return events


def _score(turns: list[list[dict]], target: str = TARGET) -> dict:
    return score_episode(
        get_game("imagegame"), {"name": "compact_grids"}, _instance(target), {"players": {}, "turns": turns}
    )


def test_scorer_win_after_two_turns() -> None:
    scores = _score(
        [
            _turn("Instruction: Put B in the top left two cells", grid((0, 0), (0, 1))),
            _turn("Instruction: Put B bottom right", TARGET),
            _turn("Instruction: DONE"),
        ]
    )
    episode = scores["episode scores"]
    assert scores["turn scores"][0]["F1"] == 80.0  # P 100, R 67 -> 0.8 -> 80
    assert scores["turn scores"][0]["Changed Cell Count"] == 2
    assert scores["turn scores"][1]["Changed Cell Count"] == 1
    assert scores["turn scores"][0]["Generated Expression Length"] == len("Put B in the top left two cells")
    assert scores["turn scores"][0]["Generated Expression Number of Tokens"] == 8
    assert (episode["Main Score"], episode["Success"], episode["Lose"], episode["Aborted"]) == (100.0, 1, 0, 0)
    assert episode["Average Changed Cell Count"] == 1.5
    assert (episode["Request Count"], episode["Parsed Request Count"], episode["Request Success Ratio"]) == (4, 4, 1.0)


def test_scorer_loss_below_99() -> None:
    episode = _score([_turn("Instruction: top left", grid((0, 0), (0, 1)))])["episode scores"]
    assert (episode["Main Score"], episode["Success"], episode["Lose"], episode["Aborted"]) == (80.0, 0, 1, 0)


def test_scorer_keeps_previous_values_when_evaluation_fails() -> None:
    scores = _score([_turn("Instruction: a", grid((0, 0), (0, 1))), _turn("Instruction: erase", rules.empty_grid())])
    assert scores["turn scores"][1]["F1"] == scores["turn scores"][0]["F1"] == 80.0
    assert scores["turn scores"][1]["Changed Cell Count"] == 2


def test_scorer_abort_on_bad_grid() -> None:
    turns = [_turn("Instruction: a", grid((0, 0))), _turn("Instruction: b", TARGET.lower())]
    turns[1][5]["action"]["type"] = "invalid format"
    scores = _score(turns)
    episode = scores["episode scores"]
    assert list(scores["turn scores"]) == [0]  # the aborted turn has no turn scores
    assert math.isnan(episode["Main Score"]) and math.isnan(episode["Average Changed Cell Count"])
    assert (episode["Success"], episode["Lose"], episode["Aborted"]) == (0, 0, 1)
    assert (episode["Request Count"], episode["Violated Request Count"], episode["Request Success Ratio"]) == (
        4,
        1,
        0.75,
    )


def test_scorer_abort_on_bad_instruction() -> None:
    episode = _score(
        [[_event("send message", "q"), _event("get message", "Let me think"), _event("invalid format", "x")]]
    )["episode scores"]
    assert episode["Aborted"] == 1 and episode["Request Count"] == 1 and episode["Request Success Ratio"] == 0.0


def test_scorer_done_first_is_a_loss_not_a_crash() -> None:
    episode = _score([[_event("send message", "q"), _event("get message", "Instruction: DONE")]])["episode scores"]
    assert (episode["Main Score"], episode["F1"], episode["Success"], episode["Lose"], episode["Aborted"]) == (
        0,
        0,
        0,
        1,
        0,
    )
    assert math.isnan(episode["Average Generated Instruction Length"])
    assert (episode["Request Count"], episode["Request Success Ratio"]) == (0, 0)


# -- master end conditions --
async def test_master_stops_after_25_turns() -> None:
    replies = []
    for _ in range(30):
        replies += ["Instruction: Put B in the top left", grid((0, 0))]
    model = ScriptedModel(ModelSpec(name="s", backend="scripted"), replies)
    instance = _instance()
    record = await play_episode(get_game("imagegame"), {"name": "compact_grids"}, instance, [model])
    assert len(record.interactions["turns"]) == 25 and model.calls == 50
    assert len(record.requests) == 50
    episode = score_episode(get_game("imagegame"), {"name": "x"}, instance, record.interactions)["episode scores"]
    assert episode["Aborted"] == 0 and episode["Request Count"] == 50


# -- programmatic players and generator --
def _programmatic(policy: str) -> ProgrammaticModel:
    return ProgrammaticModel(
        ModelSpec(name=f"programmatic-{policy}", backend="programmatic", options={"policy": policy})
    )


@pytest.mark.parametrize(("policy", "aborted", "main"), [("oracle", 0, 100.0), ("breaker", 1, None), ("quitter", 0, 0)])
async def test_programmatic_policies(policy: str, aborted: int, main: float | None) -> None:
    game, instance = get_game("imagegame"), _instance()
    record = await play_episode(game, {"name": "compact_grids"}, instance, [_programmatic(policy)])
    episode = score_episode(game, {"name": "compact_grids"}, instance, record.interactions)["episode scores"]
    assert episode["Aborted"] == aborted
    assert math.isnan(episode["Main Score"]) if main is None else episode["Main Score"] == main


def test_oracle_instructions_one_per_row_and_letter() -> None:
    assert oracle_instructions(TARGET) == [
        "Instruction: Put the letter B in row 1, columns 1, 2",
        "Instruction: Put the letter B in row 5, column 5",
    ]


async def test_oracle_wins_every_shipped_and_official_instance(reference) -> None:
    game = get_game("imagegame")
    official = json.loads((reference / "games/imagegame/in/instances.json").read_text(encoding="utf-8"))
    shipped = json.loads(game.default_instances.read_text(encoding="utf-8"))
    played = 0
    for data in (shipped, official):
        for experiment in data["experiments"]:
            for instance in experiment["game_instances"]:
                record = await play_episode(game, experiment, instance, [_programmatic("oracle")])
                scores = score_episode(game, experiment, instance, record.interactions)["episode scores"]
                assert scores["Main Score"] == 100.0, (experiment["name"], instance["game_id"])
                played += 1
    assert played == 80


def test_instance_files_load(reference) -> None:
    game = get_game("imagegame")
    for path in (game.default_instances, reference / "games/imagegame/in/instances.json"):
        data = load_instances(path, game.experiment_schema, game.instance_schema)
        assert sum(len(e["game_instances"]) for e in data["experiments"]) == 40


def test_generator_is_seeded_and_shipped_file_is_current() -> None:
    data = generator.generate_instances()
    assert data == generator.generate_instances()
    assert data != generator.generate_instances(seed=7)
    assert [(e["name"], len(e["game_instances"])) for e in data["experiments"]] == [
        ("compact_grids", 20),
        ("random_grids", 20),
    ]
    assert json.loads(get_game("imagegame").default_instances.read_text(encoding="utf-8")) == data
    for instance in data["experiments"][1]["game_instances"]:
        assert 5 <= instance["number_of_letters"] <= 10
        assert rules.is_grid(instance["target_grid"], GRID_PATTERN)
