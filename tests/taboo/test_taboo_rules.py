"""Taboo's rules one by one (clembench 1.6 behaviour), the end conditions and the recorder schema."""

from __future__ import annotations

import json

import pytest

from parlour.games.episode import play_episode, score_episode
from parlour.games.registry import get_game
from parlour.games.taboo import rules
from parlour.models.programmatic import ScriptedModel
from parlour.models.spec import ModelSpec

SHIPPED = json.loads(get_game("taboo").default_instances.read_text(encoding="utf-8"))
EXPERIMENT = SHIPPED["experiments"][0]
INSTANCE = EXPERIMENT["game_instances"][0]  # middle; heart, center, eye


@pytest.mark.parametrize(
    ("reply", "valid"),
    [("CLUE: x", True), ("clue: x", False), ("Clue: x", False), (" CLUE: x", False), ("The CLUE: x", False)],
)
def test_clue_prefix_is_case_sensitive_and_leading(reply: str, valid: bool) -> None:
    assert rules.is_clue(reply) is valid


@pytest.mark.parametrize(("reply", "valid"), [("GUESS: x", True), ("Guess: x", False), ("\nGUESS: x", False)])
def test_guess_prefix(reply: str, valid: bool) -> None:
    assert rules.is_guess(reply) is valid


def test_guess_normalisation() -> None:
    assert rules.normalise_guess("GUESS:   TRANSIT?!") == "transit"
    assert rules.normalise_guess("GUESS: GUESS: Boy.") == "boy"  # every prefix occurrence is removed
    assert rules.normalise_guess("GUESS: boy\nbecause") == "boy\nbecause"  # multi-line never matches


def test_clue_normalisation() -> None:
    assert rules.normalise_clue("CLUE: A young\nKid, who is male.") == "a young\nkid who is male"


def test_stem_check_catches_morphological_variants() -> None:
    [message] = rules.clue_violations("CLUE: Being responsible.", "responsibility", ["blame"])
    assert message == (
        "Target word 'responsibility' (stem=respons) is similar to clue word 'responsible' (stem=respons)"
    )
    assert rules.clue_violations("CLUE: it is guaranteed", "promise", ["guarantee"])[0].startswith(
        "Related word 'guarantee'"
    )


def test_stem_check_ignores_substrings_stopwords_and_hidden_tokens() -> None:
    assert rules.clue_violations("CLUE: without doubt", "it", []) == []  # 'it' inside 'without' is fine
    assert rules.clue_violations("CLUE: a young\nkid", "boy", ["kid"]) == []  # split on spaces only
    assert rules.clue_violations("CLUE: kid!", "boy", ["kid"]) != []
    assert "over" in rules.ENGLISH_STOPWORDS and rules.clue_violations("CLUE: over", "over", []) == []


async def play(replies: list[str]) -> tuple[dict, list, dict]:
    game = get_game("taboo")
    model = ScriptedModel(ModelSpec(name="s", backend="scripted"), replies)
    record = await play_episode(game, EXPERIMENT, INSTANCE, [model, model])
    return record.interactions, record.requests, score_episode(game, EXPERIMENT, INSTANCE, record.interactions)


def final_event(interactions: dict) -> str:
    return interactions["turns"][-1][-1]["action"]["type"]


async def test_win_in_first_turn() -> None:
    interactions, _, scores = await play(["CLUE: halfway between", "GUESS: Middle"])
    assert final_event(interactions) == "correct guess"
    assert scores["episode scores"]["Main Score"] == 100 and scores["episode scores"]["Success"] == 1


async def test_max_turns_is_a_loss() -> None:
    replies = ["CLUE: a", "GUESS: duty", "CLUE: b", "GUESS: care", "CLUE: c", "GUESS: trust"]
    interactions, requests, scores = await play(replies)
    assert len(interactions["turns"]) == 3 and final_event(interactions) == "max turns reached"
    assert scores["episode scores"]["Lose"] == 1 and scores["episode scores"]["Main Score"] == 0
    assert scores["episode scores"]["Request Count"] == 3  # per turn, as v1.6 counts
    assert len(requests) == 6


async def test_taboo_word_is_a_loss_not_an_abort() -> None:
    interactions, _, scores = await play(["CLUE: the heart of it"])
    assert final_event(interactions) == "invalid clue"
    assert scores["episode scores"]["Aborted"] == 0 and scores["episode scores"]["Lose"] == 1


async def test_missing_prefix_aborts() -> None:
    interactions, _, scores = await play(["CLUE: duty", "duty"])
    assert final_event(interactions) == "invalid format"
    episode = scores["episode scores"]
    assert episode["Aborted"] == 1 and episode["Lose"] == 0 and episode["Success"] == 0
    assert episode["Main Score"] != episode["Main Score"]  # NaN
    assert episode["Violated Request Count"] == 1 and episode["Request Success Ratio"] == 0.0


async def test_recorder_schema() -> None:
    interactions, requests, _ = await play(["CLUE: a", "GUESS: duty", "CLUE: b", "GUESS: middle"])
    assert set(interactions["players"]) == {"GM", "Player 1", "Player 2"}
    assert interactions["players"]["Player 1"] == "WordDescriber, s"
    events = [e for turn in interactions["turns"] for e in turn]
    assert all(set(e) == {"from", "to", "timestamp", "action"} for e in events)
    got = [e for e in events if e["action"]["type"] == "get message"]
    assert [r["timestamp"] for r in requests] == [e["timestamp"] for e in got]
    assert all(set(r) == {"timestamp", "manipulated_prompt_obj", "raw_response_obj"} for r in requests)
    assert requests[1]["raw_response_obj"]["clem_player"]["response"] == "GUESS: duty"
    # the first clue reaches the guesser appended to its prompt; wrong guesses go back verbatim
    assert requests[1]["manipulated_prompt_obj"]["messages"][0]["content"].endswith("\n\nCLUE: a")
    assert requests[2]["manipulated_prompt_obj"]["messages"][-1] == {"role": "user", "content": "GUESS: duty"}
