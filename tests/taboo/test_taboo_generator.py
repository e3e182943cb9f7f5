"""parlour's own taboo instances: seeded generation, the shipped file, and play through the master."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from parlour.games.episode import play_episode, score_episode
from parlour.games.instances import instances_json, load_instances
from parlour.games.taboo import GAME, generator, rules
from parlour.games.taboo.players import WordDescriber
from parlour.models.loader import load_model
from parlour.models.registry import lookup

INSTANCE_KEYS = ["game_id", "target_word", "related_word", "target_word_stem", "related_word_stem"]


def _model(policy: str) -> Any:
    return load_model(lookup(f"programmatic:{policy}"))


def _instances(data: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(e, i) for e in data["experiments"] for i in e["game_instances"]]


@pytest.fixture(scope="module")
def generated() -> dict[str, Any]:
    return generator.generate_instances()


def test_same_seed_same_output_other_seed_other_words(generated: dict[str, Any]) -> None:
    assert generator.generate_instances(generator.DEFAULT_SEED) == generated
    other = generator.generate_instances(7)
    targets = [i["target_word"] for _, i in _instances(generated)]
    assert targets != [i["target_word"] for _, i in _instances(other)]


def test_shipped_file_is_a_fresh_generation(generated: dict[str, Any]) -> None:
    # nobody edits in/instances.json by hand: it must be exactly what the generator writes
    assert GAME.default_instances.read_text(encoding="utf-8") == instances_json(generated)


def test_experiments_and_schema(generated: dict[str, Any]) -> None:
    data = load_instances(GAME.default_instances, GAME.experiment_schema, GAME.instance_schema)
    assert [e["name"] for e in data["experiments"]] == ["high_en", "medium_en", "low_en"]
    for experiment in data["experiments"]:
        assert experiment["max_turns"] == 3
        assert [i["game_id"] for i in experiment["game_instances"]] == list(range(20))
        for instance in experiment["game_instances"]:
            assert list(instance) == INSTANCE_KEYS
        describer = experiment["describer_initial_prompt"]
        for placeholder in ("$TARGET_WORD$", "$REL_WORD$", "$N$", "CLUE: <", "GUESS"):
            assert placeholder in describer
        guesser = experiment["guesser_initial_prompt"]
        assert "$N$" in guesser and "GUESS: <a word>" in guesser and "CLUE" in guesser
        assert "$TARGET_WORD$" not in guesser and "$REL_WORD$" not in guesser  # the master fills only $N$ there
    targets = [i["target_word"] for _, i in _instances(data)]
    assert len(set(targets)) == 60


def test_prompts_are_our_own_words(reference) -> None:
    official = json.loads((reference / "games" / "taboo" / "in" / "instances.json").read_text(encoding="utf-8"))
    theirs = official["experiments"][0]
    for key in ("describer_initial_prompt", "guesser_initial_prompt"):
        ours = getattr(generator, "DESCRIBER_PROMPT" if key.startswith("describer") else "GUESSER_PROMPT")
        their_sentences = {s.strip() for s in theirs[key].replace("\n", ". ").split(". ") if len(s.strip()) > 25}
        assert not [s for s in their_sentences if s in ours], key


def test_words_stems_and_relations(generated: dict[str, Any]) -> None:
    for _, instance in _instances(generated):
        target, related = instance["target_word"], instance["related_word"]
        assert instance["target_word_stem"] == rules.stem(target)
        assert instance["related_word_stem"] == [rules.stem(w) for w in related]
        assert len(related) == 3 and len(set(instance["related_word_stem"])) == 3
        assert target.isalpha() and target.islower() and len(target) >= 4
        assert target not in rules.ENGLISH_STOPWORDS
        for word in related:
            assert word.isalpha() and word.islower() and word != target, (target, word)
            assert word not in rules.ENGLISH_STOPWORDS
            assert rules.stem(word) != rules.stem(target), (target, word)


def test_word_table_bands_are_disjoint_and_clean() -> None:
    table = generator.load_word_table()
    assert set(table) == {"high", "medium", "low"}
    seen: set[str] = set()
    for band, rows in table.items():
        assert len(rows) >= 500, band  # terciles of a few thousand content words, minus unusable ones
        for word, related in rows:
            assert word not in seen
            seen.add(word)
            assert len(related) == 3 and not any(generator._too_similar(word, r) for r in related), word


def test_similarity_filter() -> None:
    assert generator._too_similar("labour", "labor")  # spelling variant
    assert generator._too_similar("realize", "realise")
    assert generator._too_similar("responsibility", "responsible")  # shared stem
    assert generator._too_similar("boy", "boyhood")  # one inside the other
    assert not generator._too_similar("obligation", "blame")


def test_oracle_describer_has_a_safe_clue(generated: dict[str, Any]) -> None:
    model = _model("oracle")
    for _, instance in _instances(generated):
        describer = WordDescriber(model, instance["target_word"], instance["related_word"])
        clue = describer.programmatic_reply([], 0, "oracle")
        assert clue != "CLUE: ?" and rules.is_clue(clue)
        assert rules.clue_violations(clue, instance["target_word"], instance["related_word"]) == []


async def test_oracle_wins_every_generated_instance(generated: dict[str, Any]) -> None:
    model = _model("oracle")
    for experiment, instance in _instances(generated):
        record = await play_episode(GAME, experiment, instance, [model])
        scores = score_episode(GAME, experiment, instance, record.interactions)
        where = f"{experiment['name']}/{instance['game_id']}"
        assert scores["episode scores"]["Main Score"] == 100, where
        assert scores["episode scores"]["Aborted"] == 0, where


async def test_prompts_are_filled_by_the_master(generated: dict[str, Any]) -> None:
    experiment = generated["experiments"][1]
    instance = experiment["game_instances"][0]
    model = _model("oracle")
    record = await play_episode(GAME, experiment, instance, [model])
    describer_prompt, guesser_prompt = (
        r["manipulated_prompt_obj"]["messages"][0]["content"] for r in record.requests[:2]
    )
    assert "$" not in describer_prompt and "$" not in guesser_prompt
    assert f"\n\n{instance['target_word']}\n\n" in describer_prompt
    assert "\n".join(f"- {w}" for w in instance["related_word"]) in describer_prompt
    assert "within 3 guesses" in describer_prompt and "after 3 guesses" in guesser_prompt
    assert guesser_prompt.endswith("Here is the first hint:\n\nCLUE: " + guesser_prompt.split("CLUE: ")[-1])
    assert instance["target_word"] not in guesser_prompt


@pytest.mark.parametrize("index", [0, 1, 2])
async def test_breaker_is_aborted(generated: dict[str, Any], index: int) -> None:
    experiment = generated["experiments"][index]
    instance = experiment["game_instances"][index]
    record = await play_episode(GAME, experiment, instance, [_model("breaker")])
    episode = score_episode(GAME, experiment, instance, record.interactions)["episode scores"]
    assert episode["Aborted"] == 1 and episode["Success"] == 0 and episode["Lose"] == 0
    assert math.isnan(episode["Main Score"])
