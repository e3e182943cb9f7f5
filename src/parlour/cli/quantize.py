"""`parlour quantize`: another quantization level of a GGUF model, by llama.cpp's quantizer."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from parlour.cli.errors import one_line_errors

console = Console(highlight=False, soft_wrap=True)


@one_line_errors
def quantize_command(
    source: str = typer.Argument(..., help="Source GGUF file, or the name of a registered GGUF model."),
    qtype: str = typer.Option(..., "--type", help="Q8_0 | Q6_K | Q5_K_M | Q4_K_M | Q4_0 | Q2_K | F16 ..."),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the quantized GGUF."),
    allow_requantize: bool = typer.Option(
        False,
        "--allow-requantize",
        help="Quantize an already quantized source (its rounding stays; the spec says e.g. 'Q8_0 from Q4_1').",
    ),
    register: str | None = typer.Option(
        None, "--register", help="Also add a registry entry with this name (grouped under the base model)."
    ),
    registry: Path = typer.Option(Path("models.yaml"), "--registry", help="Registry file for --register."),
) -> None:
    """Derive another quantization level of a GGUF model with llama.cpp's quantizer."""
    from parlour import api

    report = api.quantize(source, qtype, output, allow_requantize, register, registry)
    console.print(escape(report.summary()))
    if register:
        console.print(f"registered {register} in {registry}")
