"""Model characteristics (size, training data, base model, backend, quantization) and their join to scores.

Sources: a CSV with parlour's column names (model, params_b, train_tokens_t, base_model, tuning, backend,
quantization, weights, ...) or the reference tables' own names ("Parameter Size (in billions)", ...),
a YAML model registry, and the run.json files of our results folders. Names are matched on a key:
lower-case, and a pair directory is cut at its temperature suffix ("-t0.0"). Names that only match after
ignoring punctuation ("openchat_3.5" vs "openchat-3.5") are joined too, and listed as loose matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from parlour.data import resolve_source
from parlour.errors import ResultsError
from parlour.models.spec import quantization_label
from parlour.textfiles import read_csv, read_yaml

COLUMNS = [
    "model",
    "provider",
    "params_b",
    "train_tokens_t",
    "base_model",
    "weights",
    "tuning",
    "backend",
    "quantization",
    "release_date",
    "context_k",
    "instruction_data",
]
NUMERIC = ["params_b", "train_tokens_t", "context_k"]

# lower-cased, stripped source column name -> parlour column name
ALIASES = {
    "model": "model",
    "name": "model",
    "model name": "model",
    "model_name": "model",
    "model provider": "provider",
    "provider": "provider",
    "parameter size (in billions)": "params_b",
    "params": "params_b",
    "parameters_b": "params_b",
    "training data size (in trillions)": "train_tokens_t",
    "train_tokens": "train_tokens_t",
    "training_tokens_t": "train_tokens_t",
    "base model": "base_model",
    "base": "base_model",
    "base_weights": "weights",
    "instruction tuning data": "instruction_data",
    "instruction_tuning_data": "instruction_data",
    "release date": "release_date",
    "context length (in thousands)": "context_k",
    "inference": "backend",
}

_TEMPERATURE = re.compile(r"-t\d+(?:\.\d+)?$")


def model_key(name: str) -> str:
    """Matching key of a model or pair directory name: lower-case, first player, no temperature suffix."""
    key = str(name).strip().lower()
    key = key.split("--", 1)[0]
    idx = key.find("-t0.0")
    if idx >= 0:
        return key[:idx]
    return _TEMPERATURE.sub("", key)


def loose_key(name: str) -> str:
    """Key that ignores punctuation, for the second matching pass."""
    return re.sub(r"[^a-z0-9]", "", model_key(name))


def normalise(frame: pd.DataFrame, source: str = "table") -> pd.DataFrame:
    """Rename known columns to parlour's names, keep the others, and coerce the numeric ones."""
    renamed = {}
    for col in frame.columns:
        clean = str(col).strip()
        low = clean.lower()
        target = ALIASES.get(low, low if low in COLUMNS else clean)
        if target in renamed.values():
            continue  # first column of a name wins (e.g. "model" before "Model Name")
        renamed[col] = target
    frame = frame.loc[:, list(renamed)].rename(columns=renamed)
    if "model" not in frame.columns:
        raise ResultsError(f"{source}: model characteristics need a 'model' (or 'Model Name') column")
    frame = frame.copy()
    frame["model"] = frame["model"].astype(str).str.strip()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].map(lambda v: v.strip() if isinstance(v, str) else v)
            frame[col] = frame[col].replace("", pd.NA)
    for col in NUMERIC:
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    for col in COLUMNS:
        if col not in frame.columns:
            frame[col] = pd.NA
    frame["key"] = frame["model"].map(model_key)
    return frame.drop_duplicates("key", keep="first").reset_index(drop=True)


def spec_row(entry: dict, name: str | None = None) -> dict:
    """One characteristics row from a registry entry or a run.json model spec.

    In parlour's registry, a spec's top-level `base_model` names the weights it runs (the identity that
    backends and quantizations share), `weights` is a file, and the `characteristics:` block holds the
    descriptive facts, whose `base_model` is the pretrained base (the family).
    """
    row = {k: v for k, v in entry.items() if not isinstance(v, dict | list)}
    row["model"] = name or entry.get("name") or entry.get("model")
    if entry.get("quantization"):
        row["quantization"] = quantization_label(entry)  # "Q8_0 from Q4_1": a requantized file says so
    identity = entry.get("base_model") or entry.get("model_id") or entry.get("weights")
    row.pop("base_model", None)
    if entry.get("weights") is not None:
        row["weights_file"] = entry["weights"]
    row["weights"] = identity
    facts = entry.get("characteristics")
    if isinstance(facts, dict):
        row.update({k: v for k, v in facts.items() if not isinstance(v, dict | list)})
    return row


