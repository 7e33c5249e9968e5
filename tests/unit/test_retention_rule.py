"""The retention rule itself (``mentoring_core.domain.retention``), on programme states built
by hand: no store. Every role the programme's state records counts: an enrolment, a
coordinator's appointment, a relationship; while one lasts, the person is never due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from machine_zone import local_time_zone
from report_scenario import POLICY

from mentoring_core.domain.errors import InvalidValue
from mentoring_core.domain.programme import Appointment, Participant, ProgrammeState
from mentoring_core.domain.relationship_state import Declining, Ending, Meeting, RelationshipState
from mentoring_core.domain.retention import retention_due
from mentoring_core.domain.values import (
    DeclineReason,
    EndReason,
    MeetingOutcome,
    RelationshipStatus,
    Role,
)

WITHDREW = datetime(2020, 6, 1, 9, tzinfo=UTC)
APPOINTED = datetime(2021, 1, 1, 9, tzinfo=UTC)
RELIEVED = datetime(2022, 3, 1, 9, tzinfo=UTC)


def programme(
    number: int,
    years: int,
    enrolments: tuple[tuple[datetime, datetime | None], ...] = (),
    appointments: tuple[tuple[datetime, datetime | None], ...] = (),
    person: str = "pat",
) -> ProgrammeState:
    """Programme ``number`` keeping data ``years``, where ``person`` was enrolled and
    appointed over those (start, end) spans (end None: it lasts)."""
    return ProgrammeState(
        programme_id=UUID(int=number),
        version=1,
        name=f"P{number}",
        policy=attrs.evolve(POLICY, retain_personal_data_years=years),
        participants=tuple(
            Participant(
                person_id=person,
                role=Role.MENTEE,
                experience_years=Decimal(1),
                enrolled_at=start,
                withdrawn_at=end,
            )
            for start, end in enrolments
        ),
        appointments=tuple(
            Appointment(person_id=person, appointed_at=start, relieved_at=end)
            for start, end in appointments
        ),
        coordinators=frozenset(person for _, end in appointments if end is None),
    )


def due(*programmes: ProgrammeState, as_of: date = date(2099, 1, 1)) -> list[tuple[str, date]]:
    return [(d.person_id, d.due_on) for d in retention_due(((p, ()) for p in programmes), as_of)]


def test_a_former_participant_who_coordinates_another_programme_now_is_never_due() -> None:
    left = programme(1, 1, enrolments=((WITHDREW - timedelta(days=300), WITHDREW),))
    coordinates = programme(2, 1, appointments=((APPOINTED, None),))
    assert due(left, coordinates) == []


def test_a_former_participant_who_coordinates_the_same_programme_now_is_never_due() -> None:
    both = programme(
        1,
        1,
        enrolments=((WITHDREW - timedelta(days=300), WITHDREW),),
        appointments=((APPOINTED, None),),
    )
    assert due(both) == []


def test_a_relief_counts_as_the_end_of_a_role_like_a_withdrawal() -> None:
    """Withdrawn in 2020 from a programme keeping data a year, relieved on 1 March 2022 in
    one keeping it two: due two years after the relief, under that programme's period."""
    left = programme(1, 1, enrolments=((WITHDREW - timedelta(days=300), WITHDREW),))
    coordinated = programme(2, 2, appointments=((APPOINTED, RELIEVED),))
    (found,) = retention_due(((left, ()), (coordinated, ())), date(2024, 3, 1))
    assert (found.person_id, found.last_ended, found.years, found.due_on) == (
        "pat",
        date(2022, 3, 1),
        2,
        date(2024, 3, 1),
    )
    assert due(left, coordinated, as_of=date(2024, 2, 29)) == []


def test_a_coordinator_never_enrolled_is_due_a_period_after_being_relieved() -> None:
    coordinated = programme(1, 1, appointments=((APPOINTED, RELIEVED),))
    assert due(coordinated, as_of=date(2023, 3, 1)) == [("pat", date(2023, 3, 1))]
    assert due(coordinated, as_of=date(2023, 2, 28)) == []


def test_a_participant_still_enrolled_is_never_due_after_a_relationship_ended() -> None:
    """Enrolled as a mentor in 2019, her relationship ended on 1 June 2020, never
    withdrawn: still in the programme (she may be paired again), so never due; withdrawn
    on 1 March 2022, she is due a year after that."""
    pair = RelationshipState(
        relationship_id=UUID(int=9),
        version=3,
        status=RelationshipStatus.ENDED,
        mentor_id="pat",
        mentee_id="sam",
        ended=Ending(reason=EndReason.COMPLETED, explanation="done", ended_at=WITHDREW),
    )
    enrolled = datetime(2019, 1, 1, tzinfo=UTC)
    still = programme(1, 1, enrolments=((enrolled, None),))
    assert retention_due(((still, (pair,)),), date(2099, 1, 1)) == ()
    left = programme(1, 1, enrolments=((enrolled, RELIEVED),))
    (found,) = retention_due(((left, (pair,)),), date(2023, 3, 1))
    assert (found.person_id, found.last_ended, found.due_on) == (
        "pat",
        date(2022, 3, 1),
        date(2023, 3, 1),
    )


