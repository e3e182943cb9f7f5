"""Figures that ship with parlour: the official clembench v1.6 and v2.0 results tables and the paper's tables.

These are facts and figures (scores, parameter counts, release dates), not clembench-authored text; the
instance files and recorded episodes stay outside the package (see the README's "Reference data").
A source written `official:NAME` names one of them, e.g. `official:v1.6`, `official:v2.0` or `official:table7`.
The results tables are clembench/clembench-runs' `v1.6/results.csv` (and its later states) and
`v2.0/results.csv` (32 model pairs, 14 games), published there under CC-BY-4.0.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from pathlib import Path

from parlour.errors import ParlourError

#: the official leaderboard user models are placed in by default
DEFAULT_COMPARISON = "official:v1.6"

PREFIX = "official:"

# short name -> file in parlour/data/official/
OFFICIAL: dict[str, str] = {
    "v1.6": "results_v1.6.csv",
    "v1.6-later68": "results_v1.6_later68.csv",
    "v1.6-paper53": "results_v1.6_paper53.csv",
    "v1.6-backends": "results_v1.6_backends.csv",
    "v2.0": "results_v2.0.csv",
    "table4": "table4_same_base.csv",
    "table6": "table6_backends.csv",
    "table7": "table7_quantization.csv",
    "characteristics": "model_characteristics_2024-06-07.csv",
    "selected-models": "selected_models.csv",
}


def official_path(name: str) -> Path:
    """The shipped file for `name` (with or without the `official:` prefix)."""
    key = name.removeprefix(PREFIX)
    if key not in OFFICIAL:
        raise ParlourError(f"unknown official table '{name}' (known: {', '.join(PREFIX + k for k in OFFICIAL)})")
    return Path(str(resources.files("parlour.data") / "official" / OFFICIAL[key]))


# sha256 of the instances files each official leaderboard was played on (facts about the files, not
# their text): a run whose recorded hashes differ played other instances than the official models.
# Keyed by benchmark version; the v1.6 tables (later68, paper53, ...) share v1.6's files.
OFFICIAL_INSTANCES = {"v1.6": "instances_v1.6_sha256.json", "v2.0": "instances_v2.0_sha256.json"}


def table_version(name: str) -> str:
    """The clembench version an official table belongs to: 'v1.6' for official:v1.6-later68, 'v2.0' for
    official:v2.0 (the paper's tables give their own name)."""
    return name.removeprefix(PREFIX).split("-")[0]


@cache
def _instance_facts(comparison: str) -> dict:
    version = table_version(comparison)
    path = resources.files("parlour.data") / "official" / OFFICIAL_INSTANCES.get(version, OFFICIAL_INSTANCES["v1.6"])
    return dict(json.loads(path.read_text(encoding="utf-8")))


def official_instance_hashes(comparison: str = DEFAULT_COMPARISON) -> dict[str, str]:
    """game -> sha256 of the instances file parlour takes for the one the official table `comparison` was played on."""
    return dict(_instance_facts(comparison)["sha256"])


def official_instance_differences(comparison: str = DEFAULT_COMPARISON) -> dict[str, str]:
    """game -> how the instances file of `official_instance_hashes` differs from the one the official runs
    used, where it is known to differ."""
    return dict(_instance_facts(comparison).get("differences", {}))


def official_instance_digests(comparison: str = DEFAULT_COMPARISON) -> dict[str, dict[str, list[str]]]:
    """game -> experiment folder (`<index>_<name>`) -> `instance_digest` of each official instance of the
    table `comparison` ({} where parlour ships no per-instance digests for its version: v1.6 only, today)."""
    return dict(_instance_facts(comparison).get("instances", {}))


def instance_digest(instance: object) -> str:
    """A game instance's identity: the first 16 hex of the sha256 of its JSON (sorted keys, no spaces)."""
    text = json.dumps(instance, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def resolve_source(source: str | Path) -> Path:
    """A path as given, or the shipped file for an `official:NAME` source."""
    text = str(source)
    return official_path(text) if text.startswith(PREFIX) else Path(source)
