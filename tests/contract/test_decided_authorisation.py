"""``execute(..., principal=...)``: the authorisation policy asked on the very states a
command is decided on, every time it is decided (on the cached state, the stored one,
again after a conflict), so that a coordinator relieved by another writer, however
late, never has a command recorded on the strength of an earlier look."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import attrs
import pytest

from mentoring_core import ConcurrencyConflict, InvalidValue, MentoringService, NotAllowed
from mentoring_core import commands as c
from mentoring_core.authorisation import Principal, Role, may
from mentoring_core.values import FocusArea, GoalProgress, MeetingFormat, ProgressStatus
from mentoring_core.values import Role as ParticipantRole

ADMIN = Principal(subject="admin.ada", roles=frozenset({Role.ADMINISTRATOR}))
COORDINATOR = Principal(subject="coord.rhea")


@attrs.frozen
class Pilot:
    """A programme coordinated by coord.rhea; ana mentors ben and dov (a group session
    held with both); cai is enrolled."""

    programme: UUID
    first: UUID
    second: UUID
    session: UUID


def pilot(service: MentoringService) -> Pilot:
    programme = service.create_programme("Pilot", "Care", actor="admin.ada").id
    service.appoint_coordinator(programme, "coord.rhea", actor="admin.ada")
    coordinator = {"actor": "coord.rhea"}
    service.enrol(programme, "ana", ParticipantRole.MENTOR, 10, **coordinator)
    for mentee in ("ben", "dov", "cai"):
        service.enrol(programme, mentee, ParticipantRole.MENTEE, 1, **coordinator)
    first = service.form_pair(programme, "ana", "ben", **coordinator).id
    second = service.form_pair(programme, "ana", "dov", **coordinator).id
    session = service.record_group_session(
        programme, "ana", [first, second], 45, ["Induction"], **coordinator
    ).id
    return Pilot(programme, first, second, session)


def goal(p: Pilot) -> c.Command:
    return c.SetGoal(
        relationship_id=p.first,
        title="Chair a case conference",
        focus_area=FocusArea.COMMUNICATION,
        success_measure="Chairs one unaided",
        target_date=date(2030, 1, 1),
    )


def meeting_with_attendees(p: Pilot) -> c.Command:
    """Reads the programme twice when checked: for the caller, and for who was enrolled."""
    return c.RecordMeetingHeld(
        relationship_id=p.first,
        duration_minutes=60,
        format=MeetingFormat.ONE_ON_ONE,
        topics=("Shadowing",),
        attendees=("cai",),
    )


def enrolment(p: Pilot) -> c.Command:
    return c.EnrolParticipant(
        programme_id=p.programme,
        person_id="eve",
        role=ParticipantRole.MENTEE,
        experience_years=Decimal(1),
    )


def opening(p: Pilot) -> c.Command:
    return c.OpenRelationship(
        programme_id=p.programme, mentor_id="ana", mentee_id="cai", direct=True
    )


def group_session(p: Pilot) -> c.Command:
    return c.RecordGroupSession(
        programme_id=p.programme,
        mentor_id="ana",
        relationship_ids=(p.first, p.second),
        duration_minutes=60,
        topics=("Handover notes",),
    )


def group_correction(p: Pilot) -> c.Command:
    return c.CorrectGroupSession(
        programme_id=p.programme,
        session_id=p.session,
        mentor_id="ana",
        relationship_ids=(p.first, p.second),
        reason="It ran longer",
        duration_minutes=90,
    )


COMMANDS: dict[str, Callable[[Pilot], c.Command]] = {
    "a relationship's command": goal,
    "a meeting naming attendees": meeting_with_attendees,
    "a programme's command": enrolment,
    "an opening": opening,
    "a group session": group_session,
    "a group session's correction": group_correction,
}


@attrs.frozen
class Race:
    """``service``, whose clock runs what ``pending`` holds when it is next read (while a
    command is decided, after its caller was found allowed), and ``other``, another
    writer on the same store (the service itself on a memory store, which no second
    service can open)."""

    service: MentoringService
    other: MentoringService
    pending: list[Callable[[], object]]

    def relieve(self, p: Pilot) -> None:
        self.other.relieve_coordinator(p.programme, "coord.rhea", "Left", actor="admin.ada")

    def lengths(self, p: Pilot) -> list[int]:
        return [len(self.other.history(i)) for i in (p.programme, p.first, p.second)]


@pytest.fixture
def race(store_url: str, store_kind: str) -> Iterator[Race]:
    pending: list[Callable[[], object]] = []

    def racing_clock() -> datetime:
        while pending:
            pending.pop()()
        return datetime.now(UTC)

    with MentoringService(store_url, clock=racing_clock) as service:
        if store_kind == "memory":
            yield Race(service, service, pending)
        else:
            with MentoringService(store_url) as other:
                yield Race(service, other, pending)


@pytest.mark.parametrize(
    "cached", [True, False], ids=["on the cached state", "read from the store"]
)
@pytest.mark.parametrize("command_of", COMMANDS.values(), ids=list(COMMANDS))
def test_a_coordinator_relieved_while_the_command_is_decided_has_it_refused(
    race: Race, command_of: Callable[[Pilot], c.Command], cached: bool
) -> None:
    """The relief is stored after the caller was found allowed on what the decision
    read: the store refuses the events (the programme moved on), and the command,
    decided again, is refused; an opening, which writes the programme and is never
    decided again, meets the conflict. Nothing of the command is recorded."""
    p = pilot(race.service)
    if not cached:
        race.service._forget_states()
    before = race.lengths(p)
    race.pending.append(lambda: race.relieve(p))
    expected = ConcurrencyConflict if command_of is opening else NotAllowed
    with pytest.raises(expected) as refused:
        race.service.execute(command_of(p), actor="coord.rhea", principal=COORDINATOR)
    assert not race.pending, "the race did not run: the command was never decided"
    if isinstance(refused.value, NotAllowed):
        assert refused.value.conceal  # they hold no role there any more
        assert "'coord.rhea' holds no role in" in str(refused.value)
    else:
        assert refused.value.aggregate_id == p.programme
    assert race.lengths(p) == [before[0] + 1, *before[1:]]  # the relief alone


@pytest.mark.parametrize("command_of", COMMANDS.values(), ids=list(COMMANDS))
def test_a_coordinator_relieved_after_the_callers_own_look_has_the_command_refused(
    race: Race, command_of: Callable[[Pilot], c.Command]
) -> None:
    """The caller looked (the programme says coord.rhea coordinates it), then another
    writer relieved them, then the command was executed: refused, as the policy is asked
    again on what the command is decided on."""
    p = pilot(race.service)
    command = command_of(p)
    looked = may(COORDINATOR, command, programme=race.service.programme(p.programme))
    assert looked
    race.relieve(p)
    before = race.lengths(p)
    with pytest.raises(NotAllowed) as refused:
        race.service.execute(command, actor="coord.rhea", principal=COORDINATOR)
    assert refused.value.conceal
    assert race.lengths(p) == before


def test_the_principal_allowed_records_and_others_are_refused_naming_the_rule(
    race: Race,
) -> None:
    service = race.service
    p = pilot(service)
    recorded = service.execute(goal(p), actor="coord.rhea", principal=COORDINATOR)
    assert recorded.events[0].actor == "coord.rhea"
    with pytest.raises(NotAllowed) as stranger:
        service.execute(goal(p), actor="zed", principal=Principal(subject="zed"))
    assert stranger.value.conceal
    assert stranger.value.reason == str(stranger.value)
    evaluation = c.EvaluateProgress(
        relationship_id=p.first,
        goal_progress=(GoalProgress(goal_id=recorded.id, status=ProgressStatus.ON_TRACK),),
        evidence="Chaired a conference with support",
    )
    with pytest.raises(NotAllowed) as mentee:
        service.execute(evaluation, actor="ben", principal=Principal(subject="ben"))
    assert not mentee.value.conceal  # ben is the mentee: he may learn it is there
    assert str(mentee.value).startswith(
        "progress is evaluated by the mentor or a coordinator of the programme; 'ben' is the mentee"
    )
    auditor = Principal(subject="aud", roles=frozenset({Role.AUDITOR, Role.ADMINISTRATOR}))
    with pytest.raises(NotAllowed) as audit:
        service.execute(
            c.CreateProgramme(name="P", organisation="O"), actor="aud", principal=auditor
        )
    assert not audit.value.conceal and "an auditor records nothing" in str(audit.value)
    before = race.lengths(p)
    with pytest.raises(InvalidValue) as someone_else:
        service.execute(goal(p), actor="ana", principal=COORDINATOR)
    assert someone_else.value.field == "actor"
    assert "'coord.rhea'" in str(someone_else.value)
    assert race.lengths(p) == before
    created = service.execute(
        c.CreateProgramme(name="P", organisation="O"), actor="admin.ada", principal=ADMIN
    )
    assert created.events[0].actor == "admin.ada"


def test_a_group_session_naming_a_pair_the_principal_may_not_read_is_refused_as_unknown(
    race: Race,
) -> None:
    """eli mentors in the programme too, so the policy lets him record a group session
    as its mentor; one naming ana's pairs was refused by the domain's group-session rule,
    whose message says who mentors them. With a principal, each relationship a group
    session (or its correction) names must be one they may read, else it is refused as
    concealed (the HTTP adapter answers 404, as for an id never recorded), naming no one."""
    service = race.service
    p = pilot(service)
    service.enrol(p.programme, "eli", ParticipantRole.MENTOR, 9, actor="coord.rhea")
    eli = Principal(subject="eli")
    before = race.lengths(p)
    for command in (
        c.RecordGroupSession(
            programme_id=p.programme,
            mentor_id="eli",
            relationship_ids=(p.first, p.second),
            duration_minutes=45,
            topics=("Induction",),
        ),
        c.CorrectGroupSession(
            programme_id=p.programme,
            session_id=p.session,
            mentor_id="eli",
            relationship_ids=(p.first, p.second),
            duration_minutes=50,
            topics=("Induction",),
            reason="Longer",
        ),
    ):
        with pytest.raises(NotAllowed) as refused:
            service.execute(command, actor="eli", principal=eli)
        assert refused.value.conceal
        assert "ana" not in str(refused.value) and "ben" not in str(refused.value)
    assert race.lengths(p) == before
