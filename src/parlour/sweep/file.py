"""The sweep file: a whole study (model specs x games x pairs, then analyses and report) in one YAML file.

models:
  - smollm2-135m                         # a registry name (or programmatic:oracle, ...)
  - name: my-endpoint                    # an inline spec: any ModelSpec fields
    backend: openai_compatible
    base_url: http://127.0.0.1:8000/v1
  - variants_of: smollm2-135m            # every registered spec of these weights ...
    quantizations: [Q4_1, Q8_0]          # ... at these quantization levels (base_model + quantization)
    backends: [llamacpp, huggingface]    # ... on these backends
games: [taboo, referencegame]            # or [all]
benchmark: clembench-1.6                 # or clembench-2.0: clemcore plays the games of a clembench checkout ...
games_dir: path/to/clembench             # ... found here (default: $PARLOUR_CLEMBENCH_GAMES); local executor only
cross: false                             # true: every ordered pair of the models plays the 2-player games
seeds: [0, 1]                            # sampled decoding: each spec once per seed (sampling.seed)
quantize_from: smollm2-135m              # make missing quantized GGUFs of the specs from these weights
limit: 2                                 # first N instances of each experiment
analyses: [backends, quantization, divergence]
report: true
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from parlour.analysis.registry import sweep_names
from parlour.errors import ParlourError
from parlour.models.registry import known_models, lookup
from parlour.models.spec import ModelSpec
from parlour.textfiles import read_yaml


class Variants(BaseModel):
    """Shorthand for registered specs of one base model across quantization levels and backends."""

    model_config = ConfigDict(extra="forbid")

    variants_of: str = Field(description="The base model: specs whose base_model (or name) is this.")
    quantizations: list[str] | None = None
    backends: list[str] | None = None


# a registry name, the variants shorthand, or an inline spec: tried in this order
ModelEntry = Annotated[str | Variants | dict[str, Any], Field(union_mode="left_to_right")]


class SweepFile(BaseModel):
    """What `parlour sweep FILE` runs. Only `models` and `games` are required."""

    model_config = ConfigDict(extra="forbid")

    models: list[ModelEntry] = Field(min_length=1)
    games: list[str] = Field(min_length=1)
    benchmark: Literal["clembench-1.6", "clembench-2.0"] = "clembench-1.6"
    games_dir: Path | None = Field(None, description="clembench-2.0: the clembench checkout holding the games.")
    cross: bool = False
    instances: str | None = None
    experiments: list[str] | None = None
    limit: int | None = Field(None, ge=1)
    seeds: list[int] | None = None
    temperature: float | None = Field(None, ge=0)
    max_tokens: int | None = Field(None, ge=1)
    concurrency: int | None = Field(None, ge=1)
    analyses: list[str] = Field(default_factory=list)
    report: bool = True
    quantize_from: str | None = Field(
        None, description="Make the missing GGUF files of the sweep's llama.cpp specs from this model's weights."
    )
    serve: dict[str, str] = Field(
        default_factory=dict,
        description="Servers the sweep runs while it plays: {server spec name: model whose GGUF it serves}.",
    )

    @field_validator("analyses")
    @classmethod
    def _known_analyses(cls, names: list[str]) -> list[str]:
        known = sweep_names()
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"unknown analyses {unknown} (known: {', '.join(known)})")
        return names


def read_sweep(path: Path) -> SweepFile:
    """Parse and validate a sweep file; one-line errors naming the file and field."""
    data = read_yaml(path, ParlourError, "sweep file")
    try:
        return SweepFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "(top level)"
        raise ParlourError(f"{path}: field `{where}`: {first['msg']}") from exc


def _variants(entry: Variants) -> list[ModelSpec]:
    found = [
        spec
        for spec in known_models()
        if entry.variants_of in (spec.base_model, spec.name)
        and (entry.quantizations is None or (spec.quantization or "") in entry.quantizations)
        and (entry.backends is None or spec.backend in entry.backends)
    ]
    if not found:
        raise ParlourError(
            f"no registered spec of {entry.variants_of} with quantization in {entry.quantizations} and backend in "
            f"{entry.backends} (see `parlour models`; `parlour quantize --register` adds quantized ones)"
        )
    return found


def expand_models(sweep: SweepFile) -> list[ModelSpec]:
    """The specs a sweep names, in file order, each once; with `seeds`, one copy per seed named `<name>-s<seed>`."""
    specs: list[ModelSpec] = []
    for entry in sweep.models:
        if isinstance(entry, str):
            specs.append(lookup(entry))
        elif isinstance(entry, Variants):
            specs.extend(_variants(entry))
        else:
            try:
                specs.append(ModelSpec.model_validate(entry))
            except ValidationError as exc:
                first = exc.errors()[0]
                raise ParlourError(
                    f"sweep model {entry.get('name', '?')}: field `{'.'.join(map(str, first['loc']))}`: {first['msg']}"
                ) from exc
    specs = [s.with_generation(sweep.temperature, sweep.max_tokens) for s in specs]
    if sweep.seeds:
        specs = [
            s.model_copy(update={"name": f"{s.name}-s{seed}", "sampling": {**s.sampling, "seed": seed}})
            for s in specs
            for seed in sweep.seeds
        ]
    unique: dict[str, ModelSpec] = {}
    for spec in specs:
        if spec.name in unique and unique[spec.name].spec_hash() != spec.spec_hash():
            raise ParlourError(f"the sweep names two different specs '{spec.name}'; give them distinct names")
        unique.setdefault(spec.name, spec)
    return list(unique.values())