def test_an_appointment_again_after_a_relief_keeps_the_person_from_being_due() -> None:
    again = programme(1, 1, appointments=((APPOINTED, RELIEVED), (RELIEVED, None)))
    assert due(again) == []


def _paired(status: RelationshipStatus, ended_at: datetime | None = None) -> RelationshipState:
    """Pat mentoring Sam, in ``status``; ended at ``ended_at`` when given."""
    return RelationshipState(
        relationship_id=UUID(int=9),
        version=3,
        status=status,
        mentor_id="pat",
        mentee_id="sam",
        ended=(
            None
            if ended_at is None
            else Ending(reason=EndReason.COMPLETED, explanation="done", ended_at=ended_at)
        ),
    )


def test_a_person_withdrawn_with_a_relationship_still_open_is_never_due() -> None:
    """A withdrawal recorded before the rule that refuses one while a relationship is open
    (old stores hold such): while the relationship lasts, the person holds a role, and
    once it ends, the period runs from its end, the latest of their roles."""
    left = programme(1, 1, enrolments=((WITHDREW - timedelta(days=300), WITHDREW),))
    assert retention_due(((left, (_paired(RelationshipStatus.ACTIVE),)),), date(2099, 1, 1)) == ()
    ended = _paired(RelationshipStatus.ENDED, RELIEVED)
    (found,) = retention_due(((left, (ended,)),), date(2023, 3, 1))
    assert (found.person_id, found.last_ended, found.due_on) == (
        "pat",
        date(2022, 3, 1),
        date(2023, 3, 1),
    )
    assert retention_due(((left, (ended,)),), date(2023, 2, 28)) == ()


@pytest.mark.parametrize("order", [1, -1], ids=["longest first", "longest last"])
def test_the_programme_keeping_data_longest_decides_in_any_order(order: int) -> None:
    """Withdrawn on 1 June 2020 from a programme keeping data a year and relieved on
    1 March 2022 in one keeping it two: due on 1 March 2024, whichever is read first."""
    left = programme(1, 1, enrolments=((WITHDREW - timedelta(days=300), WITHDREW),))
    coordinated = programme(2, 2, appointments=((APPOINTED, RELIEVED),))
    read = ((coordinated, ()), (left, ()))[::order]
    assert [(d.person_id, d.due_on) for d in retention_due(read, date(2099, 1, 1))] == [
        ("pat", date(2024, 3, 1))
    ]


@pytest.mark.parametrize("order", [1, -1], ids=["never due first", "never due last"])
def test_a_person_never_due_in_one_programme_is_never_due_in_any_order(order: int) -> None:
    left = programme(1, 1, enrolments=((WITHDREW - timedelta(days=300), WITHDREW),))
    coordinates = programme(2, 1, appointments=((APPOINTED, None),))
    assert due(*(coordinates, left)[::order]) == []


@pytest.mark.parametrize("years", [0, 101])
def test_a_period_out_of_range_is_refused_by_name(years: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        retention_due((), date(2099, 1, 1), years)
    assert (refused.value.field, refused.value.value) == ("years", years)


def test_the_day_a_role_ended_is_the_utc_day_whatever_the_machines_time_zone() -> None:
    """Withdrawn on 1 June 2020 at 20:00 UTC, already 2 June in Auckland (UTC+12 in June,
    the machine's zone here): the role ended on 1 June, and the data is due on 1 June
    2021."""
    evening = datetime(2020, 6, 1, 20, tzinfo=UTC)
    left = programme(1, 1, enrolments=((evening - timedelta(days=300), evening),))
    with local_time_zone("Pacific/Auckland"):
        (found,) = retention_due(((left, ()),), date(2099, 1, 1))
    assert (found.last_ended, found.due_on) == (date(2020, 6, 1), date(2021, 6, 1))


_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
)
_SPAN = st.tuples(_MOMENTS, st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(3000))))


def _spans(draw: st.DrawFn) -> tuple[tuple[datetime, datetime | None], ...]:
    """Up to three (start, end) spans; end None: it lasts."""
    return tuple(
        (start, None if length is None else start + length)
        for start, length in draw(st.lists(_SPAN, max_size=3))
    )


@st.composite
def _programmes(draw: st.DrawFn) -> list[ProgrammeState]:
    """One person's enrolments and appointments (each lasting or not) in 1 to 3
    programmes."""
    count = draw(st.integers(1, 3))
    return [
        programme(
            number,
            draw(st.integers(1, 10)),
            enrolments=_spans(draw),
            appointments=_spans(draw),
        )
        for number in range(1, count + 1)
    ]


