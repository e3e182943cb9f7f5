"""Whole wordle episodes with programmatic and scripted players: known outcomes, retry counters,
the critic re-prompted as in v1.6 up to a safety bound, context overflow, and the shipped default instances."""

from __future__ import annotations

import json
import math

import pytest
from conftest import REFERENCE

from parlour.chat import Generation, Model
from parlour.errors import ContextExceededError
from parlour.games.episode import play_episode, score_episode
from parlour.games.instances import load_instances
from parlour.games.registry import get_game
from parlour.games.wordle.generator import generate_instances
from parlour.games.wordle.master import CRITIC_REPROMPT_LIMIT
from parlour.models.programmatic import ProgrammaticModel, ScriptedModel
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec

GAMES = ("wordle", "wordle_withclue", "wordle_withcritic")


def default_experiments(game_name: str) -> list[dict]:
    game = get_game(game_name)
    data = load_instances(game.default_instances, game.experiment_schema, game.instance_schema)
    return data["experiments"]


def start_experiment(game_name: str) -> dict:
    """parlour's first experiment of the game, its first instance set to the target "start" (so that the
    rule tests below need no clembench data)."""
    experiment = default_experiments(game_name)[0]
    assert {"start", "crane"} <= set(experiment["english_words"]) and "xyzzy" not in experiment["english_words"]
    first = {**experiment["game_instances"][0], "target_word": "start", "target_word_clue": "the beginning"}
    return {**experiment, "game_instances": [first]}


def official_experiments(game_name: str) -> list[dict]:
    game = get_game(game_name)
    path = REFERENCE / "games" / game_name / "in" / "instances.json"
    return load_instances(path, game.experiment_schema, game.instance_schema)["experiments"]


async def play(game_name: str, experiment: dict, instance: dict, models: list[Model]) -> tuple[dict, dict]:
    game = get_game(game_name)
    record = await play_episode(game, experiment, instance, models)
    return record.interactions, score_episode(game, experiment, instance, record.interactions)


def programmatic(policy: str) -> Model:
    return ProgrammaticModel(lookup(f"programmatic:{policy}"))


def scripted(replies: list[str], name: str = "scripted") -> ScriptedModel:
    return ScriptedModel(ModelSpec(name=name, backend="scripted"), replies)


def final_data(interactions: dict) -> dict:
    return interactions["turns"][-1][-1]["action"]["data_for_computation"]


@pytest.mark.parametrize("game_name", GAMES)
@pytest.mark.parametrize("source", ["default", pytest.param("official", marks=pytest.mark.reference)])
async def test_oracle_wins_with_main_score_100(game_name: str, source: str) -> None:
    experiments = default_experiments(game_name) if source == "default" else official_experiments(game_name)
    for experiment in experiments:
        instance = experiment["game_instances"][0]
        interactions, scores = await play(game_name, experiment, instance, [programmatic("oracle")])
        assert scores["episode scores"]["Main Score"] == 100
        assert scores["episode scores"]["Success"] == 1
        assert final_data(interactions)["turns_guess_feedback"][0][0] == instance["target_word"]


@pytest.mark.parametrize("game_name", GAMES)
async def test_feedback_solver_wins_within_six_guesses(game_name: str) -> None:
    experiment = default_experiments(game_name)[0]
    for instance in experiment["game_instances"][:3]:
        interactions, scores = await play(game_name, experiment, instance, [programmatic("solver")])
        data = final_data(interactions)
        assert data["game_final_status"] == "WIN", data["turns_guess_feedback"]
        assert data["turns_guess_feedback"][-1][0] == instance["target_word"]
        assert 1 <= data["total_attempts"] <= 6
        assert scores["episode scores"]["Main Score"] > 0


@pytest.mark.parametrize("game_name", GAMES)
async def test_format_breaker_is_aborted_on_third_reply(game_name: str) -> None:
    experiment = default_experiments(game_name)[1]
    interactions, scores = await play(game_name, experiment, experiment["game_instances"][0], [programmatic("breaker")])
    data = final_data(interactions)
    assert data["game_final_status"] == "ABORTED"
    assert data["guesser_error"] == "INVALID_FORMAT"
    assert data["guesser_req_count"] == 3
    assert len(interactions["turns"]) == 3
    assert interactions["turns"][-1][-2]["action"] == {
        "type": "invalid format",
        "content": "Aborted due to invalid format in response",
        "original_content": "INVALID_FORMAT",
    }
    assert scores["episode scores"]["Aborted"] == 1
    assert math.isnan(scores["episode scores"]["Main Score"])
    assert scores["episode scores"]["Parsed Request Count"] == 0


async def test_non_words_are_parsed_and_abort_on_sixth() -> None:
    experiment = start_experiment("wordle")
    interactions, scores = await play("wordle", experiment, experiment["game_instances"][0], [programmatic("invalid")])
    data = final_data(interactions)
    assert (data["game_final_status"], data["guesser_error"]) == ("ABORTED", "NOT_VALID_ENGLISH_WORD")
    assert data["guesser_req_count"] == 6 and data["guesser_parsed_req_count"] == 6
    assert scores["episode scores"]["Request Success Ratio"] == 1.0


