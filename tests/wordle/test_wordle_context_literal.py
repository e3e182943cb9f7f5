"""Scripted replays of replies that contain the literal text CONTEXT_EXCEEDED_ERROR, which v1.6's wordle
parser reads as a signal: as the value of a missing tag, and, as the guess, an abort."""

from __future__ import annotations

import math

import pytest

from parlour.games.episode import play_episode, score_episode
from parlour.games.instances import load_instances
from parlour.games.registry import get_game
from parlour.models.programmatic import ScriptedModel
from parlour.models.spec import ModelSpec

LITERAL = "CONTEXT_EXCEEDED_ERROR"


def start_experiment(game_name: str) -> dict:
    """parlour's first experiment of the game with the target "start" (no clembench data needed)."""
    game = get_game(game_name)
    experiment = load_instances(game.default_instances, game.experiment_schema, game.instance_schema)["experiments"][0]
    first = {**experiment["game_instances"][0], "target_word": "start", "target_word_clue": "the beginning"}
    return {**experiment, "game_instances": [first]}


async def replay(game_name: str, replies: list[str]) -> tuple[dict, dict, ScriptedModel]:
    game = get_game(game_name)
    experiment = start_experiment(game_name)
    instance = experiment["game_instances"][0]
    model = ScriptedModel(ModelSpec(name="scripted", backend="scripted"), replies)
    record = await play_episode(game, experiment, instance, [model, model])
    return record.interactions, score_episode(game, experiment, instance, record.interactions), model


def actions(turn: list[dict], kind: str) -> list:
    return [e["action"]["content"] for e in turn if e["action"]["type"] == kind]


def final_data(interactions: dict) -> dict:
    return interactions["turns"][-1][-1]["action"]["data_for_computation"]


def assert_aborted_by_literal(interactions: dict, scores: dict, requests: int, parsed: int) -> None:
    data = final_data(interactions)
    assert (data["game_final_status"], data["guesser_error"], data["critic_error"]) == ("ABORTED", LITERAL, None)
    last = interactions["turns"][-1]
    assert (
        actions(last, "metadata")[-2] == f"Guesser Error: {LITERAL} while parsing Player 1's (model: scripted) response"
    )
    assert last[-2]["action"] == {
        "type": "invalid format",
        "content": "Aborted due to invalid format in response",
        "original_content": LITERAL,
    }
    episode = scores["episode scores"]
    assert episode["Aborted"] == 1 and episode["Success"] == 0 and math.isnan(episode["Main Score"])
    assert (episode["Request Count"], episode["Parsed Request Count"]) == (requests, parsed)


@pytest.mark.parametrize("game_name", ["wordle", "wordle_withclue"])
@pytest.mark.parametrize(
    ("reply", "explanation"),
    [
        (LITERAL, LITERAL),  # no tag at all: both tags take the literal
        (f"the prompt was too long: {LITERAL}", LITERAL),
        (f"guess: {LITERAL}\nexplanation: no room left", "no room left"),
        (f"guess:{LITERAL}", LITERAL),
    ],
)
async def test_guesser_literal_aborts_where_it_used_to_play_on(game_name: str, reply: str, explanation: str) -> None:
    # before: a format error (or a non-word), re-prompted, and the right guess after it won
    replies = ["guess: crane\nexplanation: a start", reply, "guess: start\nexplanation: won"]
    interactions, scores, model = await replay(game_name, replies)
    assert model.calls == 2
    assert len(interactions["turns"]) == 2
    assert actions(interactions["turns"][-1], "parse") == [{"guess": LITERAL, "explanation": explanation}]
    assert_aborted_by_literal(interactions, scores, requests=2, parsed=1)
    assert final_data(interactions)["total_attempts"] == 1


async def test_guesser_literal_after_the_critic_aborts() -> None:
    replies = ["guess: crane\nexplanation: x", "agreement: no\nexplanation: not it", LITERAL, "guess: start"]
    interactions, scores, model = await replay("wordle_withcritic", replies)
    assert model.calls == 3
    assert_aborted_by_literal(interactions, scores, requests=3, parsed=2)
    assert final_data(interactions)["total_attempts"] == 0


@pytest.mark.parametrize("guess", [f"start {LITERAL}", f"{LITERAL.lower()}"])
async def test_only_the_exact_literal_guess_aborts(guess: str) -> None:
    # v1.6 compares the tagged guess with the literal as is: anything else is an ordinary bad word
    interactions, _, _ = await replay("wordle", [f"guess: {guess}\nexplanation: x", "guess: start\nexplanation: won"])
    data = final_data(interactions)
    assert data["game_final_status"] == "WIN" and data["guesser_req_count"] == 2


async def test_guesser_explanation_without_tag_is_the_literal() -> None:
    replies = [f"guess: start\n{LITERAL}", "agreement: yes\nexplanation: fine", "guess: start\nexplanation: kept"]
    interactions, scores, _ = await replay("wordle_withcritic", replies)
    first = interactions["turns"][0]
    assert actions(first, "parse")[0] == {"guess": "start", "explanation": LITERAL}
    # the critic is shown the explanation as parsed
    critic_prompt = [e["action"]["content"] for e in first if e["to"] == "Player 2"][0]
    assert f"guess:start\nexplanation:{LITERAL}\n" in critic_prompt
    assert final_data(interactions)["game_final_status"] == "WIN"
    assert scores["episode scores"]["Main Score"] == 100


@pytest.mark.parametrize("verdict", [LITERAL, f"agreement: {LITERAL}", f"agreement:{LITERAL}\nexplanation: full"])
async def test_critic_literal_is_a_malformed_verdict_as_in_v16(verdict: str) -> None:
    # v1.6 turns any agreement outside yes/no into INVALID_FORMAT and re-prompts (only clembench's
    # later critic fix aborts here); an untagged explanation still takes the literal
    replies = ["guess: start\nexplanation: x", verdict, "agreement: yes\nexplanation: fine", "guess: start"]
    interactions, scores, model = await replay("wordle_withcritic", replies)
    assert model.calls == 4
    explanation = "full" if "explanation:" in verdict else LITERAL
    assert actions(interactions["turns"][0], "parse")[1] == {"agreement": "INVALID_FORMAT", "explanation": explanation}
    data = final_data(interactions)
    assert (data["game_final_status"], data["critic_req_count"], data["critic_parsed_req_count"]) == ("WIN", 2, 1)
    assert scores["episode scores"]["Main Score"] == 100


async def test_critic_explanation_without_tag_reaches_the_guesser() -> None:
    replies = ["guess: crane\nexplanation: x", f"agreement: no\n{LITERAL}", "guess: start\nexplanation: y"]
    interactions, _, _ = await replay("wordle_withcritic", replies)
    first = interactions["turns"][0]
    assert actions(first, "parse")[1] == {"agreement": "no", "explanation": LITERAL}
    guesser_prompts = [e["action"]["content"] for e in interactions["turns"][1] if e["to"] == "Player 1"]
    assert f"guess_agreement:no\nagreement_explanation:{LITERAL}\n" in guesser_prompts[0]
    assert final_data(interactions)["game_final_status"] == "WIN"
