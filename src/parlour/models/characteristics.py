"""Public characteristics of the paper's models (characteristics.yaml), for the analysis."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

FIELDS = (
    "name",
    "provider",
    "params_b",
    "active_params_b",
    "train_tokens_t",
    "base_model",
    "tuning",
    "instruction_data",
    "release_date",
    "context_k",
    "open_weight",
    "estimated",
    "notes",
    "sources",
)


@lru_cache(maxsize=1)
def load_characteristics() -> tuple[dict[str, Any], ...]:
    """Every entry, with all FIELDS present (None where unknown; `estimated` a list)."""
    text = (resources.files("parlour.models") / "characteristics.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)["models"]
    rows = []
    for entry in entries:
        row = {key: entry.get(key) for key in FIELDS}
        row["estimated"] = list(entry.get("estimated") or [])
        if row["release_date"] is not None:
            row["release_date"] = str(row["release_date"])
        rows.append(row)
    return tuple(rows)


def characteristics_for(model_name: str) -> dict[str, Any] | None:
    """The entry for a model name (case-insensitive; a `-t0.0` suffix or a pair directory is accepted)."""
    key = model_name.split("--")[0]
    key = key.rsplit("-t", 1)[0] if key.rsplit("-t", 1)[-1].replace(".", "").isdigit() else key
    for row in load_characteristics():
        if row["name"].lower() == key.lower():
            return dict(row)
    return None
