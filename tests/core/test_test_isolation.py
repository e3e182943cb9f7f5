"""The test environment itself: no test reads the developer's own model registry, and the `parlour` the
tests run in their own process prints what the real process prints."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from support.cli import parlour, parlour_process
from support.processes import signal_sets

from parlour import api, redact
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


def _signal_state() -> tuple[object, ...]:
    """What this process's signal set-up is: Python's handlers, the blocked signals, the wakeup fd, and the
    kernel's view of what is blocked and ignored (what a process started from here inherits)."""
    wakeup_fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup_fd)
    handlers = {number: signal.getsignal(number) for number in signal.valid_signals()}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    kernel = signal_sets(Path("/proc/self/status").read_text())
    return handlers, blocked, wakeup_fd, kernel["SigBlk"], kernel["SigIgn"]


def _child_signal_sets() -> dict[str, set[int]]:
    """What a Python process started from here blocks, ignores and catches, as it starts."""
    probe = "print(open('/proc/self/status').read())"
    status = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return signal_sets(status)


def test_an_in_process_command_leaves_the_signal_set_up_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ignored and blocked signals are inherited by every process a later test starts: a `parlour run` that
    must stop on Ctrl-C would not. A real run (asyncio.run handles Ctrl-C while it runs) and a command that
    ignores and blocks SIGINT and SIGTERM and sets a wakeup fd leave this process as it was."""
    before = _signal_state()
    run = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "--limit", "1", "-r", str(tmp_path / "r"))
    assert run.returncode == 0, run.stderr
    assert _signal_state() == before
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)

    def leaky_games() -> list[object]:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.set_wakeup_fd(write_end)
        return []

    monkeypatch.setattr(api, "games", leaky_games)
    try:
        assert parlour("games").returncode == 0
        assert _signal_state() == before
        child = _child_signal_sets()
    finally:
        os.close(read_end)
        os.close(write_end)
    assert signal.SIGINT not in child["SigIgn"] | child["SigBlk"] and signal.SIGINT in child["SigCgt"]
    assert signal.SIGTERM not in child["SigIgn"] | child["SigBlk"]


def test_an_in_process_command_starts_with_no_secret_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key registered here (an earlier test loaded a model) would hide a run that fails to register its own:
    a command starts with none registered, as a process does, and this process's are kept."""
    name = "no-model-but-a-registered-secret-4711"
    monkeypatch.setattr(redact, "_secrets", set(redact._secrets))
    redact.register_secret(name)
    run = parlour("run", "-g", "taboo", "-m", name)
    assert run.returncode == 2 and f"unknown model '{name}'" in run.stderr
    assert redact.redact(name) == redact.REDACTED
