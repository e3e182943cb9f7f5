"""Wordle's score rules on hand-made `data_for_computation` records."""

from __future__ import annotations

import math

import pytest

from parlour.games.wordle.rules import letter_feedback
from parlour.games.wordle.scorer import (
    WordleScorer,
    WordleWithClueScorer,
    WordleWithCriticScorer,
    closeness,
    strategy_scores,
)


def episode(status: str, guesses: list[str], target: str = "start", **extra) -> dict:
    results = [[g, letter_feedback(g, target)] for g in guesses]
    data = {
        "total_attempts": len(guesses),
        "turns_req_count": list(range(1, len(guesses) + 1)),
        "turns_parse_count": list(range(1, len(guesses) + 1)),
        "turns_guess_feedback": results,
        "critic_guesses_change": [],
        "guesser_req_count": len(guesses),
        "critic_req_count": 0,
        "guesser_parsed_req_count": len(guesses),
        "critic_parsed_req_count": 0,
        "game_final_status": status,
        "use_clue": False,
        "use_critic": False,
    }
    data.update(extra)
    event = {"from": "GM", "to": "GM", "action": {"type": "metadata", "content": "", "data_for_computation": data}}
    return {"players": {}, "turns": [[event]]}


def score(scorer_class: type, interactions: dict) -> dict:
    return scorer_class({}, {}).compute_scores(interactions)


WIN_PATHS = {
    1: ["start"],
    2: ["crane", "start"],
    3: ["crane", "stars", "start"],
    4: ["crane", "stars", "smart", "start"],
}
WIN_PATHS[5] = ["crane", "teeth", "stars", "smart", "start"]
WIN_PATHS[6] = ["crane", "teeth", "sassy", "stars", "smart", "start"]


@pytest.mark.parametrize(("n", "main"), [(1, 100), (2, 100), (3, 100), (4, 50), (5, 30), (6, 20)])
def test_wordle_main_score_is_tiered(n: int, main: int) -> None:
    scores = score(WordleScorer, episode("WIN", WIN_PATHS[n]))
    assert scores["episode scores"]["Main Score"] == main
    assert scores["episode scores"]["Success"] == 1


@pytest.mark.parametrize(("n", "main"), [(1, 100.0), (2, 50.0), (3, 33.33), (6, 16.67)])
@pytest.mark.parametrize("scorer_class", [WordleWithClueScorer, WordleWithCriticScorer])
def test_clue_and_critic_main_score_is_100_over_n(scorer_class: type, n: int, main: float) -> None:
    scores = score(scorer_class, episode("WIN", WIN_PATHS[n]))
    assert scores["episode scores"]["Main Score"] == main


def test_loss_scores_zero_and_counts_repetitions() -> None:
    scores = score(WordleScorer, episode("LOSS", ["crane", "crane", "teeth", "sassy", "teeth", "smart"]))
    episode_scores = scores["episode scores"]
    assert (episode_scores["Lose"], episode_scores["Success"], episode_scores["Aborted"]) == (1, 0, 0)
    assert episode_scores["Main Score"] == 0
    assert episode_scores["repeats guess"] == 1
    assert episode_scores["total guess repetitions"] == 2


def test_aborted_scores_are_nan_and_request_counts_kept() -> None:
    interactions = episode(
        "ABORTED",
        ["crane"],
        guesser_req_count=4,
        guesser_parsed_req_count=1,
    )
    scores = score(WordleScorer, interactions)
    episode_scores = scores["episode scores"]
    assert episode_scores["Aborted"] == 1 and episode_scores["Lose"] == 0 and episode_scores["Success"] == 0
    assert math.isnan(episode_scores["Main Score"])
    assert math.isnan(episode_scores["repeats guess"]) and math.isnan(episode_scores["total guess repetitions"])
    assert episode_scores["Request Count"] == 4
    assert episode_scores["Violated Request Count"] == 3
    assert episode_scores["Request Success Ratio"] == 0.25
    # a single checked guess in an aborted game has strategy 0, not 100
    assert scores["turn scores"][1]["strategy score"] == 0


