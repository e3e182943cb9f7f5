"""`parlour doctor`: how a model's chat template frames turns, and turn-taking faults in results."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from parlour.cli.errors import fail, one_line_errors

console = Console(highlight=False, soft_wrap=True)


def _print_model_diagnosis(diagnosis) -> None:  # noqa: ANN001 - doctor.ModelDiagnosis
    from parlour.models.doctor import SAMPLE_CHAT
    from parlour.redact import redact

    console.rule(f"{diagnosis.model} ({diagnosis.backend})")
    if diagnosis.template:
        console.print("[bold]chat template[/]")
        console.print(escape(diagnosis.template))
    else:
        console.print("[bold]chat template:[/] applied by the server (parlour sends the messages)")
    console.print("[bold]messages[/]")
    for message in SAMPLE_CHAT:
        console.print(f"  {message['role']}: {escape(message['content'])}")
    if diagnosis.prompt is not None:
        console.print("[bold]exact prompt[/] (repr, so every newline and special token shows)")
        console.print(escape(repr(diagnosis.prompt)))
    console.print(f"[bold]stop tokens in effect:[/] {escape(repr(diagnosis.stop_tokens))}")
    if diagnosis.reply_raw is not None:
        # an endpoint may echo the key into its reply
        console.print(f"[bold]raw reply:[/] {escape(redact(repr(diagnosis.reply_raw)))}")
        console.print(f"[bold]reply after stripping:[/] {escape(redact(repr(diagnosis.reply_text)))}")
        console.print(f"[bold]finish reason:[/] {diagnosis.finish_reason}")
    if diagnosis.faults:
        for fault in diagnosis.faults:
            console.print(f"[yellow]warning:[/] {escape(str(fault))}")
    else:
        console.print("[green]no turn-taking fault found[/]")


def _print_results_diagnosis(results: Path, report) -> None:  # noqa: ANN001 - doctor.ResultsDiagnosis
    from parlour.models.doctor import FAULTS

    table = Table("model", "replies", *FAULTS, title=f"turn-taking faults in {results}")
    for model in sorted(report.replies):
        counts = report.faults.get(model, {})
        cells = [str(counts.get(code, 0)) for code in FAULTS]
        if not report.rendered_prompts[model]:  # a server applied the template: the prompt text is unknown
            cells[list(FAULTS).index("default_system_prompt")] = "n/a"
        table.add_row(model, str(report.replies[model]), *cells)
    console.print(table)
    if any(not report.rendered_prompts[m] for m in report.replies):
        console.print("n/a: the server applied the chat template, so the prompt text was not recorded", style="dim")
    for (model, code), path in sorted(report.examples.items()):
        console.print(f"  e.g. {model} {code}: {path}", style="dim")


@one_line_errors
def doctor_command(
    model: list[str] | None = typer.Option(None, "-m", "--model", help="Model to diagnose (repeatable)."),
    results: Path | None = typer.Option(None, "-r", "--results", help="Check every reply in a results folder."),
    generate: bool = typer.Option(True, "--generate/--no-generate", help="Generate one reply to check."),
    max_tokens: int | None = typer.Option(None, "-l", "--max-tokens", help="max tokens for that reply."),
) -> None:
    """Show how a model's chat template frames turns, and flag turn-taking faults."""
    from parlour import api

    if not model and results is None:
        fail("give -m MODEL and/or -r RESULTS")
    for name in model or []:
        _print_model_diagnosis(api.diagnose(name, generate=generate, max_tokens=max_tokens))
    if results is not None:
        _print_results_diagnosis(results, api.diagnose_results(results))
