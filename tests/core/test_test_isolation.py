"""The test environment itself: no test reads the developer's own model registry, and the `parlour` the
tests run in their own process prints what the real process prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO
from support.cli import parlour, parlour_process

from parlour.models.registry import registry_files


def test_only_the_builtin_registry_is_visible() -> None:
    # not ./models.yaml of the directory pytest started in, ~/.config/parlour/models.yaml or $PARLOUR_MODELS
    assert [p.name for p in registry_files()] == ["registry.yaml"]
    assert Path.cwd() != REPO and not (Path.home() / ".config" / "parlour" / "models.yaml").exists()


COMMANDS = [
    ("--help",),
    ("games",),
    ("models", "-v"),
    ("run", "-g", "taboo", "-m", "programmatic:oracle", "--limit", "0"),  # a usage error
    ("run", "-g", "chess", "-m", "programmatic:oracle"),  # an input error
    ("eval", "-r", "/no/such/results"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_in_process_parlour_prints_what_the_process_prints(args: tuple[str, ...]) -> None:
    env = {"COLUMNS": "80"}  # rich's tables and click's help wrap at the width the command is given
    ours, real = parlour(*args, env=env), parlour_process(*args, env=env)
    assert (ours.returncode, ours.stdout, ours.stderr) == (real.returncode, real.stdout, real.stderr)
