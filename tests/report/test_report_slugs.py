"""Page and transcript names in the report are unique per model."""

import json
from pathlib import Path

from parlour.report.render import model_href
from parlour.report.site import build_site
from parlour.report.transcripts import slug

PAIRS = ("m x-t0.0--m x-t0.0", "m_x-t0.0--m_x-t0.0")


def _episode(root: Path, pair: str, reply: str) -> None:
    folder = root / pair / "taboo" / "0_high_en" / "episode_0"
    folder.mkdir(parents=True)
    event = {"from": "Player 1", "to": "GM", "timestamp": "", "action": {"type": "get message", "content": reply}}
    interactions = {"players": {"GM": "gm", "Player 1": pair, "Player 2": pair}, "turns": [[event]]}
    (folder / "interactions.json").write_text(json.dumps(interactions))
    scores = {"Aborted": 0, "Success": 1, "Lose": 0, "Main Score": 100.0}
    (folder / "scores.json").write_text(json.dumps({"turn scores": {}, "episode scores": scores}))


def test_names_that_differ_only_in_unsafe_characters_get_distinct_slugs() -> None:
    assert slug("m x") != slug("m_x")
    assert slug("m_x") == "m_x"  # names that are already safe stay readable
    assert slug("m x") == slug("m x")  # stable across builds
    assert model_href(PAIRS[0]) != model_href(PAIRS[1])


def test_colliding_names_keep_their_own_pages_and_transcripts(tmp_path: Path) -> None:
    results = tmp_path / "results"
    for pair in PAIRS:
        _episode(results, pair, f"CLUE: reply of {pair.split('-t')[0]}")
    out = tmp_path / "site"
    build_site([results], out, n_boot=10, svg=False)
    assert len(list((out / "models").glob("*.html"))) == 2
    pages = sorted((out / "transcripts").rglob("*.html"))
    assert len(pages) == 2
    texts = {page.read_text(encoding="utf-8") for page in pages}
    for name in ("m x", "m_x"):
        assert sum(f"CLUE: reply of {name}" in text for text in texts) == 1
    listing = (out / "transcripts.html").read_text(encoding="utf-8")
    links = {part.split('"')[0] for part in listing.split('href="transcripts/')[1:]}
    assert len(links) == 2


def test_a_pair_of_121_character_model_names_gets_its_pages(tmp_path: Path) -> None:
    name = "m" * 121
    pair = f"{name}-t0.0--{name}-t0.0"  # 254 characters: a folder name the file system still takes
    results = tmp_path / "results"
    _episode(results, pair, "CLUE: a reply")
    out = tmp_path / "site"
    build_site([results], out, n_boot=10, svg=False)
    assert len(list((out / "models").glob("*.html"))) == 1
    assert len(list((out / "transcripts").rglob("*.html"))) == 1
    assert name in (out / "index.html").read_text(encoding="utf-8")
