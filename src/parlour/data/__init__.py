"""Figures that ship with parlour: the official clembench v1.6 results tables and the paper's tables.

These are facts and figures (scores, parameter counts, release dates), not clembench-authored text; the
instance files and recorded episodes stay outside the package (see the README's "Reference data").
A source written `official:NAME` names one of them, e.g. `official:v1.6` or `official:table7`.
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


# sha256 of the instances files the official v1.6 leaderboard was played on (facts about the files, not
# their text): a run whose recorded hashes differ played other instances than the official models
OFFICIAL_INSTANCES = "instances_v1.6_sha256.json"


@cache
def _official_instances_file() -> dict:
    path = resources.files("parlour.data") / "official" / OFFICIAL_INSTANCES
    return dict(json.loads(path.read_text(encoding="utf-8")))


def official_instance_hashes() -> dict[str, str]:
    """game -> sha256 of clembench v1.6's instances file for it."""
    return dict(_official_instances_file()["sha256"])


def official_instance_digests() -> dict[str, dict[str, list[str]]]:
    """game -> experiment folder (`<index>_<name>`) -> `instance_digest` of each official v1.6 instance."""
    return _official_instances_file()["instances"]


def instance_digest(instance: object) -> str:
    """A game instance's identity: the first 16 hex of the sha256 of its JSON (sorted keys, no spaces)."""
    text = json.dumps(instance, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def resolve_source(source: str | Path) -> Path:
    """A path as given, or the shipped file for an `official:NAME` source."""
    text = str(source)
    return official_path(text) if text.startswith(PREFIX) else Path(source)
