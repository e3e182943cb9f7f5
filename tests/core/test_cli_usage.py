"""Usage errors (a bad option value, a missing option, an unknown command or option) are one `error:` line
and exit code 2 with whichever typer (and click) is installed; `import parlour.cli` stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from support.cli import parlour

USAGE_ERRORS = [
    (["run", "-g", "taboo", "-m", "smollm2-135m", "--limit", "0"], "--limit"),
    (["run", "-g", "taboo", "-m", "smollm2-135m", "--concurrency", "0"], "--concurrency"),
    (["eval", "-j", "0"], "--jobs"),
    (["eval", "--n-boot", "abc"], "--n-boot"),
    (["eval", "--n-boot", "-5"], "--n-boot"),
    (["report", "-r", "results", "-o", "site", "--n-boot", "-5"], "--n-boot"),
    (["run", "-m", "smollm2-135m"], "--game"),
    (["frobnicate"], "frobnicate"),
    (["games", "--frobnicate"], "--frobnicate"),
]


@pytest.mark.parametrize(("args", "named"), USAGE_ERRORS, ids=[" ".join(a) for a, _ in USAGE_ERRORS])
def test_usage_errors_are_one_line_with_exit_code_2(args: list[str], named: str) -> None:
    run = parlour(*args, env={"COLUMNS": "80"})
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.returncode == 2, run.stderr
    assert len(lines) == 1 and lines[0].startswith("error:") and named in lines[0], run.stderr
    assert "Traceback" not in run.stderr


HEAVY = ["matplotlib", "pandas", "statsmodels", "torch", "vllm", "ray", "llama_cpp"]


def test_importing_the_cli_leaves_the_heavy_modules_for_the_commands_that_use_them() -> None:
    probe = f"import json, sys, parlour.cli; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    )
    assert loaded == []
