"""The retention rule itself (``mentoring_core.domain.retention``), on programme states built
by hand: no store. Every role the programme's state records counts: an enrolment, a
coordinator's appointment, a relationship; while one lasts, the person is never due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import attrs
from hypothesis import given
from hypothesis import strategies as st
from report_scenario import POLICY

from mentoring_core.domain.programme import Appointment, Participant, ProgrammeState
from mentoring_core.domain.relationship_state import Ending, RelationshipState
from mentoring_core.domain.retention import retention_due
from mentoring_core.domain.values import EndReason, RelationshipStatus, Role

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
