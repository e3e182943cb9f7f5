"""Making what a sweep's specs need before they play: quantized GGUF files that are not there yet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from parlour.errors import ParlourError
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec
from parlour.models.weights import resolve_weights


def missing_quantizations(specs: list[ModelSpec]) -> list[ModelSpec]:
    """The llama.cpp specs whose GGUF file is a plain path that does not exist yet."""
    return [
        s
        for s in specs
        if s.backend == "llamacpp" and s.quantization and s.weights and not s.weights.startswith("package:")
        and not Path(s.weights).expanduser().exists()
    ]  # fmt: skip


def make_quantizations(specs: list[ModelSpec], source_model: str, log: Callable[[str], None] = print) -> list[Path]:
    """Quantize `source_model`'s weights into each missing file (llama.cpp, requantizing where needed)."""
    from parlour.models.quantize import quantize_gguf

    source = lookup(source_model)
    if not source.weights:
        raise ParlourError(f"quantize_from: model {source_model} has no local weights")
    source_path = resolve_weights(source.weights, source.name)
    made = []
    for spec in missing_quantizations(specs):
        output = Path(spec.weights or "").expanduser()
        report = quantize_gguf(source_path, output, spec.quantization or "")
        log(f"made {output} ({report.type} from {source_path.name}, {report.seconds:.1f} s) for {spec.name}")
        made.append(output)
    return made
