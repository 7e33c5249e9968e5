"""A ``--command-id`` names one command (review of the CLI, section A).

Given again to a different command (a meeting missed, a goal set, after a meeting held
under it), it was answered "Already recorded: MeetingHeld ...", exit 0, nothing stored,
and the goal's id printed although no goal was stored. It is refused now (exit 1),
naming the command id and what it recorded; a retry of the same command is still
answered with the first answer, and no id is printed that the store does not hold.
"""

from __future__ import annotations

from uuid import uuid4

import pytest
from cli_harness import Cli, event_count
from store_state import RELATIONSHIP, seed

HELD = ("meeting", "held", str(RELATIONSHIP), "--duration", "60", "--format", "video")
GOAL = (
    *("goal", "set", str(RELATIONSHIP), "--title", "Lead a huddle", "--focus-area"),
    *("teamwork", "--success-measure", "Four", "--target-date", "2027-06-30"),
)
OTHERS = {
    "meeting missed": ("meeting", "missed", str(RELATIONSHIP), "--by", "-2+3", "--reason", "ill"),
    "goal set": GOAL,
}


@pytest.fixture
def seeded(cli: Cli) -> Cli:
    seed(cli.store_url)
    return cli


@pytest.mark.parametrize("other", OTHERS)
def test_a_command_id_given_to_another_command_is_refused(seeded: Cli, other: str) -> None:
    key = str(uuid4())
    first = seeded.run(*HELD, "--command-id", key)
    assert first.code == 0 and first.stdout.startswith("Recorded MeetingHeld"), str(first)
    stored = event_count(seeded.store_url)
    result = seeded.run(*OTHERS[other], "--command-id", key)
    assert result.code == 1, str(result)
    assert result.stdout == "", str(result)  # no "Already recorded", no id of a goal not stored
    for part in (key, str(RELATIONSHIP), "MeetingHeld", "new command id"):
        assert part in result.stderr, str(result)
    assert event_count(seeded.store_url) == stored
    again = seeded.run(*HELD, "--command-id", key)  # the meeting's own retry still answered
    assert again.code == 0 and again.stdout.startswith("Already recorded: MeetingHeld"), str(again)
    assert first.stdout.split("meeting id: ")[1][:36] == again.stdout.split("meeting id: ")[1][:36]


def test_a_retry_naming_another_new_id_is_answered_with_the_id_stored(seeded: Cli) -> None:
    key, stored_goal = str(uuid4()), str(uuid4())
    first = seeded.ok(*GOAL, "--id", stored_goal, "--command-id", key)
    again = seeded.run(*GOAL, "--id", str(uuid4()), "--command-id", key)
    assert first["id"] == stored_goal
    assert again.code == 0 and again.stdout.startswith("Already recorded: GoalSet"), str(again)
    assert f"goal id: {stored_goal}" in again.stdout, str(again)
    answered = seeded.ok(*GOAL, "--id", str(uuid4()), "--command-id", key)
    assert answered["already_recorded"] and answered["id"] == stored_goal


def test_an_id_the_events_do_not_hold_is_never_printed_as_created(
    seeded: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    """The output's own guard: whatever a service answers, a created id is printed only
    if the events answered hold it."""
    import attrs
    from mentoring_cli._session import Output

    from mentoring_core import MentoringService
    from mentoring_core.values import MeetingFormat

    with MentoringService(seeded.store_url) as service:
        answer = service.record_meeting_held(RELATIONSHIP, 60, MeetingFormat.VIDEO, [], actor="c")
    Output(False).recorded(answer, "meeting", answer.command_id)
    assert f"meeting id: {answer.id}" in capsys.readouterr().out
    Output(False).recorded(attrs.evolve(answer, id=uuid4()), "meeting", answer.command_id)
    shown = capsys.readouterr().out
    assert "meeting id:" not in shown and f"command id: {answer.command_id}" in shown
