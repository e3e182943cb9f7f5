"""The one way parlour's commands fail: a red `error:` line (secrets redacted, control
characters escaped) and an exit code.

Exit codes, for every command: 0 ok; 1 some episodes or files failed (the rest is written); 2 a usage or
input error (one line naming the file, model or field); 130 interrupted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from parlour.errors import ParlourError
from parlour.redact import printable

FAILED, INPUT_ERROR = 1, 2

err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(message: str) -> None:
    err_console.print(f"[bold red]error:[/] {escape(printable(message))}")


def fail(message: str, code: int = INPUT_ERROR) -> None:
    """Stop the command with one error line."""
    print_error(message)
    raise typer.Exit(code)


# Newer typer (0.2x) ships its own copy of click and raises that copy's exceptions; older typer (0.15) raises
# click's. typer.BadParameter is public in both, so its base classes are the ones actually raised.
_RAISED = {cls.__name__: cls for cls in typer.BadParameter.__mro__}
ClickException: type[Exception] = _RAISED["ClickException"]
UsageError: type[Exception] = _RAISED["UsageError"]


def print_click_error(exc: Exception) -> int:
    """Show a click error (bad option value, unknown command or option, missing option) as one `error:`
    line that names the command and its --help; returns the exit code (2 for usage errors)."""
    message = exc.format_message()  # type: ignore[attr-defined]
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, UsageError) and ctx is not None:
        message = f"{ctx.command_path}: {message} (see '{ctx.command_path} --help')"
    print_error(" ".join(message.split()))
    return int(getattr(exc, "exit_code", 1))


def one_line_errors(func: Callable[..., None]) -> Callable[..., None]:
    """A command whose ParlourError is shown as one line with exit code 2, also when the command's app is
    used on its own (as the tests do with typer's CliRunner), not only through `parlour`'s main()."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            func(*args, **kwargs)
        except ParlourError as exc:
            fail(str(exc))

    return wrapper
