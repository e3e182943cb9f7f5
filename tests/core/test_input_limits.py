"""Every file parlour reads is bounded in size, nesting depth and YAML alias expansion: a hostile or broken
file (an alias bomb, deep nesting, a huge file, bytes that are not UTF-8, an empty CSV) gives one line naming
the file and a non-zero exit, never a traceback, a hang or gigabytes of memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import parlour
from support.reference_tree import first_episode

from parlour import textfiles
from parlour.errors import InstanceFileError, ParlourError, RegistryError
from parlour.games.instances import load_instances
from parlour.models.registry import lookup
from parlour.sweep.file import read_sweep

WIDE = {"COLUMNS": "1000"}  # rich wraps long lines at the terminal width; these messages hold long paths
DEEP = 5000  # past Python's recursion limit


def _bomb(levels: int) -> str:
    """A models.yaml whose options hold 9**levels strings through nested aliases, in levels + 6 lines."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    lines += ["models:", "  - name: bomb", "    backend: programmatic"]
    lines.append(f"    options: {{policy: oracle, x: *l{levels - 1}}}")
    return "\n".join(lines) + "\n"


def _one_line_error(run, code: int = 2) -> str:  # noqa: ANN001 - a CompletedProcess
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, run.stderr
    return lines[0]


def _deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


def test_an_alias_bomb_models_yaml_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(_bomb(7), encoding="utf-8")  # 4.8 million strings when expanded
    run = parlour("models", env={"PARLOUR_MODELS": str(path), **WIDE}, timeout=120)
    line = _one_line_error(run)
    assert str(path) in line and "aliases" in line
    # the full billion laughs (387 million strings) is refused as fast: aliases are counted, not expanded
    path.write_text(_bomb(9), encoding="utf-8")
    with pytest.raises(RegistryError, match="expands its YAML aliases to more than 1,000,000 values"):
        textfiles.read_yaml(path, RegistryError, "model registry")


def test_yaml_anchors_within_the_limits_still_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(
        "base: &base {backend: programmatic, options: {policy: oracle}}\n"
        "models:\n  - {<<: *base, name: one}\n  - {<<: *base, name: two}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PARLOUR_MODELS", str(path))
    assert lookup("two").options == {"policy": "oracle"}


def test_a_yaml_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text("models: &m [*m]\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="alias inside its own anchor"):
        textfiles.read_yaml(path, RegistryError, "model registry")


def test_deep_models_yaml(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(f"models:\n  - name: x\n    backend: programmatic\n    options: {{a: {_deep_json()}}}\n")
    line = _one_line_error(parlour("models", env={"PARLOUR_MODELS": str(path), **WIDE}))
    assert f"{path}: model registry nests more than 100 levels deep" in line


def test_deep_instances_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "instances.json"
    path.write_text('{"experiments": ' + _deep_json() + "}", encoding="utf-8")
    results = tmp_path / "r"
    run = parlour("run", "-g", "taboo", "-m", "programmatic:oracle", "-i", str(path), "-r", str(results), env=WIDE)
    assert f"{path}: instances file nests more than 100 levels deep" in _one_line_error(run)
    assert not results.exists()


def test_deep_sweep_file(tmp_path: Path) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text(f"models: {_deep_json()}\ngames: [taboo]\n", encoding="utf-8")
    with pytest.raises(ParlourError, match="sweep file nests more than 100 levels deep"):
        read_sweep(path)
    line = _one_line_error(parlour("sweep", str(path), env=WIDE))
    assert str(path) in line


def test_deep_interactions_file_fails_that_episode_only(scored_tree: Path) -> None:
    episode = first_episode(scored_tree, "wordle")
    (episode / "interactions.json").write_text('{"turns": ' + _deep_json() + "}", encoding="utf-8")
    scores_before = (episode / "scores.json").read_bytes()
    run = parlour("score", "-r", str(scored_tree), env=WIDE)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "interactions.json: JSON file nests more than 100 levels deep" in run.stderr
    assert (episode / "scores.json").read_bytes() == scores_before
    assert "scored 10 episode(s)" in run.stdout


def test_deep_scores_file_is_named_and_the_rest_counted(scored_tree: Path) -> None:
    bad = first_episode(scored_tree, "taboo") / "scores.json"
    bad.write_text('{"episode scores": ' + _deep_json() + "}", encoding="utf-8")
    run = parlour("eval", "-r", str(scored_tree), "--n-boot", "20", env=WIDE)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert f"{bad}: JSON file nests more than 100 levels deep" in run.stderr
    assert "imagegame" in (scored_tree / "raw.csv").read_text()


def test_an_oversize_models_yaml_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_bytes(b"#" * (textfiles.MAX_YAML_BYTES + 1))
    line = _one_line_error(parlour("models", env={"PARLOUR_MODELS": str(path), **WIDE}))
    assert f"{path}: model registry is larger than 8 MiB" in line


def test_an_oversize_instances_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "instances.json"
    path.write_text('{"experiments": []}' + " " * 100, encoding="utf-8")
    monkeypatch.setattr(textfiles, "MAX_JSON_BYTES", 100)
    with pytest.raises(InstanceFileError, match="instances file is larger than"):
        load_instances(path)


@pytest.mark.parametrize("name", ["interactions.json", "scores.json"])
def test_report_names_a_non_utf8_episode_file(scored_tree: Path, tmp_path: Path, name: str) -> None:
    assert parlour("eval", "-r", str(scored_tree), "--n-boot", "20").returncode == 0  # writes raw.csv
    bad = first_episode(scored_tree, "wordle") / name
    bad.write_bytes(b'{"turns": "caf\xe9"}')
    out = tmp_path / "site"
    run = parlour("report", "-r", str(scored_tree), "-o", str(out), "--n-boot", "20", "--compare", "none", env=WIDE)
    assert f"{bad}: JSON file is not UTF-8 text (byte 0xe9" in _one_line_error(run)
    assert bad.read_bytes() == b'{"turns": "caf\xe9"}'


def test_analyze_with_an_empty_characteristics_csv(scored_tree: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    run = parlour("analyze", "families", "-r", str(scored_tree), "-c", str(empty), env=WIDE)
    assert f"{empty}: model characteristics file is empty" in _one_line_error(run)