async def test_a_non_word_resets_the_format_error_counter() -> None:
    experiment = start_experiment("wordle")
    replies = ["Guess: a", "guess: 12345", "guess: xyzzy", "guess: ab", "Guess: b", "guess: start\nexplanation: x"]
    interactions, scores = await play("wordle", experiment, experiment["game_instances"][0], [scripted(replies)])
    data = final_data(interactions)
    assert data["game_final_status"] == "WIN"
    assert data["guesser_req_count"] == 6 and data["guesser_parsed_req_count"] == 2
    assert scores["turn scores"][1]["Request Count"] == 6


async def test_a_valid_guess_resets_the_non_word_counter() -> None:
    experiment = start_experiment("wordle")
    non_words = ["guess: xyzzy"] * 5
    replies = non_words + ["guess: crane"] + non_words + ["guess: start"]
    interactions, _ = await play("wordle", experiment, experiment["game_instances"][0], [scripted(replies)])
    data = final_data(interactions)
    assert data["game_final_status"] == "WIN"
    assert data["total_attempts"] == 2 and data["guesser_req_count"] == 12


async def test_format_errors_abort_even_when_separated_by_nothing_else() -> None:
    experiment = start_experiment("wordle")
    replies = ["guess: crane", "guess: xyzzy", "guess: lamp", "guess: pl*mb", "no tag here"]
    interactions, _ = await play("wordle", experiment, experiment["game_instances"][0], [scripted(replies)])
    data = final_data(interactions)
    # the non-word reset the format counter, so the three format errors after it abort
    assert (data["game_final_status"], data["guesser_error"], data["guesser_req_count"]) == (
        "ABORTED",
        "INVALID_FORMAT",
        5,
    )


async def test_loss_after_six_valid_guesses() -> None:
    experiment = start_experiment("wordle")
    replies = ["guess: crane"] * 6
    interactions, scores = await play("wordle", experiment, experiment["game_instances"][0], [scripted(replies)])
    assert final_data(interactions)["game_final_status"] == "LOSS"
    assert scores["episode scores"]["Main Score"] == 0
    assert scores["episode scores"]["total guess repetitions"] == 5


async def test_a_critic_that_never_recovers_stops_at_the_safety_bound() -> None:
    experiment = start_experiment("wordle_withcritic")
    instance = experiment["game_instances"][0]
    models = [programmatic("solver"), programmatic("breaker")]  # a well-formed guesser, a breaking critic
    interactions, scores = await play("wordle_withcritic", experiment, instance, models)
    data = final_data(interactions)
    assert data["game_final_status"] == "ABORTED"
    assert data["critic_error"] == "INVALID_FORMAT"
    # the first verdict and CRITIC_REPROMPT_LIMIT re-prompts (v1.6 would re-prompt forever)
    assert data["critic_req_count"] == CRITIC_REPROMPT_LIMIT + 1 and data["critic_parsed_req_count"] == 0
    assert data["critic retry count"] == CRITIC_REPROMPT_LIMIT
    kinds = [e["action"]["type"] for e in interactions["turns"][-1]]
    assert kinds.count("send message") == 1 + CRITIC_REPROMPT_LIMIT + 1  # guesser once, then the critic
    deviation, error_event = interactions["turns"][-1][-4:-2]
    assert deviation["action"]["type"] == "parlour deviation"
    assert str(CRITIC_REPROMPT_LIMIT) in deviation["action"]["content"]
    assert (error_event["from"], error_event["to"]) == ("Player 2", "GM")
    assert error_event["action"] == {"type": "error", "content": "INVALID_FORMAT"}
    assert scores["episode scores"]["Aborted"] == 1
    assert math.isnan(scores["episode scores"]["Repetition-Guesser-On-Critic-Agreement"])


@pytest.mark.parametrize("malformed", [2, 3, 10])
async def test_critic_recovers_after_malformed_verdicts_as_in_v16(malformed: int) -> None:
    """v1.6 re-prompts a malformed verdict until a valid one comes, then plays on (parlour once
    aborted on the 3rd): a right first guess wins at attempt 1 with every request counted."""
    experiment = start_experiment("wordle_withcritic")  # target "start"
    replies = [
        "guess: start\nexplanation: x",
        *[f"agreement: maybe {i}" for i in range(malformed)],
        "agreement: yes\nexplanation: fine",
        "guess: start\nexplanation: kept",
    ]
    model = scripted(replies)
    interactions, scores = await play("wordle_withcritic", experiment, experiment["game_instances"][0], [model] * 2)
    assert model.calls == len(replies)
    data = final_data(interactions)
    assert data["game_final_status"] == "WIN" and data["total_attempts"] == 1
    assert (data["critic_req_count"], data["critic_parsed_req_count"], data["critic retry count"]) == (
        malformed + 1,
        1,
        0,
    )
    episode = scores["episode scores"]
    assert episode["Main Score"] == 100
    assert episode["Request Count"] == malformed + 3  # guesser, critic (malformed + 1), guesser again
    assert episode["Parsed Request Count"] == 3
    assert episode["Violated Request Count"] == malformed
    assert scores["turn scores"][1]["Request Count"] == malformed + 3
    # each re-prompt echoes the malformed verdict and asks again, in the same turn
    critic_prompts = [e["action"]["content"] for e in interactions["turns"][0] if e["to"] == "Player 2"]
    assert critic_prompts[1:] == [critic_prompts[1]] * malformed
    assert critic_prompts[1] != critic_prompts[0] and "agreement:" in critic_prompts[1]  # the format, asked again
    assert all(e["action"]["type"] != "parlour deviation" for t in interactions["turns"] for e in t)


