"""The `parlour` command: one module per command, each a thin shell over one function of `parlour.api`
(or `parlour.analyze`); `command.main` registers them and is the one error handler. Heavy modules (pandas, the
engines) are imported inside the commands, so that `parlour --help` answers at once."""

from __future__ import annotations

from typing import Any

from parlour.cli import signals

__all__ = ["app", "main"]


def main() -> None:
    """The entry point: signals handled first, then the command loaded (typer and rich take a while: a
    Ctrl-C meanwhile ends with one line too)."""
    try:
        signals.install()
        from parlour.cli.command import main as command_main
    except KeyboardInterrupt:
        signals.interrupted_on_start()
    command_main()


def __getattr__(name: str) -> Any:
    if name == "app":
        from parlour.cli.command import app

        return app
    raise AttributeError(f"module 'parlour.cli' has no attribute {name!r}")
