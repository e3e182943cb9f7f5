"""A writable copy of the real v1.6 episodes (with their official scores) for tests that break one file."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_scored_tree(tmp_path: Path, reference: Path) -> Path:
    """tmp_path/results: copies of the reference episodes with their official scores (`reference` is the
    conftest fixture, so that a test using this skips where the reference data is absent)."""
    results = tmp_path / "results"
    shutil.copytree(reference / "episodes", results)
    return results


def first_episode(results: Path, game: str) -> Path:
    """The first episode folder of `game` that has an interactions.json."""
    return next(p.parent for p in sorted(results.glob(f"*/{game}/*/episode_*/interactions.json")))
