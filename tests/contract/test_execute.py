"""``MentoringService.execute``: the command object is the API.

Every named method is a one-liner over ``execute``; these tests drive ``execute``
directly with command objects, on every store.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from mentoring_core import ConcurrencyConflict, InvalidValue, MentoringService, NotFound, Recorded
from mentoring_core import commands as c
from mentoring_core.domain.errors import Rule, RuleViolation
from mentoring_core.values import EndReason, FocusArea, MeetingFormat, Role

YESTERDAY = datetime(2026, 5, 31, 10, 0, tzinfo=UTC)
GOAL = UUID("60a10000-0000-4000-8000-0000000000aa")


@pytest.fixture
def service(store_url: str) -> MentoringService:
    with MentoringService(store_url) as opened:
        yield opened


STARTED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def open_pair(service: MentoringService) -> tuple[UUID, UUID]:
    created = service.execute(
        c.CreateProgramme(name="Execute", organisation="Northside Care", occurred_at=STARTED),
        actor="coord",
    )
    programme = created.id
    assert created.aggregate_id == programme and created.version == 1
    for person, role, years in (("ana", Role.MENTOR, 12), ("ben", Role.MENTEE, 1)):
        service.execute(
            c.EnrolParticipant(
                programme_id=programme,
                person_id=person,
                role=role,
                experience_years=years,
                occurred_at=STARTED,
            ),
            actor="coord",
        )
    opened = service.execute(
        c.OpenRelationship(
            programme_id=programme,
            mentor_id="ana",
            mentee_id="ben",
            direct=True,
            occurred_at=STARTED,  # before the meetings the tests backdate
        ),
        actor="coord",
    )
    assert opened.aggregate_id == opened.id and len(opened.positions) == 2
    return programme, opened.id


def set_goal(pair: UUID | None, goal_id: UUID | None = None) -> c.SetGoal:
    return c.SetGoal(
        relationship_id=pair,
        goal_id=goal_id,
        title="Run a family meeting",
        focus_area=FocusArea.COMMUNICATION,
        success_measure="Leads two family meetings",
        target_date=date(2026, 12, 1),
    )


def test_execute_fills_the_id_a_command_creates_and_returns_it(service: MentoringService) -> None:
    _, pair = open_pair(service)
    recorded = service.execute(set_goal(pair), actor="ana")
    assert recorded.aggregate_id == pair and recorded.version == 2
    assert recorded.id != pair and recorded.events[0].goal_id == recorded.id
    assert service.relationship(pair).goals[0].goal_id == recorded.id
    chosen = service.execute(set_goal(pair, GOAL), actor="ana")
    assert chosen.id == GOAL


def test_occurred_at_is_taken_from_execute_or_from_the_command(service: MentoringService) -> None:
    _, pair = open_pair(service)
    held = c.RecordMeetingHeld(
        relationship_id=pair, duration_minutes=60, format=MeetingFormat.ONE_ON_ONE, topics=()
    )
    by_keyword = service.execute(held, actor="ana", occurred_at=YESTERDAY)
    assert by_keyword.events[0].occurred_at == YESTERDAY
    on_command = c.PauseRelationship(relationship_id=pair, reason="leave", occurred_at=YESTERDAY)
    both_agree = service.execute(on_command, actor="ana", occurred_at=YESTERDAY)
    assert both_agree.events[0].occurred_at == YESTERDAY


def test_two_different_occurred_at_are_refused_and_nothing_is_stored(
    service: MentoringService,
) -> None:
    _, pair = open_pair(service)
    paused = c.PauseRelationship(relationship_id=pair, reason="leave", occurred_at=YESTERDAY)
    with pytest.raises(InvalidValue) as info:
        service.execute(paused, actor="ana", occurred_at=datetime(2026, 5, 1, tzinfo=UTC))
    assert info.value.field == "occurred_at"
    assert YESTERDAY.isoformat() in str(info.value)
    assert service.relationship(pair).version == 1


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (set_goal(None), "relationship_id"),
        (c.SetPolicy(policy=None), "programme_id"),  # type: ignore[arg-type]
        (c.OpenRelationship(mentor_id="ana", mentee_id="ben", direct=True), "programme_id"),
    ],
)
def test_a_command_that_names_no_aggregate_is_refused(
    service: MentoringService, command: c.Command, field: str
) -> None:
    with pytest.raises(InvalidValue) as info:
        service.execute(command, actor="coord")
    assert info.value.field == field


@pytest.mark.parametrize("command", ["SetGoal", None, c.Command(), c.RelationshipCommand()])
def test_what_is_not_a_known_command_is_refused(service: MentoringService, command: object) -> None:
    _, pair = open_pair(service)
    if isinstance(command, c.RelationshipCommand):
        command = c.RelationshipCommand(relationship_id=pair)
    with pytest.raises(InvalidValue) as info:
        service.execute(command, actor="coord")  # type: ignore[arg-type]
    assert info.value.field == "command"
    assert service.relationship(pair).version == 1


def test_a_command_for_an_unknown_relationship_is_not_found(service: MentoringService) -> None:
    with pytest.raises(NotFound):
        service.execute(set_goal(UUID(int=7)), actor="ana")


def test_expected_version_and_command_id_work_through_execute(service: MentoringService) -> None:
    programme, pair = open_pair(service)
    with pytest.raises(ConcurrencyConflict) as info:
        service.execute(set_goal(pair), actor="ana", expected_version=5)
    assert (info.value.expected_version, info.value.actual_version) == (5, 1)
    key = UUID(int=42)
    first = service.execute(set_goal(pair, GOAL), actor="ana", command_id=key)
    again = service.execute(set_goal(pair, GOAL), actor="ana", command_id=key)
    assert again.already_recorded and again.events == first.events
    assert service.relationship(pair).version == 2
    with pytest.raises(ConcurrencyConflict):  # a new relationship is at version 0
        service.execute(
            c.OpenRelationship(
                programme_id=programme, mentor_id="ana", mentee_id="ben", direct=False
            ),
            actor="coord",
            expected_version=1,
        )


@pytest.mark.parametrize("expected", ["0", 1.5, -1, True])
def test_a_bad_expected_version_is_refused_before_anything_is_read(
    service: MentoringService, expected: object
) -> None:
    """Found by the hostile-commands property: with a command id, a string version reached
    the store's reader and escaped as a TypeError."""
    programme, _ = open_pair(service)
    with pytest.raises(InvalidValue) as info:
        service.enrol(
            programme,
            "eve",
            Role.MENTEE,
            1,
            actor="coord",
            expected_version=expected,  # type: ignore[arg-type]
            command_id=UUID(int=9),
        )
    assert info.value.field == "expected_version"
    assert service.programme(programme).version == 4


