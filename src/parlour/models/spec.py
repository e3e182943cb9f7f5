"""`ModelSpec`: a model as its full specification M = (d, Θ), with a stable hash.

Two results differ in spec exactly where their specs differ: everything that can change what the
model generates is part of the hash; names, descriptive characteristics and operational settings
(concurrency, timeouts, retries and their delay, where the key comes from, a base URL's credentials)
are not.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from parlour import textfiles
from parlour.errors import ParlourError
from parlour.models.sampling import check_sampling
from parlour.redact import url_without_userinfo

MAX_CONCURRENCY = 4096
MAX_RETRY_DELAY_S = 600.0
# Far above any real reply (clembench replies are a few hundred bytes; max_tokens 4096 is about 16 KB),
# far below what fills memory or disk: a 10 MB reply per turn wrote about 0.5 GB per taboo episode.
DEFAULT_MAX_REPLY_BYTES = 512 * 1024

# Fields that do not change generated text and therefore stay out of the hash.
_NOT_HASHED = {
    "name",
    "characteristics",
    "concurrency",
    "concurrency_max",
    "timeout_s",
    "max_retries",
    "api_key_env",
    "description",
    "start_command",
    "resources",
    "replicas",
    # a reply over the cap fails its episode instead of being recorded: no recorded transcript ever
    # depends on it, so raising it later must not split a results folder
    "max_reply_bytes",
}
# The generation settings a run's -t / -l (or a sweep's temperature / max_tokens) can set.
GENERATION_FIELDS = ("temperature", "max_tokens")
# Where a generation setting came from, as run.json records it: the run's explicit value, the spec's own
# (its registry entry, a sweep's inline spec or a ModelSpec built in code), or clembench v1.6's default.
FLAG, REGISTRY, CLEMBENCH_DEFAULT = "flag", "registry", "clembench default"
# Fields added to the hash after results existed: hashed only when set, so older specs keep their hash.
_HASHED_WHEN_SET = {"batch_size", "weights_sha256", "requantized_from"}
# Options naming a file whose content generates the replies: the content is hashed, not the path.
_CONTENT_OPTIONS = ("replies_file",)


def _file_digest(path: str) -> str:
    """sha256 of a file's bytes; an unreadable file hashes by its path (loading the model reports it)."""
    try:
        return "sha256:" + textfiles.file_sha256(Path(path), ParlourError)
    except ParlourError:
        return path


# Backend options that only say how to talk to an endpoint, not what it generates (recorded, not hashed).
_OPTIONS_NOT_HASHED = {"retry_base_delay_s"}


