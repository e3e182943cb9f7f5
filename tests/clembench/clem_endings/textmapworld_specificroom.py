"""textmapworld_specificroom: textmapworld's exploration, won by saying DONE in the instance's target room.
Its master is textmapworld's with another scorer: the same ends, and the same ones unreachable (see
textmapworld.py; textmapworld_specificroom/master.py:178-182, 208-217, 95-98)."""

from __future__ import annotations

from clem_endings import Ending
from clem_endings.textmapworld import MAX_TURNS, STOPPED, back_and_forth, route, scripted, walk

GAME = "textmapworld_specificroom"

ENDINGS = [
    Ending(GAME, "win: walk to the target room, then DONE", "Success",
           walk(lambda i: route(i, i["Specific_Room"]), ("DONE",)), experiment="far", shows=STOPPED),
    Ending(GAME, "lose: DONE away from the target room", "Lose", walk(lambda i: [], ("DONE",)), experiment="far",
           shows=STOPPED),
    Ending(GAME, "max turns: back and forth for 20 rounds", "Aborted", walk(lambda i: back_and_forth(i, MAX_TURNS)),
           shows='"turns_limit"'),
    Ending(GAME, "abort: reply neither GO nor DONE", "Aborted",
           lambda experiment, instance: scripted(["DONE, the target is here"]), shows="abort game"),
]  # fmt: skip
