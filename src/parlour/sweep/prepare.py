"""Making what a sweep's specs need before they play: quantized GGUF files that are not there yet, and
the llama.cpp servers its server specs talk to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

from parlour.errors import ParlourError
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec
from parlour.models.weights.resolve import resolve_weights


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
    from parlour.models.weights.quantize import quantize_gguf

    source = lookup(source_model)
    if not source.weights:
        raise ParlourError(f"quantize_from: model {source_model} has no local weights")
    source_path = resolve_weights(source.weights, source.name)
    made = []
    for spec in missing_quantizations(specs):
        output = Path(spec.weights or "").expanduser()
        # the sweep file asks for these files by name; their registry entries say what they are made from
        report = quantize_gguf(source_path, output, spec.quantization or "", allow_requantize=True)
        log(f"made {output} ({report.type} from {source_path.name}, {report.seconds:.1f} s) for {spec.name}")
        made.append(output)
    return made


@contextmanager
def served(serve: dict[str, str], specs: list[ModelSpec]) -> Iterator[None]:
    """Run a llama.cpp server for each `server spec name: model` entry, on the port of the server spec's
    base_url (part of its hash, so it stays fixed), while the sweep plays."""
    from parlour.models.engines.llama_server import serve_gguf

    by_name = {s.name: s for s in specs}
    with ExitStack() as stack:
        for server_name, source_model in serve.items():
            spec = by_name.get(server_name) or lookup(server_name)
            where = urlparse(spec.base_url or "")
            if where.hostname not in ("127.0.0.1", "localhost") or where.port is None:
                raise ParlourError(
                    f"serve: {server_name} needs a loopback base_url with a port (http://127.0.0.1:PORT/v1)"
                )
            source = lookup(source_model)
            gguf = resolve_weights(source.weights or "", source.name)
            stack.enter_context(serve_gguf(gguf, spec.model_id or source.name, where.port, spec.context_size or 8192))
        yield
