"""adventuregame: one player types commands ("> take pillow") to a text adventure until it writes "> done";
the planning variant also writes "Next actions: ..." on the line below. Success when every goal holds at
"> done", Lose when "> done" comes before; a reply without ">" (or, when planning, without its plan line)
aborts, and so does the turn limit (max_turns), even with every goal reached. A command the adventure
cannot carry out is only recorded.

Not among the endings: `> done` as the planning variant's first reply raises an IndexError in the game
(master.py:206: the plan history still empty), in both runners alike (parlour records a failed episode)."""

from __future__ import annotations

from typing import Any

from clem_endings import Ending, Messages, Policy, turn

BASIC, PLANNING = "home_deliver_three_basic_easy", "home_deliver_three_planning_easy"


def play(solve: bool = True, then: str = "> done", plan: bool = False, replies: dict[int, str] | None = None) -> Any:
    """The instance's optimal commands (when `solve`), then `then` on every later turn, each with its plan (the
    next two commands) when `plan`; the `replies` given replace those of their turns."""

    def policy(experiment: dict[str, Any], instance: dict[str, Any]) -> Policy:
        commands = list(instance["optimal_commands"]) if solve else []

        def reply(messages: Messages) -> str:
            n = turn(messages)
            if n in (replies or {}):
                return (replies or {})[n]
            if n >= len(commands):
                return then
            upcoming = (commands[n + 1 : n + 3] + ["done"])[:2]
            return f"> {commands[n]}" + (f"\nNext actions: {', '.join(upcoming)}" if plan else "")

        return reply

    return policy


ENDINGS = [
    Ending("adventuregame", "win: every goal, then done", "Success", play(), BASIC, "adventure_finished"),
    Ending(
        "adventuregame", "loss: done before the goals", "Lose", play(solve=False, replies={0: "> take moon"}), BASIC,
        "DONE action at turn 2",
    ),  # after a command the adventure cannot carry out, which is only recorded
    Ending(
        "adventuregame", "abort: command without >", "Aborted", play(replies={0: "take pillow"}), BASIC,
        "command_tag_missing",
    ),
    Ending(
        "adventuregame", "abort: no > and a finish claimed", "Aborted",
        play(replies={0: "I have finished the task."}), BASIC, "hallucinated_finish",
    ),
    Ending(
        "adventuregame", "max turns: every goal but no done", "Aborted", play(then="> examine table"), BASIC,
        "Turn limit 50 reached",
    ),
    Ending("adventuregame", "win when planning", "Success", play(plan=True), PLANNING, "plan_followed"),
    Ending(
        "adventuregame", "abort: planning without its plan line", "Aborted",
        play(plan=True, replies={1: "> go hallway"}), PLANNING, "next_actions_missing",
    ),
]  # fmt: skip