def test_every_command_has_an_identity_and_a_retry_with_it_is_recognised(
    service: MentoringService,
) -> None:
    _, pair = open_pair(service)
    first = service.execute(set_goal(pair, GOAL), actor="ana")
    assert first.command_id is not None
    assert all(e.command_id == first.command_id for e in first.events)
    again = service.execute(set_goal(pair, GOAL), actor="ana", command_id=first.command_id)
    assert again.already_recorded and again.command_id == first.command_id
    assert service.relationship(pair).version == 2
    other = service.execute(set_goal(pair), actor="ana")
    assert other.command_id not in (None, first.command_id)


def test_an_id_of_another_kind_is_refused_for_good_not_as_a_conflict(
    service: MentoringService,
) -> None:
    """Issue 11: a relationship's id given as a new programme's was a retryable conflict."""
    programme, pair = open_pair(service)
    with pytest.raises(InvalidValue) as info:
        service.create_programme("Again", "Org", actor="coord", programme_id=pair)
    assert info.value.field == "programme_id" and "a relationship" in str(info.value)
    with pytest.raises(InvalidValue) as info:
        service.form_pair(programme, "ana", "ben", actor="coord", relationship_id=programme)
    assert info.value.field == "relationship_id" and "a programme" in str(info.value)
    with pytest.raises(RuleViolation) as refused:  # the same kind: the id is in use, for good
        service.create_programme("Again", "Org", actor="coord", programme_id=programme)
    assert refused.value.rule is Rule.PROGRAMME_ALREADY_CREATED
    assert service.relationship(pair).version == 1


