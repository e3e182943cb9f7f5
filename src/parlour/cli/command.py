"""The `parlour` command: its subcommands, one module each, registered here in the order `--help` lists them,
and `main`, the entry point and the one error handler."""

from __future__ import annotations

import logging
import sys
from typing import Any, NoReturn

import typer

from parlour.cli import doctor, evaluate, games, generate, models, quantize, report, run, score, signals, sweep
from parlour.cli.analyze import analyze_app
from parlour.cli.errors import INPUT_ERROR, ClickException, print_click_error, print_error
from parlour.cli.output import notes
from parlour.cli.signals import INTERRUPTED, INTERRUPTED_CODE
from parlour.errors import ParlourError

app = typer.Typer(
    help="Evaluate chat LLMs by self-play in conversational games (clembench 1.6 compatible).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # click's own help: it wraps the descriptions and never cuts an option's name (rich's boxed table does)
    rich_markup_mode=None,
)
app.command("games")(games.games_command)
app.command("models")(models.models_command)
app.command("run")(run.run_command)
app.command("sweep")(sweep.sweep_command)
app.command("score")(score.score_command)
app.command("eval")(evaluate.eval_command)
app.command("generate")(generate.generate_command)
app.add_typer(analyze_app, name="analyze", help="The paper's analyses: regression, brackets, families, ...")
app.command("report")(report.report_command)
app.command("quantize")(quantize.quantize_command)
app.command("doctor")(doctor.doctor_command)


READABLE_TYPES = {
    "path": "PATH",
    "int": "N",
    "int range": "N",
    "float": "NUMBER",
    "float range": "NUMBER",
    "str": "TEXT",
}


def readable_metavars(command: Any) -> Any:
    """Option values named as help pages name them (`-r PATH`), instead of typer's `<list[Path]>`."""
    for param in command.params:
        if param.metavar is None and not getattr(param, "is_flag", False):
            try:
                label = param.display_type(None).strip("<>")
            except (AttributeError, TypeError):  # a choice needs its context: keep typer's label
                continue
            label = label.removeprefix("list[").removesuffix("]")
            param.metavar = READABLE_TYPES.get(label.lower(), label.upper())
    for sub in getattr(command, "commands", {}).values():
        readable_metavars(sub)
    return command


def main() -> None:
    """Entry point and the one error handler. Exit codes: 0 ok, 1 some episodes (or files) failed,
    2 a usage or input error (one line naming the file, model or field), 130 interrupted."""
    # warnings from the packages (an endpoint limit below --concurrency, ...) as one plain line each
    logging.basicConfig(level=logging.WARNING, format="note: %(message)s", stream=sys.stderr)
    try:
        # without standalone mode click returns an Exit's code instead of exiting
        code = readable_metavars(typer.main.get_command(app)).main(standalone_mode=False)
        if code == INTERRUPTED_CODE:  # typer turns Ctrl-C into an exit code of 130
            _interrupted()
        sys.exit(code if isinstance(code, int) else 0)
    except (ParlourError, OSError) as exc:  # OSError: a file we could not read or write, named in the message
        print_error(str(exc))
        sys.exit(INPUT_ERROR)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except ClickException as exc:  # usage errors, from whichever click typer uses
        sys.exit(print_click_error(exc))
    except (typer.Abort, KeyboardInterrupt):  # click turns Ctrl-C (and so SIGTERM) into Abort
        _interrupted()
    except ImportError as exc:  # a Ctrl-C during a command's first imports can surface as a failed import
        if not signals.cut_short(exc):
            raise
        _interrupted()


def _interrupted() -> NoReturn:
    code = signals.stopping()
    notes.print(INTERRUPTED, highlight=False)
    sys.exit(code)
