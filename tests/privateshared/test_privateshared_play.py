"""privateshared played by programmatic answerers on parlour's default and the official v1.6
instances, the seeded generator, and where the game's texts come from."""

from __future__ import annotations

import json
import math
import re

import pytest
from conftest import REFERENCE

from parlour.errors import InstanceFileError
from parlour.games.episode import experiment_config, play_episode, score_episode
from parlour.games.instances import load_instances
from parlour.games.privateshared import GAME
from parlour.games.privateshared.generator import EXPERIMENTS, generate_instances
from parlour.games.privateshared.texts import ENV_RESOURCES, load_texts
from parlour.games.registry import get_game
from parlour.models.programmatic import ProgrammaticModel
from parlour.models.spec import ModelSpec

OFFICIAL = REFERENCE / "games" / "privateshared" / "in" / "instances.json"


def _model(policy: str) -> ProgrammaticModel:
    return ProgrammaticModel(
        ModelSpec(name=f"programmatic-{policy}", backend="programmatic", options={"policy": policy})
    )


def _episodes(data: dict) -> list[tuple[dict, dict]]:
    return [(exp, inst) for exp in data["experiments"] for inst in exp["game_instances"]]


async def _play(experiment: dict, instance: dict, policy: str) -> tuple[dict, dict]:
    model = _model(policy)
    record = await play_episode(GAME, experiment, instance, [model, model])
    return record.interactions, score_episode(GAME, experiment, instance, record.interactions)


def test_registered_as_single_player() -> None:
    assert get_game("privateshared") is GAME
    assert GAME.single_player


@pytest.mark.parametrize("source", ["default", pytest.param("official", marks=pytest.mark.reference)])
async def test_oracle_scores_100_on_every_instance(source: str) -> None:
    path = GAME.default_instances if source == "default" else OFFICIAL
    data = load_instances(path, GAME.experiment_schema, GAME.instance_schema)
    data["experiments"] = [GAME.attach_resources(e, path) for e in data["experiments"]]
    episodes = _episodes(data)
    assert len(episodes) == 50
    for experiment, instance in episodes:
        _, scores = await _play(experiment, instance, "oracle")
        episode = scores["episode scores"]
        where = f"{experiment['name']}/{instance['game_id']}"
        assert episode["Main Score"] == 100.0, where
        assert (episode["Success"], episode["Aborted"], episode["Violated Request Count"]) == (1, 0, 0), where


async def test_breaker_is_aborted_in_the_first_probing_round() -> None:
    experiment, instance = _episodes(json.loads(GAME.default_instances.read_text(encoding="utf-8")))[0]
    interactions, scores = await _play(experiment, instance, "breaker")
    assert interactions["Aborted"] is True
    assert interactions["Played Probe Rounds"] == 0
    first, *rest = interactions["probes"][0]
    assert first["tries"] == 6 and first["value"] == 2  # v1.6 logs one past the last try
    assert all("answer" not in probe for probe in rest)  # the round stops at the failed probe
    assert interactions["Request Count"][0] == 5 and interactions["Violated Request Count"][0] == 5
    episode = scores["episode scores"]
    assert (episode["Aborted"], episode["Success"], episode["Lose"]) == (1, 0, 0)
    assert math.isnan(episode["Main Score"])
    assert scores["turn scores"] == {}
    # the retries carry the experiment's reprompt suffixes
    questions = [e["action"]["content"] for e in interactions["turns"][0] if e["action"]["type"] == "probe question"]
    suffixes = experiment["reprompts"]
    assert len(questions) == len(suffixes) == 5
    assert all(q.startswith(f"ME: {s} ") for q, s in zip(questions, suffixes, strict=True))


async def test_chatty_answer_is_aborted_in_slot_filling() -> None:
    experiment, instance = _episodes(json.loads(GAME.default_instances.read_text(encoding="utf-8")))[3]
    interactions, scores = await _play(experiment, instance, "chatty")
    assert interactions["Aborted"] is True and interactions["Played Probe Rounds"] == 1
    last = [e["action"] for e in interactions["turns"][-1]]
    assert last[-2] == {"type": "invalid format", "content": "Abort: invalid format in slot filling."}
    assert scores["episode scores"]["Aborted"] == 1


async def test_yes_sayer_loses_with_kappa_zero() -> None:
    experiment, instance = _episodes(json.loads(GAME.default_instances.read_text(encoding="utf-8")))[12]
    _, scores = await _play(experiment, instance, "yes")
    episode = scores["episode scores"]
    assert episode["Slot-Filling-Accuracy"] == 1.0
    assert episode["Kappa"] == pytest.approx(0.0, abs=1e-12)
    assert episode["Main Score"] == pytest.approx(0.0, abs=1e-9)
    assert (episode["Lose"], episode["Success"], episode["Aborted"]) == (1, 0, 0)


