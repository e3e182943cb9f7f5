"""Bidirectional formatting characters in a model or folder name (U+202E, right-to-left override, makes
`evil\u202egnp.exe` display as `evilexe.png`) are shown as escapes in every page of the report, as in the
terminal, never left to reorder the text around them."""

from __future__ import annotations

import re
from pathlib import Path

from support.cli import parlour, write_registry

BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NAME = "evil\u202egnp.exe\u2066x\u2069\u200f"


def test_every_page_shows_bidi_characters_as_escapes(tmp_path: Path) -> None:
    env = write_registry(tmp_path / "models.yaml", {"name": NAME, "backend": "programmatic", "options": {}})
    results = tmp_path / "results\u202ertl\u202c"
    run = parlour("run", "-g", "taboo", "-m", NAME, "-r", str(results), "--limit", "1", env=env)
    assert run.returncode == 0, run.stderr
    site = tmp_path / "site"
    report = parlour("report", "-r", str(results), "-o", str(site), "--n-boot", "10", env=env)
    assert report.returncode == 0, report.stderr
    pages = sorted(site.rglob("*.html"))
    kinds = {page.relative_to(site).parts[0] for page in pages}
    assert {"index.html", "analysis.html", "transcripts.html", "official.html", "models", "transcripts"} <= kinds
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not BIDI.search(text), page
    assert "evil\\u202egnp.exe\\u2066x\\u2069\\u200f" in (site / "index.html").read_text(encoding="utf-8")
    assert "results\\u202ertl\\u202c" in (site / "index.html").read_text(encoding="utf-8")