class RequantizedFrom(BaseModel):
    """The already-quantized file a GGUF was requantized from: its rounding stays in the result, so it is
    part of what the model is."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(description="The source file's name.")
    type: str = Field(description="The source's quantization, e.g. Q4_1.")
    sha256: str = Field(pattern=r"^sha256:[0-9a-f]{64}$", description="sha256 of the source file.")


def quantization_label(spec: dict[str, Any]) -> str | None:
    """A spec's quantization as it is shown everywhere (a run.json entry or a registry entry): `Q8_0`, or
    `Q8_0 from Q4_1` for a file requantized from already-quantized weights."""
    quantization = spec.get("quantization")
    source = spec.get("requantized_from")
    if quantization and isinstance(source, dict) and source.get("type"):
        return f"{quantization} from {source['type']}"
    return quantization


class ModelSpec(BaseModel):
    """Everything needed to reproduce a model's replies, as recorded in each run's run.json."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Registry name; used in result folder names.")
    backend: str = Field(description="llamacpp | openai_compatible | huggingface | programmatic | scripted | ...")
    description: str | None = None
    model_id: str | None = Field(None, description="Model id sent to an API, or a hub id.")
    weights: str | None = Field(
        None,
        description="Local weights: a GGUF file or checkpoint folder; 'package:NAME/GLOB' finds a file "
        "inside an installed distribution without importing it.",
    )
    gguf_file: str | None = Field(None, description="GGUF file inside `weights` (huggingface backend).")
    weights_sha256: dict[str, str] | None = Field(
        None,
        description="sha256 of each weight file (name -> sha256:hex), recorded when a run resolves the weights: "
        "the weights are part of the spec, so a resume whose files changed is refused.",
    )
    quantization: str | None = Field(None, description="e.g. Q4_1, Q8_0, F16; None for unquantized.")
    requantized_from: RequantizedFrom | None = Field(
        None, description="For a file quantized from already-quantized weights: that source (file, type, sha256)."
    )
    base_model: str | None = Field(None, description="The weights this spec derives from (for grouping).")
    chat_template: str | None = Field(None, description="Jinja chat template; None = the weights' own.")
    stop: list[str] = Field(default_factory=list, description="Stop strings in addition to end-of-turn/EOS.")
    # clembench v1.6's defaults (its CLI's -t and -l), used when neither the run nor the spec sets them
    temperature: float = Field(0.0, ge=0.0, allow_inf_nan=False)
    max_tokens: int = Field(100, ge=1)
    sampling: dict[str, Any] = Field(
        default_factory=dict,
        description="Every other sampling parameter sent (top_p, repeat_penalty, seed...).",
    )
    context_size: int | None = Field(None, ge=1, description="Context window; None = read from the weights.")
    base_url: str | None = None
    start_command: str | None = Field(
        None, description="How to start the server at base_url (the hint when nothing listens there)."
    )
    api_key_env: str | None = Field(None, description="Environment variable holding the API key.")
    concurrency: int | None = Field(
        None, ge=1, le=MAX_CONCURRENCY, description="Requests in flight to this model's endpoint at first (default 8)."
    )
    concurrency_max: int | None = Field(
        None,
        ge=1,
        le=MAX_CONCURRENCY,
        description="Ceiling of the endpoint's adaptive in-flight limit (default 64; = concurrency: fixed).",
    )
    batch_size: int | None = Field(
        None,
        ge=1,
        description="Max requests generated in one batch (local backends); batching can change the last bits "
        "of the logits, so it is part of the hash.",
    )
    timeout_s: float = Field(
        120.0, gt=0, le=86400, allow_inf_nan=False, description="Deadline in seconds for each whole request."
    )
    max_retries: int = Field(5, ge=0, le=100, description="Retries of a request after transient failures.")
    max_reply_bytes: int = Field(
        DEFAULT_MAX_REPLY_BYTES,
        ge=1,
        description="Largest reply accepted, in bytes after decompression (an HTTP body, a local engine's "
        "text); a larger one fails its episode.",
    )
    options: dict[str, Any] = Field(default_factory=dict, description="Backend-specific options.")
    resources: dict[str, float] = Field(
        default_factory=dict,
        description="What one replica asks a Ray cluster for: num_cpus, num_gpus, memory, custom resources.",
    )
    replicas: int = Field(1, ge=1, description="Loaded copies of the model in a Ray sweep.")
    characteristics: dict[str, Any] = Field(
        default_factory=dict, description="Descriptive facts (params_b, train_tokens_t, ...); not hashed."
    )
    # the generation fields a run set explicitly (with_generation); not part of the spec or its hash
    _flagged: frozenset[str] = PrivateAttr(default=frozenset())

    @field_validator("name")
    @classmethod
    def _folder_safe_name(cls, name: str) -> str:
        """The name becomes part of a results folder name (`<a>-t0.0--<b>-t0.0`), so it may not hold a path
        separator, start with a dot, or contain the pair separator `--`. Hub ids (`org/model`) go in model_id."""
        if not name.strip() or name.startswith(".") or any(c in name for c in "/\\\0") or "--" in name:
            raise ValueError(
                f"model name {name!r} cannot be a results folder name: no '/', '\\', '--' or leading '.' "
                "(for a hub id like 'org/model', name the model e.g. 'org_model' and set model_id: org/model)"
            )
        if any(ord(c) < 32 for c in name):
            raise ValueError(f"model name {name!r} contains control characters")
        return name

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        """A typo like `htp://` is refused when the registry is read, not retried as a transient fault later."""
        if url is None:
            return url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"base_url {url!r} must be an http:// or https:// URL with a host")
        return url

    @field_validator("sampling")
    @classmethod
    def _known_sampling(cls, sampling: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        """A misspelt or out-of-range setting is refused where the spec is read, not run as if unset."""
        for key in sampling:
            if key in cls.model_fields and key != "sampling":
                raise ValueError(f"`{key}` is a field of the spec, not a sampling setting (set it beside `sampling:`)")
        check_sampling(info.data.get("backend", ""), sampling)
        return sampling

    @field_validator("options")
    @classmethod
    def _retry_delay_is_a_duration(cls, options: dict[str, Any]) -> dict[str, Any]:
        delay = options.get("retry_base_delay_s")
        if delay is not None and not (isinstance(delay, int | float) and 0 <= delay <= MAX_RETRY_DELAY_S):
            raise ValueError(f"retry_base_delay_s must be a number of seconds from 0 to {MAX_RETRY_DELAY_S:g}")
        return options

    def hashed_fields(self) -> dict[str, Any]:
        """The fields that determine generation, as a plain dict. A base URL's credentials (userinfo) are
        not part of it: changing a password does not change the model."""
        fields = self.model_dump(exclude=_NOT_HASHED, mode="json")
        fields["options"] = {k: v for k, v in fields["options"].items() if k not in _OPTIONS_NOT_HASHED}
        if fields["base_url"]:
            fields["base_url"] = url_without_userinfo(fields["base_url"])
        options = fields["options"]
        for key in _CONTENT_OPTIONS:
            if isinstance(options.get(key), str):
                options[key] = _file_digest(options[key])
        return {k: v for k, v in fields.items() if not (k in _HASHED_WHEN_SET and v is None)}

    def spec_hash(self) -> str:
        """A short stable hash of the generation-relevant fields."""
        canonical = json.dumps(self.hashed_fields(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def fields_added_since(self, recorded: dict[str, Any]) -> list[str]:
        """The fields hashed only when set that this spec sets and a recorded spec (a run.json entry written
        before they existed) lacks."""
        return sorted(f for f in _HASHED_WHEN_SET if f not in recorded and getattr(self, f) is not None)

    def spec_hash_without(self, fields: list[str]) -> str:
        """The hash as it was before `fields` (hashed only when set) existed."""
        return self.model_copy(update=dict.fromkeys(fields)).spec_hash()

    def with_generation(self, temperature: float | None = None, max_tokens: int | None = None) -> ModelSpec:
        """A copy with a run's -t / -l applied. The one rule of every entry point (run, sweep, the API):
        an explicit value wins, otherwise the spec's own (its registry entry), otherwise clembench's
        default; `generation_sources` says which applied."""
        update = {k: v for k, v in zip(GENERATION_FIELDS, (temperature, max_tokens), strict=True) if v is not None}
        try:  # validated, unlike model_copy: -l 0 is refused like max_tokens: 0 in a registry
            # exclude_unset keeps which fields the spec itself set, so the sources stay known
            spec = ModelSpec.model_validate({**self.model_dump(exclude_unset=True), **update})
        except ValidationError as exc:
            raise ParlourError(f"model {self.name}: {validation_message(exc)}") from None
        spec._flagged = self._flagged | update.keys()
        return spec

    def generation_sources(self) -> dict[str, dict[str, Any]]:
        """Each generation setting's value and where it came from: "flag", "registry" or "clembench default"."""
        sources = {}
        for field in GENERATION_FIELDS:
            source = CLEMBENCH_DEFAULT
            if field in self._flagged:
                source = FLAG
            elif field in self.model_fields_set:
                source = REGISTRY
            sources[field] = {"value": getattr(self, field), "source": source}
        return sources

    def quantization_label(self) -> str | None:
        """`Q8_0`, or `Q8_0 from Q4_1` for a requantized file."""
        return quantization_label(self.model_dump(include={"quantization", "requantized_from"}))

    def player_folder_name(self) -> str:
        """clembench's name of one player in result folders: `<name>-t<temperature>`."""
        return f"{self.name}-t{self.temperature}"


def validation_message(exc: ValidationError) -> str:
    """The first error of a ModelSpec validation as `field `x`: what is wrong`."""
    first = exc.errors()[0]
    field = ".".join(str(x) for x in first["loc"])
    return f"field `{field}`: {first['msg'].removeprefix('Value error, ')}"