@pytest.mark.parametrize("creating", ["programme", "pair", "goal"])
def test_a_retry_with_the_same_command_id_names_the_same_new_thing(
    service: MentoringService, creating: str
) -> None:
    """Issue 11: a new thing's id left to the service was drawn afresh on each attempt, so a
    retried create made a second programme (or answered with a wrong goal id)."""
    programme, pair = open_pair(service)
    key = UUID(int=77)

    def attempt() -> Recorded:
        if creating == "programme":
            return service.create_programme("Retry", "Org", actor="coord", command_id=key)
        if creating == "pair":
            service.execute(
                c.EnrolParticipant(
                    programme_id=programme, person_id="eve", role=Role.MENTEE, experience_years=1
                ),
                actor="coord",
                command_id=UUID(int=78),
            )
            return service.form_pair(programme, "ana", "eve", actor="coord", command_id=key)
        return service.execute(set_goal(pair), actor="ana", command_id=key)

    first, again = attempt(), attempt()
    assert not first.already_recorded and again.already_recorded
    assert again.id == first.id and again.command_id == key
    assert len(service.programmes()) == (2 if creating == "programme" else 1)


def test_group_attendees_are_checked_against_the_programme_s_enrolments(
    service: MentoringService,
) -> None:
    programme, pair = open_pair(service)
    group = c.RecordMeetingHeld(
        relationship_id=pair,
        duration_minutes=60,
        format=MeetingFormat.GROUP,
        topics=(),
        attendees=("carla",),
    )
    with pytest.raises(RuleViolation) as info:
        service.execute(group, actor="ana")
    assert info.value.rule is Rule.PARTICIPANT_ENROLLED and "'carla'" in str(info.value)
    service.execute(
        c.EnrolParticipant(
            programme_id=programme, person_id="carla", role=Role.MENTOR, experience_years=7
        ),
        actor="coord",
    )
    assert service.execute(group, actor="ana").events[0].attendees == ("carla",)


def test_a_participant_is_withdrawn_only_once_their_relationships_are_closed(
    service: MentoringService,
) -> None:
    programme, pair = open_pair(service)
    withdraw = c.WithdrawParticipant(programme_id=programme, person_id="ben", reason="Left")
    with pytest.raises(RuleViolation) as info:
        service.execute(withdraw, actor="coord")
    assert info.value.rule is Rule.NO_OPEN_RELATIONSHIPS and str(pair) in str(info.value)
    service.execute(
        c.EndRelationship(
            relationship_id=pair, reason=EndReason.WITHDRAWN_BY_MENTEE, explanation="Left"
        ),
        actor="coord",
    )
    service.execute(withdraw, actor="coord")
    assert service.programme(programme).participant("ben") is None


def test_an_attendee_counts_if_enrolled_when_the_meeting_took_place(
    service: MentoringService,
) -> None:
    programme, pair = open_pair(service)
    service.execute(
        c.EnrolParticipant(
            programme_id=programme,
            person_id="carla",
            role=Role.MENTOR,
            experience_years=7,
            occurred_at=STARTED,
        ),
        actor="coord",
    )
    service.execute(
        c.WithdrawParticipant(programme_id=programme, person_id="carla", reason="Left"),
        actor="coord",
    )

    def group(at: datetime | None) -> c.RecordMeetingHeld:
        return c.RecordMeetingHeld(
            relationship_id=pair,
            duration_minutes=60,
            format=MeetingFormat.GROUP,
            topics=(),
            attendees=("carla",),
            occurred_at=at,
        )

    assert service.execute(group(YESTERDAY), actor="ana").events[0].attendees == ("carla",)
    with pytest.raises(RuleViolation) as info:
        service.execute(group(None), actor="ana")
    assert info.value.rule is Rule.PARTICIPANT_ENROLLED
    # she was enrolled once: the refusal names the meeting's date ("not enrolled" alone
    # read as never, and named no date)
    said = re.search(r"'carla' was not enrolled in programme (\S+) on (\S+), when", str(info.value))
    assert said is not None, str(info.value)
    assert said[1] == str(programme) and datetime.fromisoformat(said[2]) > YESTERDAY


def test_an_occurred_at_given_twice_names_the_command_s_own_as_written(
    service: MentoringService,
) -> None:
    """Given to ``execute`` and on the command, unequal: refused, the command's own moment
    shown as every moment in a message is (ISO 8601), not as Python prints a datetime."""
    programme, _ = open_pair(service)
    enrol = c.EnrolParticipant(
        programme_id=programme,
        person_id="carla",
        role=Role.MENTOR,
        experience_years=7,
        occurred_at=STARTED,
    )
    with pytest.raises(InvalidValue) as refused:
        service.execute(enrol, actor="coord", occurred_at=YESTERDAY)
    assert refused.value.field == "occurred_at"
    assert refused.value.expected == f"the command's own occurred_at, {STARTED.isoformat()}"
