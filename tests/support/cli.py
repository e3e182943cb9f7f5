"""Running the `parlour` command for a test.

`parlour(...)` runs it in this process, as `python -m parlour` runs in a fresh one: the CLI's imports (and
the click command typer builds from the app) are paid once per test session instead of once per command.
`parlour_process(...)` runs it as a real process, and `start_parlour(...)` starts one and returns at once,
for what only a process shows: the exit code a signal leaves, what a fresh interpreter imports, an
engine's own output on the process's file descriptors, a Ray cluster's processes.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import io
import locale
import logging
import os
import pkgutil
import runpy
import signal
import subprocess
import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, chdir, contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, TextIO
from unittest import mock

import typer.main
import yaml
from rich.console import Console

from support.processes import signal_sets

# the terminal width a command sees unless the test sets its own: wide, so that rich wraps no line a test reads
COLUMNS = "200"


def parlour(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run `python -m parlour ARGS` in this process; returns what `parlour_process` returns (exit code,
    stdout and stderr as text). `timeout` is not enforced here: it is accepted so that a call can switch
    between the two runners unchanged."""
    load_cli()
    stdout, stderr = _pipe_like(sys.__stdout__), _pipe_like(sys.__stderr__)
    gc.freeze()  # what this process held before the command is not the command's: the collection below is quick
    try:
        with _as_a_fresh_process(args, env, cwd, stdout, stderr):
            code = _run_module()
            # what a process's end finalizes (an unawaited coroutine's warning, say) is printed on its stderr
            gc.collect()
    finally:
        gc.unfreeze()
    return subprocess.CompletedProcess(["parlour", *args], code, _read_pipe(stdout), _read_pipe(stderr))


def parlour_process(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run `python -m parlour ARGS` as a process; returns the CompletedProcess (text mode)."""
    full_env = {**os.environ, "COLUMNS": COLUMNS, **(env or {})}
    return subprocess.run(_command(args), capture_output=True, text=True, env=full_env, cwd=cwd, timeout=timeout)


def start_parlour(*args: str, env: dict[str, str], **popen: object) -> subprocess.Popen:
    """Start `python -m parlour ARGS` as a process and return at once, for a test that signals or kills it;
    `popen` goes to subprocess.Popen (stdout, stderr, text)."""
    return subprocess.Popen(_command(args), env={**os.environ, **env}, **popen)  # type: ignore[call-overload]


def write_registry(path: Path, *entries: dict) -> dict[str, str]:
    """A models.yaml with the given entries; returns the env that makes parlour read it."""
    path.write_text(yaml.safe_dump({"models": list(entries)}), encoding="utf-8")
    return {"PARLOUR_MODELS": str(path)}


def load_cli() -> None:
    """Import the CLI once, as a process whose output is piped imports it: its module-level consoles then
    show no colours and take their width from COLUMNS when they print (a width seen at import would stay).
    A CLI package's modules are all imported here, so that none makes its consoles during a command."""
    if "parlour.cli" in sys.modules:
        return
    with mock.patch.dict(os.environ), redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        for name in ("COLUMNS", "LINES"):
            os.environ.pop(name, None)
        cli = importlib.import_module("parlour.cli")
        for module in pkgutil.walk_packages(getattr(cli, "__path__", []), "parlour.cli."):
            importlib.import_module(module.name)


@functools.cache
def _click_command(app: typer.Typer) -> Any:
    """The click command typer builds from the app on every call (a process builds it once): the same app
    gives the same command, and a click command holds no state between invocations."""
    return _build_click_command(app)


_build_click_command = typer.main.get_command


def _command(args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "parlour", *args]


def _run_module() -> int:
    """The exit code of `python -m parlour`, run the way the interpreter runs `-m` (so parlour.cli.main and
    its one error handler decide it, and click names the program `python -m parlour`)."""
    try:
        runpy.run_module("parlour", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        return _exit_status(exc.code)
    except Exception:  # what escapes main ends a process with a traceback and status 1
        traceback.print_exc()
        return 1
    return 0


def _exit_status(code: object) -> int:
    """The status the interpreter turns sys.exit(code) into."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _pipe_like(stream: TextIO | None) -> io.TextIOWrapper:
    """A stand-in for a piped stdout or stderr: no terminal, and the encoding and error handler that this
    interpreter gives its standard streams."""
    return io.TextIOWrapper(
        io.BytesIO(), encoding=getattr(stream, "encoding", None), errors=getattr(stream, "errors", None)
    )


def _read_pipe(stream: io.TextIOWrapper) -> str:
    """What subprocess.run(text=True) reads from a pipe: the locale's encoding, universal newlines."""
    stream.flush()
    text = stream.buffer.getvalue().decode(locale.getpreferredencoding(False))  # type: ignore[attr-defined]
    return text.replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _as_a_fresh_process(
    args: tuple[str, ...], env: dict[str, str] | None, cwd: Path | None, stdout: TextIO, stderr: TextIO
) -> Iterator[None]:
    """This process as `python -m parlour ARGS` finds a fresh one (its environment, working folder, argv,
    standard streams, logging, warnings, caches, secrets registered for redaction), and as it was again
    afterwards."""
    from parlour import redact  # here: support.cli is imported before load_cli()

    with ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, {"COLUMNS": COLUMNS, **(env or {})}))
        stack.enter_context(chdir(cwd or os.getcwd()))
        stack.enter_context(mock.patch.object(sys, "argv", ["parlour", *args]))  # runpy sets argv[0]
        stack.enter_context(mock.patch.object(sys, "stdin", io.StringIO()))  # as /dev/null, which pytest gives
        stack.enter_context(redirect_stdout(stdout))
        stack.enter_context(redirect_stderr(stderr))
        stack.enter_context(_unconfigured_logging())
        stack.enter_context(_interpreter_warnings())
        stack.enter_context(_kept_signal_state())
        stack.enter_context(_kept_event_loop_policy())
        # the secrets registered for redaction are the process's: a command starts with none, as a process does,
        # so a run that fails to register its key is not hidden by a key an earlier test registered here
        stack.enter_context(mock.patch.object(redact, "_secrets", set()))
        stack.enter_context(mock.patch.object(typer.main, "get_command", _click_command))
        _clear_caches()
        _check_consoles()
        yield


