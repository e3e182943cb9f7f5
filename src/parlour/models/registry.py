"""The model registry: YAML files of `ModelSpec` entries that users extend.

Lookup order (first match wins): files named in $PARLOUR_MODELS (os.pathsep-separated), `models.yaml`
in the working directory, ~/.config/parlour/models.yaml, then parlour's built-in registry.yaml.
Special names that need no entry: `programmatic:<policy>` (game-defined oracle/breaker players) and
`scripted:<file.json>` (replies replayed in call order).
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from parlour.errors import RegistryError, UnknownModelError
from parlour.models.programmatic import check_policy
from parlour.models.spec import ModelSpec, validation_message
from parlour.store import Stamp, file_stamp
from parlour.textfiles import read_yaml

BUILTIN_REGISTRY = "registry.yaml"


def registry_files() -> list[Path]:
    """The registry files in lookup order (those that exist)."""
    candidates: list[Path] = []
    env = os.environ.get("PARLOUR_MODELS")
    if env:
        candidates += [Path(p) for p in env.split(os.pathsep) if p]
    candidates += [Path.cwd() / "models.yaml", Path.home() / ".config" / "parlour" / "models.yaml"]
    found = [p for p in candidates if p.is_file()]
    found.append(Path(str(resources.files("parlour.models") / BUILTIN_REGISTRY)))
    return found


@lru_cache(maxsize=32)
def _load_file(path: Path, stamp: Stamp | None) -> tuple[ModelSpec, ...]:
    data = read_yaml(path, RegistryError, "model registry")
    entries = data.get("models") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: a model registry needs a top-level `models:` list")
    specs = []
    for index, entry in enumerate(entries):
        try:
            specs.append(ModelSpec.model_validate(entry))
        except ValidationError as exc:
            name = entry.get("name", f"#{index}") if isinstance(entry, dict) else f"#{index}"
            raise RegistryError(f"{path}: model {name}: {validation_message(exc)}") from exc
    return tuple(specs)


def load_registry() -> list[ModelSpec]:
    """All registered specs, in lookup order (earlier files shadow later ones)."""
    specs: list[ModelSpec] = []
    for path in registry_files():
        specs.extend(_load_file(path, file_stamp(path)))  # parsed again once the file changed
    return specs


def known_models() -> list[ModelSpec]:
    """One spec per name, the first found winning."""
    seen: dict[str, ModelSpec] = {}
    for spec in load_registry():
        seen.setdefault(spec.name, spec)
    return list(seen.values())


def lookup(name: str) -> ModelSpec:
    """The spec for a model name (or a special programmatic/scripted name)."""
    if name.startswith("programmatic:") or name in ("programmatic", "mock"):
        policy = name.partition(":")[2] or "oracle"
        check_policy(policy, f"model '{name}'")  # a typo would otherwise play as the oracle
        return ModelSpec(name=f"programmatic-{policy}", backend="programmatic", options={"policy": policy})
    if name.startswith("scripted:"):
        path = Path(name.partition(":")[2])
        if not path.is_file():
            raise UnknownModelError(f"scripted model: replies file {path} does not exist")
        return ModelSpec(name="scripted", backend="scripted", options={"replies_file": str(path.resolve())})
    for spec in load_registry():
        if spec.name == name:
            return spec
    names = ", ".join(sorted(s.name for s in known_models()))
    raise UnknownModelError(f"unknown model '{name}' (known: {names}; or add it to a models.yaml)")
