"""`parlour sweep`: a study from one file, resumed and extended, on the local and the Ray executor."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support.cli import parlour, parlour_process, write_registry
from support.records import transcripts

from parlour.errors import ParlourError
from parlour.sweep.file import SweepFile, expand_models, read_sweep
from parlour.sweep.run import plan_pairs
from parlour.testing.latency_server import LatencyServer

ORACLE = "programmatic-oracle-t0.0"
BREAKER = "programmatic-breaker-t0.0"


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_the_smallest_sweep_plays_every_ordered_pair_resumes_and_extends(tmp_path: Path) -> None:
    sweep = {"models": ["programmatic:oracle", "programmatic:breaker"], "games": ["taboo", "wordle"], "cross": True}
    path = _write(tmp_path / "sweep.yaml", sweep)
    results = tmp_path / "results"
    first = parlour("sweep", str(path), "-r", str(results), "--limit", "1", "--n-boot", "20", "--no-progress")
    assert first.returncode == 0, first.stderr
    pairs = {p.name for p in results.iterdir() if (p / "run.json").is_file()}
    assert pairs == {
        f"{ORACLE}--{ORACLE}", f"{BREAKER}--{BREAKER}", f"{ORACLE}--{BREAKER}", f"{BREAKER}--{ORACLE}",
    }  # fmt: skip
    # wordle is single-player: only self-play pairs play it
    assert not (results / f"{ORACLE}--{BREAKER}" / "wordle").exists()
    assert (results / f"{ORACLE}--{ORACLE}" / "wordle").is_dir()
    assert (results / "results.csv").is_file() and (results / "report" / "index.html").is_file()

    again = parlour("sweep", str(path), "-r", str(results), "--limit", "1", "--n-boot", "20", "--no-progress")
    assert again.returncode == 0, again.stderr
    assert " 0 played, 0 aborted" in again.stdout and "played" in again.stdout

    sweep["models"].append("programmatic:wrong")
    _write(path, sweep)
    extended = parlour("sweep", str(path), "-r", str(results), "--limit", "1", "--n-boot", "20", "--no-progress")
    assert extended.returncode == 0, extended.stderr
    for line in extended.stdout.splitlines():
        if line.startswith(("programmatic-oracle:", "programmatic-breaker:")) or " vs " in line and "wrong" not in line:
            assert " 0 played, 0 aborted" in line, line  # the old pairs only resumed
    assert (results / "programmatic-wrong-t0.0--programmatic-wrong-t0.0").is_dir()


def test_sweep_file_errors_name_the_file_and_field(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.yaml", {"models": ["programmatic:oracle"], "games": ["taboo"], "analyses": ["x"]})
    with pytest.raises(ParlourError, match="bad.yaml: field `analyses`"):
        read_sweep(bad)
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe")
    with pytest.raises(ParlourError, match="binary.yaml: sweep file is not UTF-8 text"):
        read_sweep(tmp_path / "binary.yaml")
    result = parlour("sweep", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2 and "cannot read sweep file" in result.stderr


def test_an_unknown_serve_entry_is_one_error_line(tmp_path: Path) -> None:
    sweep = {"models": ["programmatic:oracle"], "games": ["taboo"], "serve": {"no-such-server": "smollm2-135m"}}
    result = parlour("sweep", str(_write(tmp_path / "sweep.yaml", sweep)), "-r", str(tmp_path / "r"), "--no-progress")
    assert result.returncode == 2 and "no-such-server" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "never awaited" not in result.stderr


def test_variants_seeds_and_inline_specs_expand(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = write_registry(
        tmp_path / "models.yaml",
        {"name": "w-q8", "backend": "llamacpp", "weights": "/x/q8.gguf", "quantization": "Q8_0", "base_model": "W"},
        {"name": "w-q4", "backend": "llamacpp", "weights": "/x/q4.gguf", "quantization": "Q4_0", "base_model": "W"},
        {"name": "w-hf", "backend": "huggingface", "weights": "/x/w", "base_model": "W"},
    )
    monkeypatch.setenv("PARLOUR_MODELS", env["PARLOUR_MODELS"])
    sweep = SweepFile.model_validate(
        {
            "models": [
                {"variants_of": "W", "quantizations": ["Q8_0", "Q4_0"], "backends": ["llamacpp"]},
                {"name": "inline", "backend": "programmatic", "options": {"policy": "oracle"}},
            ],
            "games": ["taboo"],
            "seeds": [1, 2],
            "temperature": 0.7,
        }
    )
    specs = expand_models(sweep)
    assert [s.name for s in specs] == ["w-q8-s1", "w-q8-s2", "w-q4-s1", "w-q4-s2", "inline-s1", "inline-s2"]
    assert {s.sampling["seed"] for s in specs} == {1, 2} and {s.temperature for s in specs} == {0.7}
    assert len({s.spec_hash() for s in specs}) == 6
    assert len(plan_pairs(sweep)) == 6  # self-play only without `cross`
    with pytest.raises(ParlourError, match="no registered spec of W"):
        expand_models(
            SweepFile.model_validate({"models": [{"variants_of": "W", "backends": ["vllm"]}], "games": ["taboo"]})
        )


def test_ray_executor_gives_the_same_results_as_in_process(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason="the Ray executor needs the ray extra")
    server = LatencyServer(latency_s=0.02).start()
    try:
        registry = write_registry(
            tmp_path / "models.yaml",
            {"name": "remote", "backend": "openai_compatible", "base_url": server.base_url, "concurrency": 8},
        )
        sweep = {
            "models": ["programmatic:oracle", "programmatic:breaker", "remote"],
            "games": ["taboo", "referencegame"],
            "cross": True,
            "report": False,
        }
        path = _write(tmp_path / "sweep.yaml", sweep)
        common = ("--limit", "1", "--n-boot", "10", "--no-progress")
        local = parlour("sweep", str(path), "-r", str(tmp_path / "local"), *common, env=registry)
        assert local.returncode == 0, local.stderr
        # a process: a Ray driver stays connected for the rest of the process that connected it
        on_ray = parlour_process(
            "sweep", str(path), "-r", str(tmp_path / "ray"), "--executor", "ray", *common, env=registry
        )
        assert on_ray.returncode == 0, on_ray.stderr
    finally:
        server.stop()
    ours, theirs = transcripts(tmp_path / "local"), transcripts(tmp_path / "ray")
    assert len(ours) >= 9 * 3 + 9  # 9 ordered pairs, each with 3 taboo and at least one referencegame episode
    assert ours == theirs
    runs = json.loads((tmp_path / "ray" / "remote-t0.0--remote-t0.0" / "run.json").read_text())
    assert runs["runs"][-1]["status"] == "finished"


@pytest.mark.slow
def test_the_paper_sweep_runs_end_to_end_and_resumes(tmp_path: Path) -> None:
    """examples/paper-sweep.yaml: the embedded weights on llama.cpp at three quantization levels, behind
    llama.cpp's server and on transformers, with the oracle and breaker as anchors; quantized files are
    made on first use. One game instead of the example's seven keeps the test to what it asserts: the
    sweep's machinery (entries, serving, quantizing, anchors, resume) does not depend on the game."""
    example = yaml.safe_load((Path(__file__).resolve().parents[2] / "examples" / "paper-sweep.yaml").read_text())
    assert example["games"] == ["all"]
    sweep = _write(tmp_path / "paper-sweep.yaml", {**example, "games": ["taboo"]})
    results = tmp_path / "results"
    args = ("sweep", str(sweep), "-r", str(results), "--limit", "1", "--n-boot", "20", "--no-progress")
    first = parlour_process(*args, timeout=1800)  # a process: real engines and servers, started and ended
    assert first.returncode == 0, first.stderr[-3000:]
    table = pd.read_csv(results / "results.csv", index_col=0)
    assert table.loc[f"{ORACLE}--{ORACLE}", "-, clemscore"] == 100.0
    assert table.loc[f"{BREAKER}--{BREAKER}", "all, Average % Played"] == 0.0
    assert len(table) == 7  # 2 anchors + 5 ways of serving the same weights
    assert (Path.home() / ".cache" / "parlour" / "quantized" / "smollm2-135m-Q2_K.gguf").is_file()
    assert (results / "analysis" / "quantization.csv").is_file() and (results / "report" / "index.html").is_file()
    again = parlour_process(*args, timeout=1800)
    assert again.returncode == 0, again.stderr[-3000:]
    assert again.stdout.count(" 0 played, 0 aborted") == 7
