"""The model registry: YAML files of `ModelSpec` entries that users extend.

Lookup order (first match wins): files named in $PARLOUR_MODELS (os.pathsep-separated), `models.yaml`
in the working directory, ~/.config/parlour/models.yaml, then parlour's built-in registry.yaml.
Special names that need no entry: `programmatic:<policy>` (game-defined oracle/breaker players),
`scripted:<file.json>` (replies replayed in call order) and `PROVIDER/MODEL_ID` or `PROVIDER:MODEL_ID` for a
hosted model (`openai/gpt-4o-mini`; `openai_compatible/MODEL_ID` with `-M base_url=URL`). `-M key=value`
model arguments (`model_args`) then set any spec field or sampling setting.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from parlour.errors import ParlourError, RegistryError, UnknownModelError, did_you_mean
from parlour.models.loader import HOSTED
from parlour.models.programmatic import POLICIES, check_policy
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
    hosted = hosted_spec(name)
    if hosted is not None:
        return hosted
    names = sorted(s.name for s in known_models())
    raise UnknownModelError(
        f"unknown model '{name}'{did_you_mean(name, names)} (registered: {', '.join(names)}; hosted: PROVIDER/MODEL_ID "
        f"with PROVIDER one of {', '.join(HOSTED)}; programmatic:POLICY with POLICY one of {', '.join(POLICIES)}; "
        "scripted:REPLIES.json; or add it to a models.yaml)"
    )


def hosted_spec(name: str) -> ModelSpec | None:
    """The spec of `PROVIDER/MODEL_ID` or `PROVIDER:MODEL_ID` (None: not such a name). The spec's name is a
    folder name made from both (`openai/gpt-4o-mini` -> `openai-gpt-4o-mini`)."""
    match = re.match(r"([a-z_]+)[/:](.+)$", name)
    if match is None or match[1] not in HOSTED:
        return None
    provider, model_id = match[1], match[2]
    folder_name = re.sub(r"-{2,}", "-", re.sub(r"[/\\:\s]", "-", f"{provider}-{model_id}")).lstrip(".")
    try:
        return ModelSpec(name=folder_name, backend=provider, model_id=model_id)
    except ValidationError as exc:
        raise UnknownModelError(f"model {name}: {validation_message(exc)}") from None


def parse_model_args(pairs: list[str]) -> dict[str, Any]:
    """`-M key=value` arguments as a dict, each value read as YAML (`0.9` a number, `true` a boolean)."""
    args: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParlourError(f"model argument {pair!r} is not key=value (e.g. -M top_p=0.9)")
        try:
            args[key.strip()] = yaml.safe_load(value) if value else ""
        except yaml.YAMLError:
            args[key.strip()] = value
    return args


def with_model_args(spec: ModelSpec, args: dict[str, Any]) -> ModelSpec:
    """`spec` with model arguments applied: a spec field by its name (base_url, api_key_env, context_size...),
    anything else as a sampling setting. The result is validated like a registry entry (so recorded and
    hashed as one)."""
    if not args:
        return spec
    fields = {k: v for k, v in args.items() if k in ModelSpec.model_fields}
    sampling = {k: v for k, v in args.items() if k not in ModelSpec.model_fields}
    if "name" in fields or "backend" in fields:
        raise ParlourError(f"model {spec.name}: -M cannot change the model's name or backend")
    data = spec.model_dump(exclude_unset=True)
    data.update(fields)
    if sampling:
        data["sampling"] = {**spec.sampling, **sampling}
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise ParlourError(f"model {spec.name} with -M {', '.join(args)}: {validation_message(exc)}") from None
