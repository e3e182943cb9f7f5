"""Shared test fixtures: where the read-only reference data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO.parent / "shared").resolve()
REFERENCE = SHARED / "reference" / "clembench-v1.6"


@pytest.fixture(scope="session")
def reference() -> Path:
    """../shared/reference/clembench-v1.6 (tests fail, not skip, if it is missing)."""
    assert REFERENCE.is_dir(), f"reference data missing at {REFERENCE}"
    return REFERENCE
