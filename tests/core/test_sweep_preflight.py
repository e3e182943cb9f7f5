"""A sweep checks every model's requirements before its first episode: the pairs that can run, run; the others
are reported as not run, in one block, with the command that installs what is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.cli import write_registry

from parlour.models import preflight
from parlour.sweep.file import SweepFile
from parlour.sweep.run import missing_here, plan_pairs

# the real command, with llama.cpp's package taken for absent (a machine without the llamacpp extra)
WITHOUT_LLAMA_CPP = (
    "import parlour.models.preflight as p; "
    "p.BACKEND_PACKAGES['llamacpp'] = (('no_such_module_here',), \"pip install 'parlour[llamacpp]'\"); "
    "from parlour.cli import main; main()"
)
ORACLE_PAIR = "programmatic-oracle-t0.0--programmatic-oracle-t0.0"


def test_a_pair_whose_extra_is_missing_is_not_run_and_the_others_run(tmp_path: Path) -> None:
    sweep = {"models": ["programmatic:oracle", "smollm2-135m"], "games": ["taboo"], "report": False}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(sweep), encoding="utf-8")
    args = ["sweep", str(path), "-r", "res", "--limit", "1", "--n-boot", "20", "--no-progress"]
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_LLAMA_CPP, *args], capture_output=True, text=True, cwd=tmp_path, timeout=600
    )
    assert result.returncode == 1, result.stderr  # README: some work failed, the rest is written
    lack = "model smollm2-135m: the llamacpp backend needs no_such_module_here, which is not installed"
    assert result.stderr.count("not run, as this machine lacks") == 1
    assert f"{lack} (pip install 'parlour[llamacpp]')" in result.stderr
    assert "pair failed smollm2-135m: not run:" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(list((tmp_path / "res" / ORACLE_PAIR / "taboo").rglob("scores.json"))) == 3  # the oracle played
    assert not list((tmp_path / "res").glob("smollm2-135m*"))  # nothing made for the pair that cannot run
    assert "programmatic-oracle: 3 episodes" in result.stdout


def test_files_a_sweep_makes_and_servers_it_starts_are_checked_for_what_makes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = write_registry(
        tmp_path / "models.yaml",
        {"name": "w-q8", "backend": "llamacpp", "weights": str(tmp_path / "q8.gguf"), "quantization": "Q8_0"},
    )
    monkeypatch.setenv("PARLOUR_MODELS", env["PARLOUR_MODELS"])
    models = {"models": ["w-q8", "smollm2-135m-server"], "games": ["taboo"]}
    unmade = SweepFile.model_validate(models)
    assert [m.problem for m in missing_here(unmade, plan_pairs(unmade))["w-q8"]] == [
        f"weights file {tmp_path / 'q8.gguf'} does not exist"
    ]
    made = SweepFile.model_validate(
        {**models, "quantize_from": "smollm2-135m", "serve": {"smollm2-135m-server": "smollm2-135m"}}
    )
    assert missing_here(made, plan_pairs(made)) == {}  # the file is made, the server started, before they play
    monkeypatch.setattr(preflight, "SERVER_PACKAGES", (("no_uvicorn_here",), "pip install 'parlour[server]'"))
    [lack] = missing_here(made, plan_pairs(made))["smollm2-135m-server"]
    assert lack.problem == "a llama.cpp server needs no_uvicorn_here, which is not installed"
    assert lack.fix == "pip install 'parlour[server]'"
