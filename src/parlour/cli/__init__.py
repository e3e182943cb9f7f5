"""The `parlour` command: one module per command, each a thin shell over one function of `parlour.api`
(or `parlour.analyze`); `main` registers them and is the one error handler. Heavy modules (pandas, the
engines) are imported inside the commands, so that `parlour --help` answers at once."""

from parlour.cli.command import app, main

__all__ = ["app", "main"]
