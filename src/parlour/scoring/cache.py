"""The score cache: what scoring learnt about an experiment's episodes, so that `parlour score` and
`parlour eval` skip the episodes whose files have not changed since.

One file per experiment folder, `<pair>/<game>/<i>_<experiment>/.parlour-scores.json`, holds two kinds of
facts per episode, each keyed by the stamp of the files it is about (size, mtime_ns, ctime_ns, inode,
device: `store.file_stamp`, the freshness rule every derived file of parlour follows, raw.csv's too):

- inputs: interactions.json and the instance file with these stats, scored with the experiment file named in
  the header, give scores.json bytes of this digest (`parlour score` skips the episode when its
  scores.json holds them);
- scores: scores.json with this stat has this digest and these episode scores (`parlour eval` takes the
  scores from here instead of reading the file).

When a cached fact could be wrong, and why it is not used then:

- A file edited or replaced (by rename or copy): its size, mtime, ctime or inode differs. ctime cannot be
  set by a user: an edit that puts the old mtime back (`touch -d`, `os.utime`) still changes it.
- A file edited twice within one timestamp tick (or within the 1-2 s resolution of FAT, ext3 or HFS+):
  stats cannot tell the two contents apart. A fact is only recorded from a stat taken at least
  `store.RACY_MARGIN_NS` after the file's last change (`store.settled`, git's "racy" index rule) and from
  content read after that stat, so any later change gets a later timestamp. A file written just now is
  therefore not cached yet; the next `score` or `eval` records it.
- Scorer code changed, parlour upgraded, another Python or numpy/nltk: the header's scorer fingerprint (a
  hash of the scoring and game source files and those versions) differs and the whole file is ignored.
- The experiment file changed or another one sorts first: the header names it with its stat; inputs facts
  recorded for another are dropped.
- A cache file that is corrupt, cut, too large, of another format or a link: ignored (a link is not
  opened), and rewritten, through `store.atomic_writer`, when facts change; a link there stops the command.
- Two commands writing the same cache file: the last one wins; the other's new facts are lost (a later
  run records them again), never mixed with wrong ones, since every fact stands on its own stats.
- Clock going back more than `store.RACY_MARGIN_NS` between two writes of one file, on a file system whose
  times the machine's clock sets, could give a changed file its old stat by chance (all five numbers);
  this is the one case not detected. Files dated in the future (a skewed NFS server) are not cached until then.

PARLOUR_NO_SCORE_CACHE=1 in the environment turns the cache off (neither read nor written).
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from parlour import store, textfiles, version
from parlour.errors import ResultsError

CACHE_FILE = ".parlour-scores.json"
DISABLE_ENV = "PARLOUR_NO_SCORE_CACHE"
MAX_EPISODES = 50_000  # per experiment folder; an experiment beyond it is cached for its first episodes
MAX_METRICS = 200  # episode scores per episode; clembench's games log about ten
MAX_CACHE_BYTES = 32 * textfiles.MiB
#: the code whose change can change a score: any source file here changes the fingerprint
_SCORER_SOURCES = ("games", "scoring", "store.py", "redact.py", "textfiles.py")
_SCORER_PACKAGES = ("numpy", "nltk", "orjson")

StatKey = store.Stamp  # size, mtime_ns, ctime_ns, inode, device (`store.file_stamp`)
NamedKey = tuple[str, StatKey]  # a file chosen among several (instance, experiment): its name and stat


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputsFact(_Strict):
    """interactions.json and the instance file with these stats score to scores.json bytes of this digest."""

    interactions: StatKey
    instance: NamedKey
    scores_digest: str


class ScoresFact(_Strict):
    """scores.json with this stat holds bytes of this digest; `values` are its episode scores as the raw
    table takes them (null for NaN), or None when the raw table must read the file itself (not a scores
    file, or a value JSON cannot hold)."""

    stat: StatKey
    digest: str
    values: Annotated[dict[str, float | None], Field(max_length=MAX_METRICS)] | None


class Entry(_Strict):
    inputs: InputsFact | None = None
    scores: ScoresFact | None = None


class CacheFile(_Strict):
    format: Literal["parlour score cache 1"]
    scorer: str
    experiment: NamedKey | None  # the experiment file the inputs facts were scored with
    episodes: Annotated[dict[str, Entry], Field(max_length=MAX_EPISODES)]


_FORMAT = "parlour score cache 1"


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") in ("", "0")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


@cache
def scorer_fingerprint() -> str:
    """A hash of everything a score depends on besides the episode's files: the scoring and game sources,
    parlour's version, Python's and the libraries the scorers use."""
    package = Path(version.__file__).parent
    hasher = hashlib.sha256(f"{version.__version__}\0{sys.version_info[:2]}\0".encode())
    for name in _SCORER_PACKAGES:
        try:
            hasher.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            hasher.update(f"{name}=none\0".encode())
    for source in _SCORER_SOURCES:
        path = package / source
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            hasher.update(f"{file.relative_to(package)}\0".encode())
            hasher.update(file.read_bytes())
    return hasher.hexdigest()[:32]


@dataclass
class ExperimentCache:
    """One experiment folder's cache file, loaded; facts are added as they are learnt and saved at the end."""

    folder: Path
    scorer: str
    experiment: NamedKey | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    changed: bool = False
    active: bool = True  # False with the cache turned off: nothing is recorded or saved

    @classmethod
    def load(cls, folder: Path, scorer: str) -> ExperimentCache:
        """The folder's cache; an empty one when there is none, or it is unusable or another scorer's."""
        empty = cls(folder, scorer, active=enabled())
        if not empty.active:
            return empty
        path = folder / CACHE_FILE
        try:
            data = textfiles.read_bytes(path, ResultsError, "score cache", MAX_CACHE_BYTES, follow_links=False)
            recorded = CacheFile.model_validate_json(data)
        except (ResultsError, ValidationError):
            return empty  # missing, a link, too large, cut, or not this format
        if recorded.scorer != scorer:
            return empty
        return cls(folder, scorer, recorded.experiment, dict(recorded.episodes))

    def use_experiment(self, experiment: NamedKey | None) -> None:
        """The experiment file episodes are scored with now: inputs facts scored with another are dropped."""
        if experiment == self.experiment:
            return
        self.experiment = experiment
        self.entries = {name: entry.model_copy(update={"inputs": None}) for name, entry in self.entries.items()}
        self.changed = True

    def scores(self, episode: str, key: StatKey | None) -> ScoresFact | None:
        """The fact about scores.json when its stat is still `key`."""
        entry = self.entries.get(episode)
        fact = entry.scores if entry else None
        return fact if fact is not None and key is not None and fact.stat == key else None

    def inputs(self, episode: str, interactions: StatKey | None, instance: NamedKey | None) -> InputsFact | None:
        """The fact about the episode's inputs when their stats are still these."""
        entry = self.entries.get(episode)
        fact = entry.inputs if entry else None
        if fact is None or interactions is None or instance is None:
            return None
        return fact if (fact.interactions, fact.instance) == (interactions, instance) else None

    def record(self, episode: str, **facts: InputsFact | ScoresFact | None) -> None:
        """Set facts (inputs=..., scores=...) of an episode; None forgets one."""
        if not self.active:
            return
        entry = self.entries.get(episode, Entry())
        updated = entry.model_copy(update=facts)
        if updated != entry and (episode in self.entries or len(self.entries) < MAX_EPISODES):
            self.entries[episode] = updated
            self.changed = True

    def keep_only(self, episodes: set[str]) -> None:
        """Forget the episodes whose folders are gone."""
        gone = self.entries.keys() - episodes
        for name in gone:
            del self.entries[name]
        self.changed = self.changed or bool(gone)

    def save(self, root: Path) -> None:
        """Write the file if facts changed (atomically, following no link inside `root`)."""
        if not self.changed or not self.active:
            return
        recorded = CacheFile(format=_FORMAT, scorer=self.scorer, experiment=self.experiment, episodes=self.entries)
        store.write_file(self.folder / CACHE_FILE, recorded.model_dump_json().encode(), root)
        self.changed = False
