"""privateshared's scorer: parity with the official v1.6 scores and every formula and edge case."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import REFERENCE
from support.records import scores_equal
from support.scripted import scripted_cases

from parlour.games.episode import score_episode
from parlour.games.privateshared import GAME
from parlour.games.privateshared.agreement import accuracy, cohen_kappa
from parlour.games.privateshared.scorer import PrivateSharedScorer, main_score, truncate_kappa
from parlour.models.programmatic import ScriptedModel
from parlour.models.spec import ModelSpec

CASES = scripted_cases(REFERENCE, "privateshared")
REAL = REFERENCE / "episodes"


def _real_episodes() -> list[Path]:
    return sorted(p for p in REAL.glob("*/privateshared/*/episode_*") if (p / "scores.json").is_file())


@pytest.mark.reference
@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_rescoring_recorded_interactions_gives_official_scores(case, tmp_path) -> None:
    # a copy of the episode without its scores.json, as `parlour score` sees it
    for name in ("instance.json", "interactions.json"):
        (tmp_path / name).write_text((case.episode_dir / name).read_text(encoding="utf-8"), encoding="utf-8")
    instance = json.loads((tmp_path / "instance.json").read_text(encoding="utf-8"))
    interactions = json.loads((tmp_path / "interactions.json").read_text(encoding="utf-8"))
    ours = score_episode(GAME, case.experiment, instance, interactions)
    official = case.load("scores.json")
    assert scores_equal(ours, official)
    assert list(ours["episode scores"]) == list(official["episode scores"])
    for turn, values in official["turn scores"].items():
        assert list(ours["turn scores"][int(turn)]) == list(values)
    # ints stay ints and floats floats, as in the official file
    for key, value in official["episode scores"].items():
        assert type(ours["episode scores"][key]) is type(value), key


def _letter_number_episode(episode: Path) -> tuple[dict, list[str]]:
    """The real episode's instance and answerer replies that give its recorded per-round accuracies
    (wrong probe answers first in each round; the record holds only scores.json)."""
    instance = json.loads((episode / "instance.reconstructed.json").read_text(encoding="utf-8"))
    official = json.loads((episode / "scores.json").read_text(encoding="utf-8"))
    n = len(instance["slots"])
    turn_of = {slot: i for i, slot in enumerate(instance["request_order"])}
    replies: list[str] = []
    for round_idx in range(n + 1):
        if round_idx > 0:
            slot = instance["request_order"][round_idx - 1]
            replies.append(f"ANSWER: {instance['slots'][slot]}")
        wrong = round(n * (1 - official["turn scores"][str(round_idx)]["Accuracy"]))
        for k, slot in enumerate(instance["probes"][str(round_idx)]):
            truth = round_idx > turn_of[slot]
            said = truth if k >= wrong else not truth
            replies.append("ASIDE: yes" if said else "ASIDE: no")
    return instance, replies


@pytest.mark.reference
def test_real_episodes_present() -> None:
    assert len(_real_episodes()) == 1


@pytest.mark.reference
@pytest.mark.parametrize("episode", _real_episodes(), ids=lambda p: p.parent.name + "/" + p.name)
async def test_real_episode_scores_replayed_through_master(episode: Path) -> None:
    """Meta-Llama-3-70B letter-number/episode_3: the official instance, played through parlour's master
    with the official texts and replies of the same per-round accuracy, scores exactly as recorded."""
    from parlour.games.episode import play_episode

    instance, replies = _letter_number_episode(episode)
    model = ScriptedModel(ModelSpec(name="scripted", backend="scripted"), replies)
    official = REFERENCE / "games" / "privateshared" / "in" / "instances.json"
    experiment = GAME.attach_resources({"name": episode.parent.name.split("_", 1)[1]}, official)
    record = await play_episode(GAME, experiment, instance, [model, model])
    assert model.calls == len(replies)
    ours = score_episode(GAME, experiment, instance, record.interactions)
    official = json.loads((episode / "scores.json").read_text(encoding="utf-8"))
    assert scores_equal(ours, official)
    assert ours["episode scores"]["Kappa"] == pytest.approx(0.7818181818181819, abs=1e-15)


# --- formulas ---------------------------------------------------------------------------------


def test_kappa_all_correct_is_one() -> None:
    assert cohen_kappa([0, 0, 1, 1], [0, 0, 1, 1]) == 1.0


def test_kappa_constant_predictions_is_zero() -> None:
    assert cohen_kappa([0, 0, 1, 1, 1], [1, 1, 1, 1, 1]) == pytest.approx(0.0, abs=1e-12)
    assert cohen_kappa([0, 1, 1], [0, 0, 0]) == pytest.approx(0.0, abs=1e-12)


def test_kappa_same_constant_gold_and_pred_is_nan() -> None:
    # scikit-learn's 0/0: v1.6 gets NaN (never reached in a complete episode)
    assert math.isnan(cohen_kappa([1, 1, 1], [1, 1, 1]))


def test_kappa_known_values() -> None:
    # observed 0.8, expected 0.5 -> 0.6
    assert cohen_kappa([0] * 5 + [1] * 5, [0, 0, 0, 0, 1, 1, 1, 1, 1, 0]) == pytest.approx(0.6)
    # systematic disagreement is negative
    assert cohen_kappa([0, 1, 0, 1], [1, 0, 1, 0]) == pytest.approx(-1.0)
    # an invalid label (2) is a third category
    assert cohen_kappa([0, 1, 1], [0, 1, 2]) == pytest.approx(0.5)
    with pytest.raises(ValueError):
        cohen_kappa([], [])


def test_accuracy() -> None:
    assert accuracy([0, 1, 1, 0], [0, 1, 0, 0]) == 0.75
    assert isinstance(accuracy([1], [1]), float)


def test_truncated_kappa_and_main_score() -> None:
    assert truncate_kappa(-0.3) == 0
    assert truncate_kappa(0.4) == 0.4
    assert truncate_kappa(float("nan")) == 0  # max(0, nan) keeps 0
    assert main_score(1.0, 1.0) == 100.0
    assert main_score(0.8, 0.8666666666666667) == pytest.approx(83.2)
    assert main_score(1.0, 0.7818181818181819) == pytest.approx(87.75510204081634)
    assert main_score(0.0, 0.0) == 0
    assert main_score(1.0, 0) == 0
    assert math.isnan(main_score(float("nan"), float("nan")))


def _interactions(rounds: list[list[tuple[int, int]]], filled: list[bool], aborted: bool = False) -> dict:
    """Minimal interactions: rounds of (gt, value) probes, one request per probe and slot answer."""
    counts = [len(r) + (1 if i else 0) for i, r in enumerate(rounds)]
    return {
        "probes": [[{"gt": g, "value": v} for g, v in r] for r in rounds],
        "Request Count": counts,
        "Parsed Request Count": counts,
        "Violated Request Count": [0] * len(rounds),
        "Filled Slots": filled,
        "Aborted": aborted,
        "Played Probe Rounds": len(rounds),
        "realised_slots": {},
    }


def _score(interactions: dict, n_slots: int) -> dict:
    slots = {f"s{i}": str(i) for i in range(n_slots)}
    return PrivateSharedScorer({}, {"slots": slots}).compute_scores(interactions)


def test_all_probes_correct_but_slot_missed_loses() -> None:
    rounds = [[(0, 0), (0, 0)], [(1, 1), (0, 0)], [(1, 1), (1, 1)]]
    scores = _score(_interactions(rounds, [True, False]), 2)["episode scores"]
    assert scores["Accuracy"] == 1.0 and scores["Kappa"] == 1.0
    assert scores["Slot-Filling-Accuracy"] == 0.5
    assert scores["Main Score"] == pytest.approx(100 * 2 * 0.5 / 1.5)
    assert (scores["Success"], scores["Lose"], scores["Aborted"]) == (0, 1, 0)
    assert scores["Middle-Accuracy"] == 1.0  # round int(3/2) - 1 = 0


def test_constant_yes_probes_score_zero() -> None:
    rounds = [[(0, 1), (0, 1)], [(1, 1), (0, 1)], [(1, 1), (1, 1)]]
    scores = _score(_interactions(rounds, [True, True]), 2)["episode scores"]
    assert scores["Kappa"] == pytest.approx(0.0, abs=1e-12)
    assert scores["Truncated Kappa"] == pytest.approx(0.0, abs=1e-12)
    assert scores["Main Score"] == pytest.approx(0.0, abs=1e-9)
    assert scores["Lose"] == 1


def test_negative_kappa_is_truncated() -> None:
    rounds = [[(0, 1), (0, 1)], [(1, 0), (0, 1)], [(1, 0), (1, 0)]]
    scores = _score(_interactions(rounds, [True, True]), 2)["episode scores"]
    assert scores["Kappa"] < 0
    assert scores["Truncated Kappa"] == 0
    assert scores["Main Score"] == 0


def test_turn_scores_and_middle_round() -> None:
    rounds = [[(0, 0)] * 3, [(1, 1), (0, 0), (0, 1)], [(1, 1), (1, 1), (0, 0)], [(1, 1)] * 3]
    scores = _score(_interactions(rounds, [True, True, False]), 3)
    turns = scores["turn scores"]
    assert "Slot Filled?" not in turns[0]
    assert [turns[t]["Slot Filled?"] for t in (1, 2, 3)] == [1, 1, 0]
    assert turns[1]["Accuracy"] == pytest.approx(2 / 3)
    assert turns[1]["Request Count"] == 4
    # 3 slots: middle round int(4/2) - 1 = 1
    assert scores["episode scores"]["Middle-Accuracy"] == pytest.approx(2 / 3)
    assert scores["episode scores"]["Accuracy"] == pytest.approx(11 / 12)


def test_aborted_before_middle_round_has_no_middle_accuracy() -> None:
    inter = _interactions([[(0, 0)] * 5, [(1, 1)] + [(0, 0)] * 4], [True], aborted=True)
    inter["Request Count"] = inter["Request Count"] + [1, 0, 0, 0]
    inter["Parsed Request Count"] = inter["Parsed Request Count"] + [0, 0, 0, 0]
    inter["Violated Request Count"] = [0, 0, 1, 0, 0, 0]
    scores = _score(inter, 5)
    episode = scores["episode scores"]
    assert "Middle-Accuracy" not in episode
    assert all(math.isnan(episode[k]) for k in ("Accuracy", "Kappa", "Truncated Kappa", "Main Score"))
    assert (episode["Aborted"], episode["Lose"], episode["Success"]) == (1, 0, 0)
    assert episode["Request Count"] == 12 and episode["Violated Request Count"] == 1
    assert episode["Request Success Ratio"] == pytest.approx(11 / 12)
    assert sorted(scores["turn scores"]) == [0, 1]


def test_aborted_after_middle_round_logs_nan_middle_accuracy() -> None:
    inter = _interactions([[(0, 0)] * 2, [(1, 1), (0, 0)]], [True], aborted=True)
    episode = _score(inter, 2)["episode scores"]
    assert list(episode)[0] == "Middle-Accuracy" and math.isnan(episode["Middle-Accuracy"])