def _yaml_rows(data: object) -> list[dict]:
    if isinstance(data, dict) and isinstance(data.get("models"), list | dict):
        data = data["models"]
    if isinstance(data, dict):
        return [spec_row(entry, str(name)) for name, entry in data.items() if isinstance(entry, dict)]
    if isinstance(data, list):
        return [spec_row(entry) for entry in data if isinstance(entry, dict)]
    return []


def load_characteristics(paths: Iterable[Path]) -> pd.DataFrame:
    """Read characteristics from CSV and YAML files; for a model given twice, earlier files win field by field."""
    frames = []
    for path in paths:
        path = resolve_source(path)
        if not path.is_file():
            raise ResultsError(f"{path}: no such model characteristics file")
        if path.suffix.lower() in {".yaml", ".yml"}:
            frame = pd.DataFrame(_yaml_rows(read_yaml(path, ResultsError, "model characteristics file")))
        else:
            frame = read_csv(path, ResultsError, "model characteristics file")
        frames.append(normalise(frame, str(path)))
    if not frames:
        return normalise(pd.DataFrame({"model": []}))
    return merge_rows(pd.concat(frames, ignore_index=True))


def merge_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per model key: for each column the first value that is not missing, so that sources
    complement each other (a registry's quantization, a CSV's parameter count) and earlier ones win."""
    merged = frame.groupby("key", sort=False, dropna=False).first()
    return merged.reset_index()[frame.columns.tolist()]


def from_runs(runs: dict[str, dict]) -> pd.DataFrame:
    """Characteristics recorded in run.json files (the spec of each pair's first model)."""
    rows = []
    for pair, run in runs.items():
        models = run.get("models") if isinstance(run, dict) else None
        if isinstance(models, list) and models and isinstance(models[0], dict):
            rows.append(spec_row(models[0], pair))
    return normalise(pd.DataFrame(rows) if rows else pd.DataFrame({"model": []}), "run.json")


@dataclass
class Joined:
    """Scores joined with characteristics, plus a report of what did not match."""

    frame: pd.DataFrame  # index = pair directory; score columns, then characteristic columns
    unmatched_scores: list[str] = field(default_factory=list)
    unmatched_characteristics: list[str] = field(default_factory=list)
    loose_matches: list[tuple[str, str]] = field(default_factory=list)  # (pair, characteristics name)

    def report(self) -> str:
        """A short human-readable account of the matching."""
        lines = [f"{len(self.frame) - len(self.unmatched_scores)} of {len(self.frame)} scored models matched"]
        if self.loose_matches:
            pairs = ", ".join(f"{a} ~ {b}" for a, b in self.loose_matches)
            lines.append(f"matched ignoring punctuation: {pairs}")
        if self.unmatched_scores:
            names = ", ".join(model_key(m) for m in self.unmatched_scores)
            lines.append("scored models without characteristics: " + names)
        if self.unmatched_characteristics:
            lines.append("characteristics without scores: " + ", ".join(self.unmatched_characteristics))
        return "\n".join(lines)


def join(table: pd.DataFrame, characteristics: pd.DataFrame, loose: bool = True) -> Joined:
    """Left-join a score table (index = pair directory) with characteristics on the model key."""
    chars = characteristics.set_index("key")
    by_loose = {loose_key(k): k for k in chars.index}
    rows, unmatched, loose_pairs, used = [], [], [], set()
    for pair in table.index:
        key = model_key(pair)
        if key not in chars.index and loose and loose_key(pair) in by_loose:
            key = by_loose[loose_key(pair)]
            loose_pairs.append((pair, str(chars.loc[key, "model"])))
        if key in chars.index:
            used.add(key)
            rows.append(chars.loc[key].to_dict())
        else:
            unmatched.append(pair)
            rows.append({})
    extra = pd.DataFrame(rows, index=table.index)
    extra = extra.reindex(columns=[c for c in chars.columns if c != "model"] + ["model"])
    extra = extra.rename(columns={"model": "characteristics_name"})
    frame = pd.concat([table, extra], axis=1)
    frame["key"] = [model_key(p) for p in table.index]
    for col in NUMERIC:
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    leftover = [str(chars.loc[k, "model"]) for k in chars.index if k not in used]
    return Joined(frame, unmatched, leftover, loose_pairs)
