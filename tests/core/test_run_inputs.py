"""What a run takes from its inputs: the generation settings (flag, registry, clembench default) and the
model names it accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.cli import parlour, write_registry

from parlour.errors import UnknownModelError
from parlour.models.programmatic import POLICIES
from parlour.models.registry import lookup
from parlour.sweep.file import SweepFile, expand_models

WARM = {"name": "warm", "backend": "programmatic", "temperature": 0.7, "max_tokens": 50}


def _generation(results: Path, pair: str) -> dict:
    return json.loads((results / pair / "run.json").read_text())["runs"][-1]["generation"]


def test_run_without_flags_keeps_the_registry_settings_and_records_their_source(tmp_path: Path) -> None:
    env = write_registry(tmp_path / "models.yaml", WARM, {"name": "plain", "backend": "programmatic"})
    results = tmp_path / "results"
    base = ("run", "-g", "taboo", "-e", "high_en", "--limit", "1", "-r", str(results), "--no-progress")
    assert parlour(*base, "-m", "warm", env=env).returncode == 0
    assert _generation(results, "warm-t0.7--warm-t0.7")["warm"] == {
        "temperature": {"value": 0.7, "source": "registry"},
        "max_tokens": {"value": 50, "source": "registry"},
    }
    assert parlour(*base, "-m", "warm", "-t", "0.2", env=env).returncode == 0
    flagged = _generation(results, "warm-t0.2--warm-t0.2")["warm"]
    assert flagged["temperature"] == {"value": 0.2, "source": "flag"}
    assert flagged["max_tokens"] == {"value": 50, "source": "registry"}
    assert parlour(*base, "-m", "plain", env=env).returncode == 0
    assert _generation(results, "plain-t0.0--plain-t0.0")["plain"]["max_tokens"] == {
        "value": 100,
        "source": "clembench default",
    }


def test_sweep_applies_the_same_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLOUR_MODELS", write_registry(tmp_path / "m.yaml", WARM)["PARLOUR_MODELS"])
    (spec,) = expand_models(SweepFile(models=["warm"], games=["taboo"], max_tokens=30))
    assert spec.generation_sources() == {
        "temperature": {"value": 0.7, "source": "registry"},
        "max_tokens": {"value": 30, "source": "flag"},
    }


def test_a_mistyped_programmatic_name_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(UnknownModelError, match=r"unknown programmatic policy 'braeker' \(known: oracle, breaker"):
        lookup("programmatic:braeker")
    run = parlour("run", "-g", "taboo", "-m", "programmatic:braeker", "-r", str(tmp_path / "r"))
    assert run.returncode == 2
    assert "unknown programmatic policy 'braeker'" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").iterdir())


def test_every_policy_a_game_implements_is_a_known_name() -> None:
    games = Path(__file__).resolve().parents[2] / "src" / "parlour" / "games"
    used = set()
    for players in games.glob("*/players.py"):
        used |= set(re.findall(r'policy (?:==|in) \(?"(\w+)"', players.read_text()))
        for group in re.findall(r"policy (?:not )?in \(([^)]*)\)", players.read_text()):
            used |= set(re.findall(r'"(\w+)"', group))
    assert used and used <= set(POLICIES)