def test_abort_without_any_checked_guess_gives_nan_turn_one() -> None:
    scores = score(WordleScorer, episode("ABORTED", [], guesser_req_count=3, guesser_parsed_req_count=0))
    turn = scores["turn scores"][1]
    assert list(turn) == ["closeness score", "strategy score"]
    assert math.isnan(turn["closeness score"]) and math.isnan(turn["strategy score"])
    assert scores["episode scores"]["Request Success Ratio"] == 0.0


def test_turn_request_counts_are_decumulated() -> None:
    interactions = episode(
        "LOSS",
        ["crane"] * 6,
        turns_req_count=[3, 5, 6, 7, 9, 10],
        turns_parse_count=[1, 2, 3, 4, 5, 6],
        guesser_req_count=10,
        guesser_parsed_req_count=6,
    )
    turns = score(WordleScorer, interactions)["turn scores"]
    assert [turns[i]["Request Count"] for i in range(1, 7)] == [3, 2, 1, 1, 2, 1]
    assert [turns[i]["Violated Request Count"] for i in range(1, 7)] == [2, 1, 0, 0, 1, 0]


def test_closeness_counts_greens_and_yellows() -> None:
    assert closeness("s<green> m<red> a<green> r<green> t<yellow>") == 18
    assert closeness("t<yellow> h<yellow> i<yellow> g<yellow> h<red>") == 12


def test_strategy_rewards_kept_greens_and_punishes_reused_reds() -> None:
    results = [[g, letter_feedback(g, "start")] for g in WIN_PATHS[6]]
    # crane->teeth reuses red e (-20); sassy->stars reuses red s (-20), keeps green s (+20), yellow a (+10);
    # stars->smart reuses red s, keeps 4 greens; smart->start keeps 3 greens and yellow t
    assert strategy_scores(results) == [0, -20, 0, 10, 60, 70]
    assert strategy_scores([["start", letter_feedback("start", "start")]]) == [100]


def test_critic_metrics_count_only_lowercase_yes_as_agreement() -> None:
    changes = [["smart", "dully", "NO"], ["dimly", "dimly", "Yes"], ["crane", "crane", "yes"]]
    interactions = episode("WIN", ["dully", "crane", "dimly"], target="dimly", use_critic=True)
    interactions["turns"][-1][-1]["action"]["data_for_computation"]["critic_guesses_change"] = changes
    scores = score(WordleWithCriticScorer, interactions)
    episode_scores = scores["episode scores"]
    assert episode_scores["Repetition-Guesser-On-Critic-Agreement"] == 1.0
    assert episode_scores["Non-Repetition-Guesser-On-Critic-Agreement"] == 0.0
    assert episode_scores["Repetition-Guesser-On-Critic-Disagreement"] == 0.5
    assert episode_scores["Non-Repetition-Guesser-On-Critic-Disagreement"] == 0.5
    assert [scores["turn scores"][i]["change_of_opinion"] for i in (1, 2, 3)] == [1, 0, 0]


def test_critic_metrics_zero_without_cases_and_nan_without_verdicts() -> None:
    interactions = episode("WIN", ["start"], use_critic=True, critic_guesses_change=[["start", "start", "no"]])
    episode_scores = score(WordleWithCriticScorer, interactions)["episode scores"]
    assert episode_scores["Repetition-Guesser-On-Critic-Agreement"] == 0
    assert episode_scores["Repetition-Guesser-On-Critic-Disagreement"] == 1.0
    empty = score(WordleWithCriticScorer, episode("ABORTED", [], use_critic=True))
    assert all(math.isnan(v) for k, v in empty["episode scores"].items() if "Critic" in k)
    assert math.isnan(empty["turn scores"][1]["change_of_opinion"])


def test_interactions_without_final_data_give_no_scores() -> None:
    assert score(WordleScorer, {"players": {}, "turns": []}) == {"turn scores": {}, "episode scores": {}}