@contextmanager
def _unconfigured_logging() -> Iterator[None]:
    """main() calls logging.basicConfig, which does nothing where the root logger has handlers (pytest's):
    without them it adds its `note:` handler on this command's stderr; pytest's come back afterwards."""
    root = logging.getLogger()
    kept, level = list(root.handlers), root.level
    for handler in kept:
        root.removeHandler(handler)
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in kept:
            root.addHandler(handler)
        root.setLevel(level)


@contextmanager
def _interpreter_warnings() -> Iterator[None]:
    """A fresh interpreter's warning filters, and warnings printed on this command's stderr (pytest would
    record them instead, and its filters may differ)."""
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
        for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
            warnings.simplefilter("ignore", category, append=True)
        warnings.showwarning = _print_warning
        yield


def _print_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, file: TextIO | None = None,
    line: str | None = None,
) -> None:  # fmt: skip
    sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


@contextmanager
def _kept_signal_state() -> Iterator[None]:
    """A command may install handlers (asyncio.run does, for Ctrl-C), block signals or set a wakeup fd; the
    test session keeps its own. A process started later inherits ignored and blocked signals across exec:
    with SIGINT ignored or blocked, `python -m parlour` started by a test would not stop on Ctrl-C."""
    handlers = {number: signal.getsignal(number) for number in signal.valid_signals()}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    wakeup_fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup_fd)
    ignored = _ignored_signals()
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        signal.set_wakeup_fd(wakeup_fd)
        for number, handler in handlers.items():
            # None: a handler set outside Python, which Python cannot put back (checked below)
            if handler is not None and signal.getsignal(number) is not handler:
                signal.signal(number, handler)
        if _ignored_signals() != ignored:
            raise RuntimeError(
                f"the command changed which signals this process ignores (from {sorted(ignored)} to "
                f"{sorted(_ignored_signals())}) outside Python: a process started later would inherit it"
            )


def _ignored_signals() -> set[int]:
    """The signals this process ignores, as the kernel has it (a handler set in C is invisible to Python)."""
    return signal_sets(Path("/proc/self/status").read_text())["SigIgn"]


@contextmanager
def _kept_event_loop_policy() -> Iterator[None]:
    policy = asyncio.get_event_loop_policy()
    try:
        yield
    finally:
        asyncio.set_event_loop_policy(policy)


def _parlour_modules() -> list[object]:
    return [module for name, module in list(sys.modules.items()) if name == "parlour" or name.startswith("parlour.")]


def _clear_caches() -> None:
    """A fresh process starts with empty functools caches (the model registry's files, keyed by path and
    modification time; the score cache's fingerprint): a file rewritten within one timestamp tick, or a
    changed environment, is read anew."""
    for module in _parlour_modules():
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _check_consoles() -> None:
    """The CLI's rich consoles are module-level objects that find their file (sys.stdout or sys.stderr) when
    they print; their width and colours must be what a console made now, in a fresh process, would have."""
    fresh = {False: Console(), True: Console(stderr=True)}
    for module in _parlour_modules():
        for name, console in list(vars(module).items()):
            if not isinstance(console, Console) or console.file not in (sys.stdout, sys.stderr):
                continue
            expected = fresh[console.stderr]
            if (console.width, console.color_system) != (expected.width, expected.color_system):
                raise RuntimeError(
                    f"{module.__name__}.{name} has width {console.width} and colours {console.color_system}, a "  # type: ignore[attr-defined]
                    f"fresh process's {expected.width} and {expected.color_system}: it was made on a terminal or "
                    "with COLUMNS set; import it first through support.cli.load_cli()"
                )
