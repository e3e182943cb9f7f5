"""Deriving quantization levels of a GGUF model with llama.cpp's own quantizer.

`quantize_gguf` calls `llama_model_quantize` (llama-cpp-python), writes to a temporary file next to
the output and renames it only on success, so a failed run leaves no partial file. llama.cpp's
per-tensor log is captured to report what every tensor became and which ones fell back to another
type (K-quants need rows divisible by 256; SmolLM2's 576-wide rows are not, so most of its tensors
fall back to Q5_0/Q8_0 and the "Q4_K_M" file is larger than its name suggests).
"""

from __future__ import annotations

import contextlib
import ctypes
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parlour.errors import ParlourError
from parlour.models.weights.digest import file_sha256

# CLI name -> (llama.cpp ftype constant, tensor types that are the type's intended mix).
QUANT_TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "F16": ("LLAMA_FTYPE_MOSTLY_F16", frozenset({"f16"})),
    "BF16": ("LLAMA_FTYPE_MOSTLY_BF16", frozenset({"bf16"})),
    "Q8_0": ("LLAMA_FTYPE_MOSTLY_Q8_0", frozenset({"q8_0"})),
    "Q6_K": ("LLAMA_FTYPE_MOSTLY_Q6_K", frozenset({"q6_K"})),
    "Q5_K_M": ("LLAMA_FTYPE_MOSTLY_Q5_K_M", frozenset({"q5_K", "q6_K"})),
    "Q5_0": ("LLAMA_FTYPE_MOSTLY_Q5_0", frozenset({"q5_0", "q6_K"})),
    "Q4_K_M": ("LLAMA_FTYPE_MOSTLY_Q4_K_M", frozenset({"q4_K", "q6_K"})),
    "Q4_1": ("LLAMA_FTYPE_MOSTLY_Q4_1", frozenset({"q4_1", "q6_K"})),
    "Q4_0": ("LLAMA_FTYPE_MOSTLY_Q4_0", frozenset({"q4_0", "q6_K"})),
    "Q3_K_M": ("LLAMA_FTYPE_MOSTLY_Q3_K_M", frozenset({"q3_K", "q4_K", "q5_K", "q6_K"})),
    "Q2_K": ("LLAMA_FTYPE_MOSTLY_Q2_K", frozenset({"q2_K", "q3_K", "q4_K", "q5_K", "q6_K"})),
}
# "[  12/ 272] blk.0.attn_q.weight - [ 576, 576, 1, 1], type = q4_1, converting to q5_0 .. size = ..."
_TENSOR_LINE = re.compile(
    r"\[\s*\d+/\s*\d+\]\s+(?P<name>\S+)\s+-\s+\[[^\]]*\],\s+type\s*=\s*(?P<src>\w+)"
    r"(?:,\s+converting to (?P<dst>\w+))?"
)
# "warning: blk.0.attn_v.weight - ncols 576 not divisible by 256 (required for type q6_K) -> falling back to q8_0"
_FALLBACK_LINE = re.compile(
    r"(?P<name>\S+)\s+-[^\n]*?required for type\s+(?P<wanted>\w+)\)\s*->\s*falling back to\s+(?P<got>\w+)"
)
FULL_PRECISION = ("f32", "f16", "bf16")
# the loader's summary of the source file: "llama_model_loader: - type q4_1:  210 tensors"
_SOURCE_TYPES = re.compile(r"- type\s+(?P<type>\w+):\s+(?P<count>\d+) tensors")
_FALLBACK_SUMMARY = re.compile(r"(\d+) of (\d+) tensor\(s\) required fallback quantization")


@dataclass
class QuantizeReport:
    """What a quantization run produced."""

    source: str
    output: str
    type: str
    source_type: str | None
    source_sha256: str
    seconds: float
    bytes_in: int
    bytes_out: int
    tensor_types: dict[str, int] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)  # tensor -> type it fell back to
    fallback_count: int | None = None  # llama.cpp's own count, when it logs one

    def summary(self) -> str:
        types = ", ".join(f"{t}: {n}" for t, n in sorted(self.tensor_types.items(), key=lambda x: -x[1]))
        lines = [
            f"{self.output}: {self.type} from {self.source_type or '?'} "
            f"({self.bytes_in / 2**20:.1f} MiB -> {self.bytes_out / 2**20:.1f} MiB, {self.seconds:.1f} s)",
            f"tensor types: {types}",
        ]
        count = self.fallback_count if self.fallback_count is not None else len(self.fallbacks)
        if count:
            by_type = Counter(self.fallbacks.values())
            detail = ", ".join(f"{n} to {t}" for t, n in by_type.most_common())
            detail = f" ({detail})" if detail else ""
            lines.append(f"fallback: {count} tensor(s) could not use {self.type}'s types{detail}")
        if self.requantized:
            lines.append(
                f"note: requantized from already quantized {self.source_type} weights: its label is "
                f"'{self.type} from {(self.source_type or '').upper()}'"
            )
        return "\n".join(lines)

    @property
    def requantized(self) -> bool:
        """Whether the source was itself quantized (not f32/f16/bf16)."""
        return bool(self.source_type) and self.source_type not in FULL_PRECISION

    def requantized_from(self) -> dict[str, str] | None:
        """The spec's `requantized_from` (source file, type, sha256) for a requantized file."""
        if not self.requantized:
            return None
        return {"file": Path(self.source).name, "type": (self.source_type or "").upper(), "sha256": self.source_sha256}