@given(_programmes(), st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 1, 1)))
def test_due_only_once_every_role_ended_and_every_period_after_it_ran_out(
    programmes: list[ProgrammeState], as_of: date
) -> None:
    ends = [
        (
            [*(e.withdrawn_at for e in p.participants), *(a.relieved_at for a in p.appointments)],
            p.policy.retain_personal_data_years if p.policy is not None else None,
        )
        for p in programmes
        if p.participants or p.appointments
    ]
    listed = due(*programmes, as_of=as_of)
    if not ends or any(None in found for found, _ in ends):
        assert listed == []  # a role lasts, or the person holds none
        return
    due_on = max(_plus(max(found).date(), years) for found, years in ends)  # type: ignore[type-var,arg-type]
    assert listed == ([("pat", due_on)] if due_on <= as_of else [])


def _plus(day: date, years: int) -> date:
    """``day`` plus ``years`` (28 February for a 29th in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


CANCELLED = datetime(2021, 9, 1, 9, tzinfo=UTC)


def _cancelled_by(person: str, *moments: datetime) -> RelationshipState:
    """Pat mentoring Sam, active, with a meeting cancelled by ``person`` at each moment."""
    return attrs.evolve(
        _paired(RelationshipStatus.ACTIVE),
        meetings=tuple(
            Meeting(
                meeting_id=UUID(int=100 + n),
                outcome=MeetingOutcome.CANCELLED,
                occurred_at=moment,
                recorded_by_event_id=UUID(int=200 + n),
                by=person,
                reason="Snowed in",
            )
            for n, moment in enumerate(moments)
        ),
    )


def test_someone_with_no_role_who_cancelled_meetings_is_due_a_period_after_the_last() -> None:
    """A facilitator never enrolled nor appointed cancelled two meetings of a programme
    keeping data a year (its records hold their reasons): due a year after the later."""
    pair = _cancelled_by("fay", CANCELLED - timedelta(days=100), CANCELLED)
    held = programme(1, 1, enrolments=((WITHDREW, None),))  # pat, still enrolled
    (found,) = retention_due(((held, (pair,)),), date(2022, 9, 1))
    assert (found.person_id, found.last_ended, found.years, found.due_on) == (
        "fay",
        date(2021, 9, 1),
        1,
        date(2022, 9, 1),
    )
    assert retention_due(((held, (pair,)),), date(2022, 8, 31)) == ()


def test_someone_who_cancelled_a_meeting_and_holds_a_role_elsewhere_is_never_due() -> None:
    pair = _cancelled_by("fay", CANCELLED)
    held = programme(1, 1, enrolments=((WITHDREW, None),))
    coordinates = programme(2, 1, appointments=((APPOINTED, None),), person="fay")
    assert retention_due(((held, (pair,)), (coordinates, ())), date(2099, 1, 1)) == ()


def test_a_participant_who_cancelled_a_meeting_is_due_by_their_roles_alone() -> None:
    """Pat, withdrawn in 2020 and the pair's mentor, cancelled a meeting in 2021: her
    roles decide (the pair ended on 1 March 2022), not the cancellation."""
    ended = attrs.evolve(
        _cancelled_by("pat", CANCELLED),
        status=RelationshipStatus.ENDED,
        ended=Ending(reason=EndReason.COMPLETED, explanation="done", ended_at=RELIEVED),
    )
    left = programme(1, 1, enrolments=((WITHDREW - timedelta(days=300), WITHDREW),))
    assert [
        (d.person_id, d.due_on) for d in retention_due(((left, (ended,)),), date(2099, 1, 1))
    ] == [("pat", date(2023, 3, 1))]


def test_a_period_run_out_from_29_february_ends_on_28_february() -> None:
    leap = datetime(2024, 2, 29, 9, tzinfo=UTC)
    left = programme(1, 1, enrolments=((leap - timedelta(days=300), leap),))
    (found,) = retention_due(((left, ()),), date(2099, 1, 1))
    assert (found.last_ended, found.due_on) == (date(2024, 2, 29), date(2025, 2, 28))


def test_a_declined_pairing_ends_a_role_on_the_day_it_was_declined() -> None:
    """Pat's only relationship (after another pair's, which is not hers) was declined on
    1 March 2022, after she withdrew: due a year after the declining."""
    others = attrs.evolve(_paired(RelationshipStatus.ACTIVE), mentor_id="kim", mentee_id="lee")
    declined = attrs.evolve(
        _paired(RelationshipStatus.DECLINED),
        declined=Declining(
            declined_by="sam",
            reason=DeclineReason.SCHEDULE_CONFLICT,
            explanation="No evenings",
            declined_at=RELIEVED,
        ),
    )
    left = programme(1, 1, enrolments=((WITHDREW - timedelta(days=300), WITHDREW),))
    found = retention_due(((left, (others, declined)),), date(2099, 1, 1))
    assert [(d.person_id, d.last_ended) for d in found] == [("pat", date(2022, 3, 1))]


def test_someone_who_cancelled_a_meeting_of_a_programme_keeping_no_period_is_never_due() -> None:
    pair = _cancelled_by("fay", CANCELLED)
    keeps = attrs.evolve(
        programme(1, 1, enrolments=((WITHDREW, None),)),
        policy=attrs.evolve(POLICY, retain_personal_data_years=None),
    )
    assert retention_due(((keeps, (pair,)),), date(2099, 1, 1)) == ()
