"""`parlour models`: the registered models and whether their weights are here."""

from __future__ import annotations

import typer
from rich.table import Table

from parlour.cli.output import console
from parlour.redact import url_without_userinfo


def models_command(
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Show where each model's weights or endpoint are."),
) -> None:
    """List the registered models (built-in and your models.yaml files) and whether their weights are here."""
    from parlour import api

    listing = api.models()
    table = Table("model", "backend", "quant", "weights", "spec hash")
    if verbose:
        table.add_column("weights / endpoint", overflow="fold")
    for spec, weights in listing.models:
        row = [spec.name, spec.backend, spec.quantization_label() or "", weights, spec.spec_hash()]
        if verbose:
            row.append(spec.weights or url_without_userinfo(spec.base_url or "") or spec.model_id or "")
        table.add_row(*row)
    console.print(table)
    console.print("registry files: " + ", ".join(str(p) for p in listing.registry_files), style="dim")
