"""Where privateshared's fixed texts come from: the instances file itself, or clembench's resources.

An instance refers to its questioner requests and probing questions by index into per-slot lists of
variants, and the master needs the game's words (reply tags, probe template, retry suffixes). parlour's
own instances file carries all of them as experiment-level keys (`words`, `reprompts`,
`request_texts`, `probe_texts`). clembench v1.6's file carries none: they live beside it in
`games/privateshared/resources/` (`<lang>_words.json`, `texts/reprompts.json`,
`texts/<experiment>/{requests,probing_questions}.json`) and are read from there unchanged.
That folder is found through, in order: the experiment key `resources_dir` (the runner sets it to the
`resources/` folder beside the instances file, clembench's layout), the environment variable
`PARLOUR_PRIVATESHARED_RESOURCES`, and `games/privateshared/resources` under the working folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parlour.errors import InstanceFileError
from parlour.textfiles import read_json

ENV_RESOURCES = "PARLOUR_PRIVATESHARED_RESOURCES"
EMBEDDED_KEYS = ("words", "reprompts", "request_texts", "probe_texts")
WORD_KEYS = ("ANSWER", "ASIDE", "ME", "PROBE", "CODA", "DUMMY_PROMPT", "YES", "NO")


@dataclass(frozen=True)
class GameTexts:
    """Every fixed text one privateshared experiment uses."""

    answer: str  # reply tag for the questioner's requests, e.g. "ANSWER: "
    aside: str  # reply tag for the probing questions, e.g. "ASIDE: "
    me: str  # prefix of the probing questions, e.g. "ME: "
    probe: str  # probing question template with one "{}"
    coda: str  # request template with one "{}" (logged only, as in v1.6)
    dummy_prompt: str  # what the GM "sends" the programmatic questioner
    yes: str
    no: str
    reprompts: tuple[str, ...]  # suffix per try; the number of tries is their count
    requests: dict[str, list[str]]  # slot -> request variants
    probes: dict[str, list[str]]  # slot -> probing question variants

    @classmethod
    def from_parts(
        cls, words: dict[str, str], reprompts: list[str], requests: dict[str, list[str]], probes: dict[str, list[str]]
    ) -> GameTexts:
        return cls(
            answer=words["ANSWER"],
            aside=words["ASIDE"],
            me=words["ME"],
            probe=words["PROBE"],
            coda=words["CODA"],
            dummy_prompt=words["DUMMY_PROMPT"],
            yes=words["YES"],
            no=words["NO"],
            reprompts=tuple(reprompts),
            requests={k: list(v) for k, v in requests.items()},
            probes={k: list(v) for k, v in probes.items()},
        )


def _read_json(path: Path) -> Any:
    return read_json(path, InstanceFileError, "privateshared resource")


def _candidate_dirs(experiment: dict[str, Any]) -> list[Path]:
    candidates: list[Path] = []
    if experiment.get("resources_dir"):
        candidates.append(Path(str(experiment["resources_dir"])))
    if os.environ.get(ENV_RESOURCES):
        candidates.append(Path(os.environ[ENV_RESOURCES]))
    # a clembench checkout as working folder
    candidates.append(Path.cwd() / "games" / "privateshared" / "resources")
    return candidates


def find_resources_dir(experiment: dict[str, Any]) -> Path:
    """clembench's privateshared resources folder holding this experiment's texts."""
    name = str(experiment.get("name", ""))
    for candidate in _candidate_dirs(experiment):
        if (candidate / "texts" / name / "requests.json").is_file():
            return candidate
    raise InstanceFileError(
        f"privateshared experiment '{name}': the instances file has no {'/'.join(EMBEDDED_KEYS)} and "
        f"clembench's resources/texts/{name}/ was not found (set {ENV_RESOURCES} to clembench's "
        "games/privateshared/resources folder)"
    )


def load_texts(experiment: dict[str, Any], lang: str = "en") -> GameTexts:
    """The texts of one experiment: embedded in parlour's instances, else clembench's resource files."""
    present = [key for key in EMBEDDED_KEYS if key in experiment]
    name = experiment.get("name", "?")
    if present:
        missing = [key for key in EMBEDDED_KEYS if key not in experiment]
        if missing:
            raise InstanceFileError(f"privateshared experiment '{name}': missing '{missing[0]}'")
        words = experiment["words"]
        for key in WORD_KEYS:
            if key not in words:
                raise InstanceFileError(f"privateshared experiment '{name}': words: missing '{key}'")
        return GameTexts.from_parts(
            words, experiment["reprompts"], experiment["request_texts"], experiment["probe_texts"]
        )
    root = find_resources_dir(experiment)
    texts = root / "texts"
    return GameTexts.from_parts(
        _read_json(root / f"{lang}_words.json"),
        _read_json(texts / "reprompts.json")["suffixes"],
        _read_json(texts / str(name) / "requests.json"),
        _read_json(texts / str(name) / "probing_questions.json"),
    )
