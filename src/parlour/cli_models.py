"""`parlour quantize` and `parlour doctor` (registered on the main app by parlour.cli)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from parlour.cli_errors import fail
from parlour.errors import ParlourError
from parlour.textfiles import read_yaml

console = Console(highlight=False, soft_wrap=True)


def append_registry_entry(registry: Path, entry: dict) -> None:
    """Add (or replace, by name) one entry in a user registry file such as ./models.yaml."""
    data: dict = {"models": []}
    if registry.is_file():
        loaded = read_yaml(registry, ParlourError, "model registry") or {}
        if not isinstance(loaded, dict) or not isinstance(loaded.get("models", []), list):
            raise ParlourError(f"{registry}: a model registry needs a top-level `models:` list")
        data = {**loaded, "models": list(loaded.get("models") or [])}
    data["models"] = [m for m in data["models"] if not (isinstance(m, dict) and m.get("name") == entry["name"])]
    data["models"].append(entry)
    tmp = registry.with_name(registry.name + ".tmp")
    tmp.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    tmp.replace(registry)


def quantize_command(
    source: str = typer.Argument(..., help="Source GGUF file, or the name of a registered GGUF model."),
    qtype: str = typer.Option(..., "--type", help="Q8_0 | Q6_K | Q5_K_M | Q4_K_M | Q4_0 | Q2_K | F16 ..."),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the quantized GGUF."),
    allow_requantize: bool = typer.Option(
        True, "--allow-requantize/--no-allow-requantize", help="Allow an already quantized source."
    ),
    register: str | None = typer.Option(
        None, "--register", help="Also add a registry entry with this name (grouped under the base model)."
    ),
    registry: Path = typer.Option(Path("models.yaml"), "--registry", help="Registry file for --register."),
) -> None:
    """Derive another quantization level of a GGUF model with llama.cpp's quantizer."""
    from parlour.models.registry import lookup
    from parlour.models.weights.quantize import quantize_gguf, registry_entry
    from parlour.models.weights.resolve import resolve_weights

    try:
        base = None
        path = Path(source).expanduser()
        if not path.is_file():
            if path.suffix == ".gguf":
                raise ParlourError(f"quantize: source {path} does not exist")
            base = lookup(source)  # a registered model's weights
            if not base.weights:
                raise ParlourError(f"quantize: model {source} has no local weights")
            path = resolve_weights(base.weights, base.name)
        report = quantize_gguf(path, output, qtype, allow_requantize=allow_requantize)
        console.print(escape(report.summary()))
        if register:
            entry = registry_entry(report, register, base)
            append_registry_entry(registry, entry)
            console.print(f"registered {register} in {registry}")
    except ParlourError as exc:
        fail(str(exc))


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


def doctor_command(
    model: list[str] | None = typer.Option(None, "-m", "--model", help="Model to diagnose (repeatable)."),
    results: Path | None = typer.Option(None, "-r", "--results", help="Check every reply in a results folder."),
    generate: bool = typer.Option(True, "--generate/--no-generate", help="Generate one reply to check."),
    max_tokens: int | None = typer.Option(None, "-l", "--max-tokens", help="max tokens for that reply."),
) -> None:
    """Show how a model's chat template frames turns, and flag turn-taking faults."""
    from parlour.models.doctor import diagnose_model, diagnose_results
    from parlour.models.loader import load_model
    from parlour.models.registry import lookup

    if not model and results is None:
        fail("give -m MODEL and/or -r RESULTS")
    try:
        for name in model or []:
            spec = lookup(name).with_generation(max_tokens=max_tokens)
            backend = load_model(spec)

            async def run(backend=backend):  # noqa: ANN001, ANN202
                try:
                    return await diagnose_model(backend, generate=generate)
                finally:
                    await backend.aclose()

            _print_model_diagnosis(asyncio.run(run()))
        if results is not None:
            _print_results_diagnosis(results, diagnose_results(results))
    except ParlourError as exc:
        fail(str(exc))
