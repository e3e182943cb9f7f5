"""parlour's seeded instance generator for privateshared: v1.6's five experiments with 10 instances
each, from parlour's own scenario texts (resources/scenarios.json, written for parlour).

Per instance: one value per slot (no value may occur inside another, so that an exact answer never
gives away a second slot by accident), a random request order, a random request variant per slot and
a random probing-question variant per slot and probing round (rounds 0..n). The texts the master
needs travel with each experiment (`words`, `reprompts`, `request_texts`, `probe_texts`).

    parlour generate -g privateshared -o OUT.json [--seed N]
"""

from __future__ import annotations

import json
import random
from importlib import resources
from typing import Any

DEFAULT_SEED = 2102
INSTANCES_PER_EXPERIMENT = 10
EXPERIMENTS = ("travel-booking", "job-interview", "restaurant", "things-places", "letter-number")


def load_scenarios() -> dict[str, Any]:
    text = (resources.files("parlour.games.privateshared") / "resources" / "scenarios.json").read_text("utf-8")
    return json.loads(text)


def _slot_texts(scenario: dict[str, Any]) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    """(slot names, request variants, probe variants) of a scenario, expanding per-slot templates."""
    if "slots" in scenario:
        names = list(scenario["slots"])
        return (
            names,
            {s: list(scenario["slots"][s]["requests"]) for s in names},
            {s: list(scenario["slots"][s]["probes"]) for s in names},
        )
    names = list(scenario["slot_names"])

    def expand(templates: list[str], slot: str) -> list[str]:
        return [t.replace("{POS}", slot.upper()) for t in templates]

    return (
        names,
        {s: expand(scenario["request_templates"], s) for s in names},
        {s: expand(scenario["probe_templates"], s) for s in names},
    )


def _clashes(value: str, chosen: list[str]) -> bool:
    low = value.lower()
    return any(low in other.lower() or other.lower() in low for other in chosen)


def _draw_values(rng: random.Random, scenario: dict[str, Any], names: list[str]) -> dict[str, str]:
    chosen: dict[str, str] = {}
    for slot in names:
        while True:
            if "slots" in scenario:
                value = rng.choice(scenario["slots"][slot]["values"])
            elif "shared_values" in scenario:
                value = rng.choice(scenario["shared_values"])
            else:
                low, high = scenario["number_range"]
                value = str(rng.randint(low, high))
            if not _clashes(value, list(chosen.values())):
                chosen[slot] = value
                break
    return chosen


def _initial_prompt(template: str, words: dict[str, str], scenario: dict[str, Any], slots: dict[str, str]) -> str:
    lines = "\n".join(f"{slot.upper()}: {value}" for slot, value in slots.items())
    return template.format(
        intro=scenario["intro"],
        what=scenario["what"],
        slot_lines=lines,
        role=scenario["role"],
        tag=scenario["tag"],
        answer=words["ANSWER"],
        aside=words["ASIDE"],
        me=words["ME"].strip(),
    )


def generate_instances(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The instances file content (clembench schema plus the experiments' texts)."""
    data = load_scenarios()
    words, reprompts, template = data["words"], data["reprompts"], data["prompt"]
    rng = random.Random(seed)
    experiments = []
    for name in EXPERIMENTS:
        scenario = data["scenarios"][name]
        names, request_texts, probe_texts = _slot_texts(scenario)
        instances = []
        for game_id in range(INSTANCES_PER_EXPERIMENT):
            slots = _draw_values(rng, scenario, names)
            instances.append(
                {
                    "game_id": game_id,
                    "tag": scenario["tag"],
                    "slots": slots,
                    "initial_prompt": _initial_prompt(template, words, scenario, slots),
                    "request_order": rng.sample(names, len(names)),
                    "requests": {s: rng.randrange(len(request_texts[s])) for s in names},
                    "probes": {
                        str(t): {s: rng.randrange(len(probe_texts[s])) for s in names} for t in range(len(names) + 1)
                    },
                    "lang": "en",
                }
            )
        experiments.append(
            {
                "name": name,
                "words": words,
                "reprompts": reprompts,
                "request_texts": request_texts,
                "probe_texts": probe_texts,
                "game_instances": instances,
            }
        )
    return {"experiments": experiments}
