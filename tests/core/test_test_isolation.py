"""The test environment itself: no test reads the developer's own model registry."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO

from parlour.models.registry import registry_files


def test_only_the_builtin_registry_is_visible() -> None:
    # not ./models.yaml of the directory pytest started in, ~/.config/parlour/models.yaml or $PARLOUR_MODELS
    assert [p.name for p in registry_files()] == ["registry.yaml"]
    assert Path.cwd() != REPO and not (Path.home() / ".config" / "parlour" / "models.yaml").exists()
