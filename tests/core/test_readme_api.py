"""The README's Python API example runs as written (in an empty folder, on the shipped data)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(README), "exec"), {})  # noqa: S102 - the README's own example
    out = capsys.readouterr().out
    assert "5 played -> results/programmatic-oracle-t0.0--programmatic-oracle-t0.0" in out
    assert "100.0" in out  # the oracle's clemscore
    assert "n = 17, F(1, 15) = 19.94" in out and "R² = 0.571" in out
