"""Every command of the README's Usage section runs, in the order the README gives them, with small limits:
`--limit 1` wherever a command plays episodes, the README's placeholders filled in. Each command names the
extra it needs; where that extra is not installed, the command is skipped with that reason."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
from pathlib import Path

import pytest
from support.cli import parlour

from parlour.models.weights.cache import cache_dir

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"

pytestmark = pytest.mark.slow

# what a command needs beyond `make run`'s install (llama.cpp): extra -> a module it installs
EXTRAS = {"hf": "transformers", "server": "uvicorn", "vllm": "vllm"}
NEEDS = {
    "smollm2-135m-hf": "hf",
    "examples/paper-sweep.yaml": "server",  # and hf: its models include smollm2-135m-hf and -server
}
PLACEHOLDERS = {"MODEL_A": "programmatic:oracle", "MODEL_B": "programmatic:breaker"}


def usage_lines() -> dict[str, str]:
    """The `parlour ...` lines of the bash blocks under '## Usage' (up to the next '## ' heading): command ->
    its comment."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Usage") : text.index("\n## ", text.index("\n## Usage") + 1)]
    commands = {}
    for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            command, _, comment = line.partition("#")
            if command.strip().startswith("parlour "):
                commands[command.strip()] = comment
    return commands


def usage_commands() -> list[str]:
    return list(usage_lines())


def _key_missing(command: str) -> str | None:
    """A hosted model's line says which key it reads (`key: $NAME`); without it, it cannot run here."""
    for name in re.findall(r"key: \$(\w+)", usage_lines()[command]):
        if not os.environ.get(name):
            return f"needs an API key in ${name} (and the provider reachable)"
    return None


# the README's whole study (seven games, seven specs, two servers) takes many minutes even at --limit 1; the
# same file runs on one game in test_sweep.py, and here in full only when asked
FULL_SWEEP = os.environ.get("PARLOUR_README_SWEEP", "") not in ("", "0")
SWEEP_DEFERRED = (
    "the README's full sweep runs with PARLOUR_README_SWEEP=1; on one game it runs in "
    "tests/core/test_sweep.py::test_the_paper_sweep_runs_end_to_end_and_resumes"
)


def _extra_missing(command: str) -> str | None:
    for needle, extra in NEEDS.items():
        wanted = [extra, "hf"] if needle.endswith(".yaml") else [extra]
        if needle in command:
            for name in wanted:
                if importlib.util.find_spec(EXTRAS[name]) is None:
                    return f"needs the '{name}' extra (pip install 'parlour[{name}]')"
    return None


def _arguments(command: str, home: Path) -> list[str]:
    args = shlex.split(command)[1:]
    args = [PLACEHOLDERS.get(a, a) for a in args]
    args = [str(home / a[2:]) if a.startswith("~/") else a for a in args]
    if "path/to/clembench/instances.json" in args:
        from conftest import HAVE_REFERENCE
        from conftest import REFERENCE as REF

        if not HAVE_REFERENCE:
            pytest.skip(f"needs clembench's instance files (the reference data, {REF})")
        args[args.index("path/to/clembench/instances.json")] = str(REF / "games" / "wordle" / "in" / "instances.json")
    args = [str(REPO / a) if a.startswith("examples/") else a for a in args]
    if args[0] in ("run", "sweep"):
        if "--limit" in args:
            args[args.index("--limit") + 1] = "1"
        else:
            args += ["--limit", "1"]
    return args


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("readme")


def test_the_usage_section_has_commands() -> None:
    commands = usage_commands()
    assert len(commands) >= 15 and commands[0] == "parlour games"


@pytest.mark.parametrize("command", usage_commands())
def test_readme_command_runs(command: str, workdir: Path) -> None:
    missing = _extra_missing(command) or _key_missing(command)
    if missing:
        pytest.skip(f"{command}: {missing}")
    if command.startswith("parlour sweep") and not FULL_SWEEP:
        pytest.skip(SWEEP_DEFERRED)
    home = Path(os.environ["HOME"])
    env = {"PARLOUR_CACHE": str(cache_dir()), "HOME": str(home)}
    res = parlour(*_arguments(command, home), env=env, cwd=workdir, timeout=900)
    assert res.returncode == 0, f"{command}\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}"
    assert "Traceback" not in res.stderr