@contextlib.contextmanager
def _captured_llama_log(lines: list[str]) -> Iterator[None]:
    """Route llama.cpp's log into `lines`, restoring llama-cpp-python's logger afterwards."""
    import llama_cpp
    from llama_cpp import _logger

    @llama_cpp.llama_log_callback
    def capture(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        lines.append(text.decode("utf-8", errors="replace"))

    llama_cpp.llama_log_set(capture, ctypes.c_void_p(0))
    try:
        yield
    finally:
        llama_cpp.llama_log_set(_logger.llama_log_callback, ctypes.c_void_p(0))


def parse_quantize_log(log: str, qtype: str) -> tuple[str | None, dict[str, int], dict[str, str], int | None]:
    """(dominant source type, output type histogram, fallback tensors, llama.cpp's fallback count).

    Fallbacks are the tensors llama.cpp warns about; without such warnings (older builds), tensors
    converted to a type outside `qtype`'s intended mix.
    """
    intended = QUANT_TYPES[qtype][1]
    source_types: Counter[str] = Counter()
    out_types: Counter[str] = Counter()
    fallbacks: dict[str, str] = {}
    for match in _TENSOR_LINE.finditer(log):
        src, dst = match["src"], match["dst"]
        out_types[dst or src] += 1
        if src not in ("f32",):
            source_types[src] += 1
        if dst and dst not in intended:
            fallbacks[match["name"]] = dst
    warned = {m["name"]: m["got"] for m in _FALLBACK_LINE.finditer(log)}
    if warned:
        fallbacks = warned
    summary = _FALLBACK_SUMMARY.search(log)
    loaded = Counter({m["type"]: int(m["count"]) for m in _SOURCE_TYPES.finditer(log) if m["type"] != "f32"})
    if loaded:  # the whole file, also when llama.cpp stops at the first tensor it refuses
        source_types = loaded
    source_type = source_types.most_common(1)[0][0] if source_types else None
    return source_type, dict(out_types), fallbacks, int(summary[1]) if summary else None


def requantize_refusal(source: Path, qtype: str, source_type: str | None) -> str:
    """Why an already-quantized source is not requantized unless asked, and what asking means."""
    what = f"already quantized ({source_type.upper()})" if source_type else "already quantized"
    return (
        f"quantize: {source} is {what}: a {qtype} file made from it keeps its rounding errors and adds "
        f"{qtype}'s, so it is not the {qtype} of the full-precision weights (its spec records it as "
        f"'{qtype} from {(source_type or '?').upper()}'); pass --allow-requantize to make it anyway"
    )


def quantize_gguf(
    source: Path, output: Path, qtype: str, allow_requantize: bool = False, threads: int | None = None
) -> QuantizeReport:
    """Quantize `source` to `output` at level `qtype` (a key of QUANT_TYPES). An already-quantized source is
    refused unless `allow_requantize`."""
    qtype = qtype.upper()
    if qtype not in QUANT_TYPES:
        raise ParlourError(f"quantize: unknown type '{qtype}' (known: {', '.join(QUANT_TYPES)})")
    if not source.is_file():
        raise ParlourError(f"quantize: source {source} does not exist")
    if output.resolve() == source.resolve():
        raise ParlourError(f"quantize: output {output} would overwrite the source")
    try:
        import llama_cpp
    except ImportError as exc:
        raise ParlourError("quantize: needs llama-cpp-python (pip install 'parlour[llamacpp]')") from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, QUANT_TYPES[qtype][0])
    params.allow_requantize = allow_requantize
    params.nthread = threads or 0
    lines: list[str] = []
    start = time.perf_counter()
    try:
        with _captured_llama_log(lines):
            status = llama_cpp.llama_model_quantize(str(source).encode(), str(partial).encode(), ctypes.byref(params))
        if status != 0:
            last = next((ln.strip() for ln in reversed(lines) if ln.strip()), "no log")
            if "requantiz" in last.lower():
                raise ParlourError(requantize_refusal(source, qtype, parse_quantize_log("".join(lines), qtype)[0]))
            raise ParlourError(f"quantize: llama.cpp failed on {source} -> {qtype}: {last}")
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    log = "".join(lines)
    source_type, types, fallbacks, count = parse_quantize_log(log, qtype)
    return QuantizeReport(
        source=str(source),
        output=str(output),
        type=qtype,
        source_type=source_type,
        source_sha256=file_sha256(source),
        seconds=time.perf_counter() - start,
        bytes_in=source.stat().st_size,
        bytes_out=output.stat().st_size,
        tensor_types=types,
        fallbacks=fallbacks,
        fallback_count=count,
    )


def registry_entry(report: QuantizeReport, name: str, base: Any | None = None) -> dict[str, Any]:
    """A registry entry (llamacpp backend) for the quantized file, grouped under its base model.

    `base` is the ModelSpec of the source model when known; its base_model and characteristics carry over.
    """
    entry: dict[str, Any] = {
        "name": name,
        "backend": "llamacpp",
        "weights": str(Path(report.output).resolve()),
        "quantization": report.type,
        "base_model": getattr(base, "base_model", None) or getattr(base, "name", None) or Path(report.source).stem,
        "description": f"{report.type} quantization of {Path(report.source).name}"
        + (f" (requantized from {report.source_type})" if report.source_type else ""),
    }
    if report.requantized:
        entry["requantized_from"] = report.requantized_from()
    if base is not None:
        if base.context_size:
            entry["context_size"] = base.context_size
        if base.characteristics:
            entry["characteristics"] = dict(base.characteristics)
    return entry