async def test_coda_is_logged_but_not_sent() -> None:
    experiment, instance = _episodes(json.loads(GAME.default_instances.read_text(encoding="utf-8")))[0]
    model = _model("oracle")
    record = await play_episode(GAME, experiment, instance, [model, model])
    sent = [e["action"]["content"] for e in record.interactions["turns"][1] if e["to"] == "Player 1"]
    coda = experiment["words"]["CODA"].replace("{}", "")
    assert sent[0].endswith(coda) and sent[0].startswith(f"{instance['tag']}: ")
    slot_prompt = next(
        r
        for r in record.requests
        if r["manipulated_prompt_obj"]["messages"][-1]["role"] == "user"
        and r["manipulated_prompt_obj"]["messages"][-1]["content"].startswith(instance["tag"])
    )
    assert slot_prompt["manipulated_prompt_obj"]["messages"][-1]["content"] == sent[0][: -len(coda)]
    # probes are asked on copies: the history holds only requests and answers
    last = record.requests[-1]["manipulated_prompt_obj"]["messages"]
    assert [m["role"] for m in last[:2]] == ["user", "assistant"] and last[1]["content"] == "Ok."
    assert sum(1 for m in last if m["content"].startswith("ME:")) == 1


def test_generator_is_deterministic_and_matches_shipped_file() -> None:
    first = generate_instances()
    assert first == generate_instances()
    assert first == json.loads(GAME.default_instances.read_text(encoding="utf-8"))
    assert generate_instances(seed=7) != first
    assert GAME.generator is not None and GAME.generator() == first


def test_generated_instances_have_v16_shape() -> None:
    data = generate_instances()
    assert [e["name"] for e in data["experiments"]] == list(EXPERIMENTS)
    sizes = {"travel-booking": 5, "job-interview": 5, "restaurant": 5, "things-places": 15, "letter-number": 10}
    for experiment in data["experiments"]:
        assert len(experiment["game_instances"]) == 10
        texts = load_texts(experiment_config(experiment))
        for instance in experiment["game_instances"]:
            slots = instance["slots"]
            assert len(slots) == sizes[experiment["name"]]
            assert sorted(instance["request_order"]) == sorted(slots)
            assert sorted(instance["probes"]) == sorted(str(t) for t in range(len(slots) + 1))
            values = [v.lower() for v in slots.values()]
            assert not any(a in b for a in values for b in values if a is not b)
            for slot, idx in instance["requests"].items():
                assert 0 <= idx < len(texts.requests[slot])
            for plan in instance["probes"].values():
                assert all(0 <= idx < len(texts.probes[slot]) for slot, idx in plan.items())
            for value in slots.values():
                assert value in instance["initial_prompt"]
            assert f'"{instance["tag"]}:"' in instance["initial_prompt"]
        assert texts.probe.startswith(texts.me)


@pytest.mark.reference
def test_official_texts_found_beside_the_instances_file(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(ENV_RESOURCES, raising=False)
    monkeypatch.chdir(tmp_path)
    experiment = GAME.attach_resources({"name": "travel-booking"}, OFFICIAL)
    texts = load_texts(experiment)
    assert texts.answer == "ANSWER: " and len(texts.reprompts) == 5
    assert len(texts.requests["from"]) == 5
    with pytest.raises(InstanceFileError, match="was not found"):
        load_texts({"name": "travel-booking"})


@pytest.mark.reference
def test_official_texts_from_env_and_experiment_key(monkeypatch, tmp_path) -> None:
    resources = REFERENCE / "games" / "privateshared" / "resources"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_RESOURCES, str(resources))
    assert load_texts({"name": "restaurant"}).requests["salad"]
    monkeypatch.delenv(ENV_RESOURCES)
    assert load_texts({"name": "restaurant", "resources_dir": str(resources)}).probes["salad"]


def test_unknown_experiment_texts_is_one_line_error(monkeypatch) -> None:
    monkeypatch.delenv(ENV_RESOURCES, raising=False)
    with pytest.raises(InstanceFileError, match="privateshared experiment 'no-such-scenario'") as info:
        load_texts({"name": "no-such-scenario"})
    assert "\n" not in str(info.value)


def test_partly_embedded_texts_name_the_missing_key() -> None:
    experiment = experiment_config(generate_instances()["experiments"][0])
    del experiment["probe_texts"]
    with pytest.raises(InstanceFileError, match="missing 'probe_texts'"):
        load_texts(experiment)


def test_an_index_without_its_text_is_one_line_error() -> None:
    experiment = generate_instances()["experiments"][0]
    instance = json.loads(json.dumps(experiment["game_instances"][0]))
    instance["requests"]["from"] = 99
    master = GAME.master(GAME.name, experiment_config(experiment), [_model("oracle")] * 2)
    with pytest.raises(InstanceFileError, match=re.escape("requests['from'] = 99")):
        master.setup(**instance)
