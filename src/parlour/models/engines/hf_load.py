"""How the transformers backend loads weights: dtype, device placement (`device_map`, `max_memory`) and
in-process quantization through bitsandbytes (`quantization: bnb-8bit | bnb-4bit`, as the clembench
paper's 4-bit rows), built as plain data first so that the choice is checked and recorded before any
weights are read.

Spec fields: `quantization` (bnb-8bit | bnb-4bit quantize on load; any other value only describes the
weights, e.g. Q4_1 for a dequantized GGUF); options `dtype`, `device` (cpu | cuda | auto),
`device_map` (auto | balanced | sequential | {module: device}), `max_memory` ({0: 70GiB, cpu: 100GiB}),
`bnb_4bit_quant_type` (nf4 | fp4, default nf4), `attn_implementation`.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from parlour.errors import ParlourError
from parlour.models.spec import ModelSpec

BNB_MODES = ("bnb-8bit", "bnb-4bit")


def bnb_config(spec: ModelSpec) -> dict[str, Any] | None:
    """The BitsAndBytesConfig arguments for a bnb quantization, or None when the spec asks for none."""
    if spec.quantization not in BNB_MODES:
        return None
    if spec.quantization == "bnb-8bit":
        return {"load_in_8bit": True}
    compute = str(spec.options.get("dtype", "bfloat16"))
    return {
        "load_in_4bit": True,
        "bnb_4bit_quant_type": str(spec.options.get("bnb_4bit_quant_type", "nf4")),
        "bnb_4bit_compute_dtype": "bfloat16" if compute in ("auto", "float32") else compute,
    }


def placement(spec: ModelSpec) -> dict[str, Any]:
    """`device_map` / `max_memory` for from_pretrained ({} = load on one device and move it there)."""
    device = str(spec.options.get("device", "cpu"))
    device_map = spec.options.get("device_map")
    if device_map is None and device == "auto":
        device_map = "auto"
    if device_map is None and spec.quantization in BNB_MODES:
        device_map = {"": device}  # quantized weights cannot be moved after loading: place them on load
    result: dict[str, Any] = {}
    if device_map is not None:
        result["device_map"] = device_map
    max_memory = spec.options.get("max_memory")
    if max_memory is not None:
        if not isinstance(max_memory, dict) or "device_map" not in result:
            raise ParlourError(
                f"model {spec.name}: options.max_memory must be a mapping (device -> size) used with device_map"
            )
        result["max_memory"] = {_device_key(k): str(v) for k, v in max_memory.items()}
    return result


def _device_key(key: Any) -> int | str:
    """YAML gives GPU indices as ints or strings; accelerate wants ints for GPUs, names otherwise."""
    return int(key) if isinstance(key, int) or str(key).isdigit() else str(key)


def bnb_problem(spec: ModelSpec, cuda_available: bool, bnb_installed: bool) -> str | None:
    """Why a bnb quantization cannot run here (one line), or None when it can."""
    if spec.quantization not in BNB_MODES:
        return None
    if not bnb_installed:
        return f"model {spec.name}: quantization {spec.quantization} needs bitsandbytes (pip install 'parlour[bnb]')"
    if not cuda_available:
        return (
            f"model {spec.name}: quantization {spec.quantization} runs through bitsandbytes on a CUDA GPU, "
            "and torch sees none here"
        )
    if str(spec.options.get("device", "cpu")) == "cpu" and "device_map" not in spec.options:
        return f"model {spec.name}: quantization {spec.quantization} needs options.device cuda or auto (it is cpu)"
    return None


def load_kwargs(spec: ModelSpec, gguf_file: str | None) -> dict[str, Any]:
    """Every from_pretrained keyword as plain data (recorded in run.json); `dtype` is a name here."""
    kwargs: dict[str, Any] = {"dtype": str(spec.options.get("dtype", "float32"))}
    if gguf_file:
        kwargs["gguf_file"] = gguf_file
    if "attn_implementation" in spec.options:
        kwargs["attn_implementation"] = spec.options["attn_implementation"]
    kwargs.update(placement(spec))
    quantization = bnb_config(spec)
    if quantization is not None:
        kwargs["quantization_config"] = quantization
    return kwargs


def check_quantization(spec: ModelSpec) -> None:
    """Raise the one-line reason why the spec's bnb quantization cannot run on this machine."""
    if spec.quantization not in BNB_MODES:
        return
    import torch

    problem = bnb_problem(spec, torch.cuda.is_available(), importlib.util.find_spec("bitsandbytes") is not None)
    if problem:
        raise ParlourError(problem)


def to_transformers(spec: ModelSpec, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The plain-data kwargs with torch dtypes and a BitsAndBytesConfig in place of names."""
    import torch

    result = dict(kwargs)
    dtype_name = result["dtype"]
    dtype = dtype_name if dtype_name == "auto" else getattr(torch, dtype_name, None)
    if dtype is None:
        raise ParlourError(f"model {spec.name}: options.dtype '{dtype_name}' is not a torch dtype")
    result["dtype"] = dtype
    if "quantization_config" in result:
        from transformers import BitsAndBytesConfig

        config = dict(result["quantization_config"])
        if "bnb_4bit_compute_dtype" in config:
            config["bnb_4bit_compute_dtype"] = getattr(torch, config["bnb_4bit_compute_dtype"])
        result["quantization_config"] = BitsAndBytesConfig(**config)
    return result
