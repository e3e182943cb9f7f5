"""A transformers checkpoint folder made from a GGUF file, for engines that do not read GGUF well (vLLM).

`checkpoint:LOCATION` as a registry entry's `weights` names the folder made from the GGUF at LOCATION
(a path or `package:DIST/GLOB`): transformers dequantizes the GGUF, the weights go into a fresh model of
the same config (transformers will not save a GGUF-loaded model as such), and `save_pretrained` writes
float32 safetensors, the tokenizer and its chat template into <cache>/checkpoints/. float32 holds every
dequantized Q4_1 value exactly; a bf16 copy would round them again. The folder is made once and
reused after its files are checked against the manifest written with them (sha256 of each file, the
source GGUF's sha256 and quantization type, the library versions that made it).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import shutil
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from parlour.errors import ParlourError
from parlour.models.weights.cache import cache_dir, cache_subdir

CHECKPOINT_PREFIX = "checkpoint:"
MANIFEST = "parlour-checkpoint.json"
DTYPE = "float32"
log = logging.getLogger("parlour")


class SourceGGUF(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    sha256: str
    quantization: str  # the GGUF's file type, e.g. Q4_1: what the analyses treat these weights as


class Manifest(BaseModel):
    """What `parlour-checkpoint.json` records about a made folder."""

    model_config = ConfigDict(extra="forbid")
    source: SourceGGUF
    dtype: str
    made_by: dict[str, str]  # library -> version
    files: dict[str, str]  # file name -> sha256


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def checkpoint_folder(gguf: Path, digest: str | None = None) -> Path:
    """Where the checkpoint of `gguf` lives: <cache>/checkpoints/<stem>-<first 16 hex of its sha256>."""
    return cache_dir() / "checkpoints" / f"{gguf.stem}-{(digest or _sha256(gguf))[:16]}"


def read_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, or None when there is none or it is malformed."""
    from parlour.textfiles import read_utf8

    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        return Manifest.model_validate_json(read_utf8(path, ParlourError, "checkpoint manifest"))
    except (ValidationError, ParlourError):
        return None


def problem(folder: Path) -> str | None:
    """Why the folder is not a whole checkpoint (None: every file matches its manifest)."""
    manifest = read_manifest(folder)
    if manifest is None:
        return f"{folder / MANIFEST} is missing or malformed"
    for name, digest in manifest.files.items():
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            return f"{path} is missing or does not match its sha256 in {MANIFEST}"
    return None


def gguf_quantization(gguf: Path) -> str:
    """The GGUF's file type as llama.cpp names its quantizations (Q4_1, Q8_0, F16, ...)."""
    import gguf as gguf_lib

    reader = gguf_lib.GGUFReader(str(gguf))
    field = reader.fields.get("general.file_type")
    if field is None:
        return "unknown"
    name = gguf_lib.LlamaFileType(int(field.parts[field.data[0]][0])).name
    return name.removeprefix("MOSTLY_")


def make_checkpoint(gguf: Path, target: Path, digest: str) -> Manifest:
    """Dequantize `gguf` into a new transformers checkpoint folder `target` (written whole or not at all)."""
    try:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ParlourError(
            f"making a checkpoint from {gguf.name} needs torch and transformers (pip install 'parlour[hf]')"
        ) from exc
    transformers_logging.disable_progress_bar()  # one line from parlour says what is happening instead
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as tmp:
        work = Path(tmp) / "checkpoint"
        try:
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        except (OSError, ValueError, KeyError) as exc:
            raise ParlourError(f"transformers cannot read {gguf}: {exc}") from exc
        settings = {k: v for k, v in loaded.config.to_dict().items() if k not in ("model_type", "quantization_config")}
        fresh = AutoModelForCausalLM.from_config(
            AutoConfig.for_model(loaded.config.model_type, **settings), dtype=torch.float32
        )
        fresh.load_state_dict(loaded.state_dict(), strict=True)  # every tensor, none left at its random start
        fresh.save_pretrained(work, safe_serialization=True)
        tokenizer.save_pretrained(work)
        manifest = Manifest(
            source=SourceGGUF(file=gguf.name, sha256=digest, quantization=gguf_quantization(gguf)),
            dtype=DTYPE,
            made_by={lib: importlib.metadata.version(lib) for lib in ("transformers", "torch", "safetensors")},
            files={p.name: _sha256(p) for p in sorted(work.iterdir()) if p.is_file()},
        )
        (work / MANIFEST).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        try:
            work.rename(target)  # atomic: a half-written folder is never taken for a whole one
        except OSError:
            if problem(target) is not None:  # not another process's finished copy
                raise
    return manifest


def ensure_checkpoint(gguf: Path) -> Path:
    """The checkpoint folder of `gguf`: checked and reused when it is whole, (re)made otherwise."""
    cache_subdir("checkpoints")  # a cache that cannot be made: one line, before any work
    digest = _sha256(gguf)
    folder = checkpoint_folder(gguf, digest)
    if folder.is_dir():
        why = problem(folder)
        if why is None:
            return folder
        log.warning("checkpoint %s is damaged (%s); making it again", folder, why)
        _remove(folder)
    elif folder.is_symlink():  # a link to nothing
        _remove(folder)
    log.info("making a transformers checkpoint of %s in %s (once)", gguf.name, folder)
    make_checkpoint(gguf, folder, digest)
    return folder


def _remove(folder: Path) -> None:
    """Remove a damaged checkpoint: a link is removed, never what it points to (it may be shared)."""
    try:
        if folder.is_symlink():
            folder.unlink()
        else:
            shutil.rmtree(folder)
    except OSError as exc:
        raise ParlourError(f"checkpoint {folder} is damaged and cannot be removed ({exc}); remove it by hand") from None


def source_location(location: str) -> str:
    """`checkpoint:X` -> X."""
    return location[len(CHECKPOINT_PREFIX) :]


def describe_checkpoint(folder: Path) -> dict[str, object] | None:
    """What run.json records about a made checkpoint (None for a folder parlour did not make)."""
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    return {"dequantized_from": manifest.source.model_dump(), "dtype": manifest.dtype, "made_by": manifest.made_by}