class OverflowModel(Model):
    """Answers with valid wrong guesses until its `limit`-th call, which does not fit the context."""

    def __init__(self, limit: int) -> None:
        super().__init__(ModelSpec(name="tiny-context", backend="scripted"))
        self.limit = limit
        self.calls = 0

    async def generate(self, messages: list[dict[str, str]]) -> Generation:
        self.calls += 1
        if self.calls >= self.limit:
            raise ContextExceededError("prompt too long", tokens_needed=5000, context_size=2048)
        text = "agreement: yes\nexplanation: ok" if "agreement:yes or no" in messages[0]["content"] else "guess: crane"
        return Generation(prompt={"messages": messages}, response={"response": text}, text=text)


@pytest.mark.parametrize(("game_name", "limit"), [("wordle", 3), ("wordle_withcritic", 2), ("wordle_withcritic", 4)])
async def test_context_overflow_aborts_the_episode(game_name: str, limit: int) -> None:
    experiment = start_experiment(game_name)
    model = OverflowModel(limit)
    interactions, scores = await play(game_name, experiment, experiment["game_instances"][0], [model, model])
    data = final_data(interactions)
    assert model.calls == limit
    assert data["game_final_status"] == "ABORTED"
    assert "CONTEXT_EXCEEDED_ERROR" in (data["guesser_error"], data["critic_error"])
    assert interactions["turns"][-1][-2]["action"]["original_content"] == "CONTEXT_EXCEEDED_ERROR"
    assert scores["episode scores"]["Aborted"] == 1
    assert scores["episode scores"]["Request Count"] == limit
    assert scores["episode scores"]["Violated Request Count"] == 1


def test_default_instances_have_identical_targets_across_variants() -> None:
    targets = {}
    for game_name in GAMES:
        experiments = default_experiments(game_name)
        assert [len(e["game_instances"]) for e in experiments] == [10, 20]
        assert [e["name"].split("_words_")[0] for e in experiments] == ["high_frequency", "medium_frequency"]
        targets[game_name] = [[i["target_word"] for i in e["game_instances"]] for e in experiments]
        for experiment in experiments:
            words = set(experiment["english_words"])
            for instance in experiment["game_instances"]:
                assert instance["target_word"] in words and len(instance["target_word"]) == 5
                assert instance["target_word_clue"] and instance["target_word"] not in instance["target_word_clue"]
    assert targets["wordle"] == targets["wordle_withclue"] == targets["wordle_withcritic"]
    all_targets = [w for band in targets["wordle"] for w in band]
    assert len(set(all_targets)) == 30


@pytest.mark.parametrize("game_name", GAMES)
def test_shipped_instances_are_what_the_seeded_generator_gives(game_name: str) -> None:
    game = get_game(game_name)
    shipped = json.loads(game.default_instances.read_text(encoding="utf-8"))
    assert game.generator is not None
    assert game.generator() == shipped
    assert generate_instances(1, game_name) == generate_instances(1, game_name)
    assert generate_instances(1, game_name) != shipped


@pytest.mark.reference
def test_default_prompts_are_our_own_wording() -> None:
    official = official_experiments("wordle_withcritic")[0]
    ours = default_experiments("wordle_withcritic")[0]
    for key in ("system_definition",):
        assert ours[key] != official[key]
    assert ours["guesser_prompt"][0]["content"] != official["guesser_prompt"][0]["content"]
    assert ours["guesser_critic_prompt"][0]["content"] != official["guesser_critic_prompt"][0]["content"]
    assert set(ours["reprompts"]) == {
        "INVALID_WORD_LENGTH",
        "INVALID_WORD",
        "NOT_VALID_ENGLISH_WORD",
        "INVALID_FORMAT",
        "CRITIC_INVALID_FORMAT",
    }


async def test_default_reprompts_are_used() -> None:
    experiment = default_experiments("wordle")[0]
    interactions, _ = await play(
        "wordle", experiment, experiment["game_instances"][0], [scripted(["guess: lamp", "guess: pl*mb", "x"])]
    )
    sent = [e["action"]["content"] for t in interactions["turns"] for e in t if e["action"]["type"] == "send message"]
    assert sent[1] == experiment["reprompts"]["INVALID_WORD_LENGTH"]
    assert sent[2] == experiment["reprompts"]["INVALID_WORD"]
