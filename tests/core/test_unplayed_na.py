"""A model that played no episode has no clemscore: n/a in eval, the report and the placement on the official
leaderboard, which neither ranks it nor calls it above or below its size's prediction; a prediction outside
the clemscore's 0-100 range is not shown."""

from __future__ import annotations

import re
from pathlib import Path

from support.cli import parlour, write_registry

from parlour.analysis.placement import place_results

TINY = {"name": "tiny-breaker", "backend": "programmatic", "options": {"policy": "breaker"}}


def _unplayed(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = write_registry(tmp_path / "models.yaml", {**TINY, "characteristics": {"params_b": 0.135}})
    res = parlour("run", "-g", "taboo", "-m", "tiny-breaker", "--limit", "1", "-r", str(tmp_path / "r"), env=env)
    assert res.returncode == 0, res.stderr
    return tmp_path / "r", env


def test_no_played_episode_is_na_everywhere(tmp_path: Path) -> None:
    results, env = _unplayed(tmp_path)
    res = parlour("eval", "-r", str(results), "--compare", "official:v1.6", env=env)
    assert res.returncode == 0, res.stderr
    row = next(line for line in res.stdout.splitlines() if "tiny-breaker" in line and "other instances" in line)
    assert "above" not in row and "below" not in row and "-18.50" not in row
    assert "n/a" in row and " 62 " not in row

    placement = place_results([results])
    mine = placement.yours.iloc[0]
    assert mine["clemscore"] != mine["clemscore"] and mine["position"] == ""  # NaN, no position
    assert mine["predicted"] != mine["predicted"]  # -18.5 is no clemscore: not shown

    res = parlour("report", "-r", str(results), "-o", str(tmp_path / "rep"), env=env)
    assert res.returncode == 0, res.stderr
    board = (tmp_path / "rep" / "index.html").read_text()
    body = board[board.index("<tbody>") : board.index("</tbody>")]
    clemscore_cell = re.findall(r"<td data-sort=\"[^\"]*\" class=\"\">([^<]*)", body)[0]
    assert clemscore_cell == "n/a"
    official = (tmp_path / "rep" / "official.html").read_text()
    assert "-18.50" not in official and ">above<" not in official
