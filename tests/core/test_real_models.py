"""The real default model (SmolLM2-135M GGUF via llama.cpp), in-process and behind a real llama.cpp server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import parlour_process, write_registry
from support.records import strip_volatile

pytestmark = pytest.mark.slow
# the runs are processes, as a user starts them: llama.cpp's engine and server, and their output on the
# process's file descriptors, start and end with each
# the one-at-a-time variant: its transcripts are the same at any concurrency (batched ones need not be)
SERIAL = "smollm2-135m-serial"
PAIR = f"{SERIAL}-t0.0--{SERIAL}-t0.0"


def read(path: Path):
    return json.loads(path.read_text())


def episode_dirs(results: Path, pair: str) -> list[Path]:
    return sorted((results / pair).glob("*/*/episode_*"))


def test_embedded_model_plays_taboo_identically_at_any_concurrency(tmp_path: Path) -> None:
    runs = {}
    for n in (1, 3):
        results = tmp_path / f"c{n}"
        run = parlour_process(
            "run",
            "-g",
            "taboo",
            "-m",
            SERIAL,
            "-r",
            str(results),
            "-e",
            "high_en",
            "--limit",
            "3",
            "--concurrency",
            str(n),
        )
        assert run.returncode == 0, run.stderr
        runs[n] = episode_dirs(results, PAIR)
    assert len(runs[1]) == 3
    for a, b in zip(runs[1], runs[3], strict=True):
        assert strip_volatile(read(a / "interactions.json")) == strip_volatile(read(b / "interactions.json"))
        assert (a / "scores.json").read_text() == (b / "scores.json").read_text()
    request = read(runs[1][0] / "requests.json")[0]
    prompt = request["manipulated_prompt_obj"]
    # the GGUF's own chat template (SmolLM2 injects its default system prompt), greedy, 100 tokens
    assert prompt["inputs"].startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert prompt["inputs"].endswith("<|im_start|>assistant\n")
    assert prompt["temperature"] == 0.0 and prompt["max_tokens"] == 100 and prompt["stop"] == ["<|im_end|>"]
    assert "<|im_end|>" not in request["raw_response_obj"]["clem_player"]["response"]
    spec = read(tmp_path / "c1" / PAIR / "run.json")["models"][0]
    assert spec["quantization"] == "Q4_1" and spec["weights_path"].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert len(spec["spec_hash"]) == 12


def test_openai_compatible_backend_against_real_llama_server(tmp_path: Path, llama_server_url: str) -> None:
    env = write_registry(
        tmp_path / "models.yaml",
        {
            "name": "smollm2-135m-server",
            "backend": "openai_compatible",
            "base_url": llama_server_url,
            "model_id": "smollm2-135m",
            "concurrency": 2,
            # the server's default repeat_penalty is 1.1 while the in-process default is 1.0: send it
            "sampling": {"repeat_penalty": 1.0, "top_p": 0.95, "top_k": 40, "min_p": 0.05, "seed": 0},
        },
    )
    served, local = tmp_path / "served", tmp_path / "local"
    common = ("-g", "taboo", "-e", "high_en", "--limit", "3")
    run = parlour_process("run", "-m", "smollm2-135m-server", "-r", str(served), *common, env=env)
    assert run.returncode == 0, run.stderr
    assert parlour_process("run", "-m", SERIAL, "-r", str(local), *common).returncode == 0
    served_eps = episode_dirs(served, "smollm2-135m-server-t0.0--smollm2-135m-server-t0.0")
    assert len(served_eps) == 3
    request = read(served_eps[0] / "requests.json")[0]["manipulated_prompt_obj"]
    assert request["repeat_penalty"] == 1.0 and request["model"] == "smollm2-135m"
    # same weights, same template, greedy: the server's replies equal the in-process ones
    for a, b in zip(served_eps, episode_dirs(local, PAIR), strict=True):
        ours = [e["action"]["content"] for t in read(a / "interactions.json")["turns"] for e in t]
        theirs = [e["action"]["content"] for t in read(b / "interactions.json")["turns"] for e in t]
        assert ours == theirs
