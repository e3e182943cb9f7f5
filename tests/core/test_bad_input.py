"""Bad input gives one line naming the file (and the experiment, instance and field), a non-zero exit, and
loses nothing already written: wrong types in instance files, unsafe experiment names, non-UTF-8 bytes,
scores.json files that are not scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import parlour, write_registry
from support.reference_tree import first_episode

from parlour.errors import InstanceFileError, RegistryError
from parlour.games.instances import load_instances
from parlour.games.registry import game_names, get_game
from parlour.models.registry import lookup

WIDE = {"COLUMNS": "1000"}  # rich wraps long lines at the terminal width; these messages hold long paths
NOT_UTF8 = b'{"experiments": [{"name": "caf\xe9", "game_instances": []}]}'


def _taboo_file(tmp_path: Path, **changes: object) -> Path:
    data = json.loads(get_game("taboo").default_instances.read_text(encoding="utf-8"))
    data["experiments"][0]["game_instances"][1].update(changes)
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _load_taboo(path: Path) -> dict:
    game = get_game("taboo")
    return load_instances(path, game.experiment_schema, game.instance_schema)


def test_a_string_where_taboo_words_are_a_list_is_refused(tmp_path: Path) -> None:
    path = _taboo_file(tmp_path, related_word="heart")
    with pytest.raises(InstanceFileError) as error:
        _load_taboo(path)
    message = str(error.value)
    assert str(path) in message and "'high_en'" in message and "game_instances[1]" in message
    assert "field 'related_word'" in message and "'heart'" in message and "\n" not in message


def test_a_number_as_target_word_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InstanceFileError, match=r"game_instances\[1\].*field 'target_word'.*got int 123"):
        _load_taboo(_taboo_file(tmp_path, target_word=123))


@pytest.mark.parametrize("name", ["../../x", "a/b", "..", "", "a\\b"])
def test_experiment_names_must_be_folder_names(tmp_path: Path, name: str) -> None:
    data = json.loads(get_game("taboo").default_instances.read_text(encoding="utf-8"))
    data["experiments"][0]["name"] = name
    path = tmp_path / "instances.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InstanceFileError, match=r"field 'name'.*folder name"):
        _load_taboo(path)


def test_run_refuses_a_bad_instance_file_before_writing(tmp_path: Path) -> None:
    path = _taboo_file(tmp_path, related_word="heart")
    run = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "-i", str(path), "-r", str(tmp_path / "r"))
    assert run.returncode == 2
    assert "field 'related_word'" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("game", game_names())
def test_shipped_instances_pass_their_schema(game: str) -> None:
    spec = get_game(game)
    assert load_instances(spec.default_instances, spec.experiment_schema, spec.instance_schema)["experiments"]


@pytest.mark.parametrize("game", game_names())
def test_official_instances_pass_their_schema(reference: Path, game: str) -> None:
    spec = get_game(game)
    files = sorted((reference / "games" / game / "in").glob("instances*.json"))
    assert files
    for path in files:
        assert load_instances(path, spec.experiment_schema, spec.instance_schema)["experiments"], path


def test_non_utf8_instances_file(tmp_path: Path) -> None:
    path = tmp_path / "instances.json"
    path.write_bytes(NOT_UTF8)
    with pytest.raises(InstanceFileError, match=r"instances.json: instances file is not UTF-8 text \(byte 0xe9"):
        load_instances(path)


def test_non_utf8_models_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "models.yaml"
    path.write_bytes(b"models:\n  - name: caf\xe9\n    backend: llamacpp\n")
    monkeypatch.setenv("PARLOUR_MODELS", str(path))
    with pytest.raises(RegistryError, match=r"models.yaml: model registry is not UTF-8 text"):
        lookup("smollm2-135m")
    run = parlour("models", env={"PARLOUR_MODELS": str(path)})
    assert run.returncode == 2 and "not UTF-8" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize(
    "content",
    [b"[]", b'"scores"', b'{"episode scores": []}', b'{"episode scores": {"Main Score": "high"}}', b"\xff\xfe{}"],
)
def test_eval_reports_unusable_scores_files_and_counts_the_rest(scored_tree: Path, content: bytes) -> None:
    bad = first_episode(scored_tree, "taboo") / "scores.json"
    bad.write_bytes(content)
    run = parlour("eval", "-r", str(scored_tree), "--n-boot", "20", env=WIDE)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr and str(bad) in run.stderr
    assert bad.read_bytes() == content  # nothing is lost
    raw = (scored_tree / "raw.csv").read_text()
    assert "imagegame" in raw  # the other episodes are counted
    bad_rows = [line for line in raw.splitlines() if line.startswith("taboo,") and bad.parents[3].name in line]
    assert not bad_rows


def test_score_names_a_non_utf8_interactions_file_and_keeps_its_scores(scored_tree: Path) -> None:
    episode = first_episode(scored_tree, "wordle")
    (episode / "interactions.json").write_bytes(b'{"turns": "\xe9"}')
    scores_before = (episode / "scores.json").read_bytes()
    run = parlour("score", "-r", str(scored_tree), env=WIDE)
    assert run.returncode == 1
    assert "interactions.json: JSON file is not UTF-8 text" in run.stderr
    assert "Traceback" not in run.stderr
    assert (episode / "scores.json").read_bytes() == scores_before
    assert "scored 10 episode(s)" in run.stdout


@pytest.mark.parametrize("url", ["htp://127.0.0.1:8000/v1", "127.0.0.1:8000/v1", "http://"])
def test_a_bad_endpoint_url_is_refused_when_the_registry_is_read(tmp_path: Path, url: str) -> None:
    registry = tmp_path / "models.yaml"
    env = write_registry(registry, {"name": "remote", "backend": "openai_compatible", "base_url": url})
    run = parlour("run", "-g", "taboo", "-m", "remote", "-r", str(tmp_path / "results"), env={**env, **WIDE})
    assert run.returncode == 2 and "base_url" in run.stderr and "http://" in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and not (tmp_path / "results").exists()
