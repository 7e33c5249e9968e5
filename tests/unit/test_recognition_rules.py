"""Recognising a mentor's time (``RecogniseMentor``): every check, with the values its
refusal names, and the event it records; without a store.

Each refusal's whole message is asserted, so that a rule's wording and its bounds are
pinned (a mutation run found them unchecked)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest
from scenarios import ENROLLED_AT, programme_history
from strategies import NOW

from mentoring_core import Rule
from mentoring_core.domain import commands as cmd
from mentoring_core.domain.recognition import QUANTITY_MAX
from mentoring_core.events import MentorRecognised
from mentoring_core.values import RecognitionKind, Role

QUANTITY = "a number from 0 to 10000000 with at most two decimal places"


def recognise(**changes: Any) -> cmd.RecogniseMentor:
    command = cmd.RecogniseMentor(
        person_id="ana",
        kind=RecognitionKind.ALLOWANCE,
        period_start=date(2025, 2, 1),
        period_end=date(2025, 2, 28),
        reason="A month of mentoring",
        amount=Decimal("120.50"),
    )
    return attrs.evolve(command, **changes)


def recorded(**changes: Any) -> MentorRecognised:
    history = programme_history()
    version = history.state.version
    (event,) = history.record(recognise(**changes))
    assert isinstance(event, MentorRecognised)
    assert history.state.version == version + 1
    return event


def test_the_event_holds_what_was_recognised() -> None:
    event = recorded()
    assert (event.person_id, event.kind, event.reason) == (
        "ana", RecognitionKind.ALLOWANCE, "A month of mentoring",
    )  # fmt: skip
    assert (event.period_start, event.period_end) == (date(2025, 2, 1), date(2025, 2, 28))
    assert (event.amount, event.hours) == (Decimal("120.50"), None)
    in_lieu = recorded(kind=RecognitionKind.TIME_IN_LIEU, amount=None, hours=Decimal("7.5"))
    assert (in_lieu.amount, in_lieu.hours) == (None, Decimal("7.5"))


def test_the_programme_state_keeps_only_the_latest_first_day_recognised() -> None:
    """Nothing that grows with every recognition: a version further, and the mentor's
    enrolment notes the latest first day recognised (which a withdrawal may not precede)."""
    history = programme_history()
    before = history.state
    history.record(recognise())
    noted = tuple(
        attrs.evolve(p, recognised_from=date(2025, 2, 1)) if p.person_id == "ana" else p
        for p in before.participants
    )
    expected = attrs.evolve(before, version=before.version + 1, participants=noted)
    assert history.state == expected
    history.record(recognise(period_start=date(2025, 1, 20)))  # an earlier day moves nothing
    assert history.state == attrs.evolve(expected, version=expected.version + 1)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        (0, Decimal(0)),
        (12, Decimal(12)),
        ("12.5", Decimal("12.5")),
        (Decimal("0.01"), Decimal("0.01")),
        (QUANTITY_MAX, Decimal(10_000_000)),
        (10_000_000, Decimal(10_000_000)),
    ],
)
def test_an_amount_from_0_to_the_largest_with_two_decimals_is_kept(
    given: Any, stored: Decimal
) -> None:
    event = recorded(amount=given)
    assert event.amount == stored and type(event.amount) is Decimal


@pytest.mark.parametrize(
    "given",
    [
        True,  # a bool is an int to Python, not a number here
        False,
        1.5,  # a float's value is not what was written
        [1],
        "twelve",
        "",
        "Infinity",
        "NaN",
        "-0.01",
        Decimal(-1),
        Decimal("10000000.01"),
        10_000_001,
        Decimal("1.005"),
        "0.001",
    ],
)
def test_any_other_amount_is_refused_naming_the_bounds(given: Any) -> None:
    error = programme_history().reject(recognise(amount=given), "amount")
    written = str(given) if isinstance(given, Decimal) else repr(given)  # Decimal("1.005"): 1.005
    assert str(error) == f"invalid amount: {written}; expected {QUANTITY}"


def test_hours_are_checked_as_amounts_are() -> None:
    in_lieu = recognise(kind=RecognitionKind.TIME_IN_LIEU, amount=None, hours="7.125")
    error = programme_history().reject(in_lieu, "hours")
    assert str(error) == f"invalid hours: '7.125'; expected {QUANTITY}"


@pytest.mark.parametrize(
    ("kind", "needed"),
    [(RecognitionKind.ALLOWANCE, "amount"), (RecognitionKind.TIME_IN_LIEU, "hours")],
)
def test_an_allowance_states_its_amount_and_time_in_lieu_its_hours(
    kind: RecognitionKind, needed: str
) -> None:
    changes: dict[str, Any] = {"kind": kind, "amount": None, "hours": None}
    error = programme_history().reject(recognise(**changes), needed)
    assert str(error) == f"invalid {needed}: None; expected the {needed} of the {kind} recognised"
    recorded(**{**changes, needed: 1})  # the other quantity may stay empty


@pytest.mark.parametrize("kind", [RecognitionKind.CERTIFICATE, RecognitionKind.OTHER])
def test_other_kinds_need_no_quantity(kind: RecognitionKind) -> None:
    event = recorded(kind=kind, amount=None, hours=None)
    assert (event.kind, event.amount, event.hours) == (kind, None, None)


def test_a_period_may_be_one_day_but_may_not_end_before_it_starts() -> None:
    one_day = recorded(period_start=date(2025, 2, 1), period_end=date(2025, 2, 1))
    assert one_day.period_end == one_day.period_start
    error = programme_history().reject(
        recognise(period_start=date(2025, 2, 1), period_end=date(2025, 1, 31)), "period_end"
    )
    assert str(error) == (
        "invalid period_end: 2025-01-31; "
        "expected a day not before the period's first day (2025-02-01)"
    )


@pytest.mark.parametrize("person", ["ben", "zoe"])  # a mentee; never enrolled
def test_only_a_mentor_enrolled_in_the_programme_is_recognised(person: str) -> None:
    error = programme_history().refuse(recognise(person_id=person), Rule.MENTOR_ENROLLED)
    assert str(error).endswith(
        f"{person!r} has never been enrolled as a mentor in programme "
        "'Riverside first-year mentoring'"
    )


def test_every_mentor_enrolled_may_be_recognised() -> None:
    assert recorded(person_id="carla").person_id == "carla"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("person_id", ""),
        ("period_start", "2025-01-01"),  # text, not a date
        ("period_end", None),
        ("reason", "x" * 100_000),
    ],
)
def test_a_field_that_is_not_of_its_kind_is_refused_by_its_name(field: str, value: Any) -> None:
    programme_history().reject(recognise(**{field: value}), field)


def test_the_period_falls_within_an_enrolment_of_the_mentor() -> None:
    """Time given as a mentor of the programme: the period lies within one of the
    person's enrolments as a mentor (by day), from the day they were enrolled to the day
    they were withdrawn; the refusal names every such enrolment."""
    history = programme_history()
    enrolled = history.state.participant("ana").enrolled_at.date()
    before = recognise(period_start=date(2020, 1, 1), period_end=enrolled)
    history.refuse(
        before,
        Rule.TIMELINE,
        f"rule 'timeline' broken: RecogniseMentor dated {NOW.isoformat()} for 2020-01-01 to "
        f"{enrolled} falls outside the enrolments of 'ana' as a mentor in programme "
        f"'Riverside first-year mentoring' up to that date; allowed a period within "
        f"{enrolled} to {NOW.date()}",
    )
    history.record(recognise(period_start=enrolled, period_end=enrolled))
    left = history.state.participant("ana").enrolled_at + timedelta(days=10)
    history.record(cmd.WithdrawParticipant(person_id="ana", reason="Moved", occurred_at=left))
    back = left + timedelta(days=5)
    history.record(cmd.EnrolParticipant(person_id="ana", role=Role.MENTOR, experience_years=9,
                                        occurred_at=back))  # fmt: skip
    both = recognise(period_start=enrolled, period_end=back.date())
    history.refuse(
        both,
        Rule.TIMELINE,
        f"allowed a period within {enrolled} to {left.date()} or {back.date()} to {NOW.date()}",
    )
    history.record(recognise(period_start=left.date(), period_end=left.date()))
    history.record(recognise(period_start=back.date(), period_end=NOW.date()))


def test_a_recognition_is_dated_no_earlier_than_the_mentor_s_enrolment() -> None:
    """A recognition dated before the mentor was enrolled recognises time not yet given:
    refused, naming when one may be dated."""
    history = programme_history()
    enrolled_at = NOW - timedelta(days=20)
    history.record(
        cmd.EnrolParticipant(
            person_id="fay", role=Role.MENTOR, experience_years=9, occurred_at=enrolled_at
        )
    )
    dated = enrolled_at - timedelta(days=1)
    day = enrolled_at.date()
    early = recognise(person_id="fay", period_start=day, period_end=day)
    history.refuse(
        attrs.evolve(early, occurred_at=dated),
        Rule.TIMELINE,
        f"rule 'timeline' broken: RecogniseMentor dated {dated.isoformat()} for {day} to "
        f"{day} falls outside the enrolments of 'fay' as a mentor in programme "
        f"'Riverside first-year mentoring' up to that date; allowed a recognition dated from "
        f"{enrolled_at.isoformat()} on",
    )
    history.record(attrs.evolve(early, occurred_at=enrolled_at))


def test_a_mentor_is_withdrawn_no_earlier_than_the_first_day_recognised() -> None:
    """The other order of the rule above: a withdrawal dated before a period recognised
    would leave a recognition of time after the mentor left (refused by day, as the
    period is compared with the enrolment)."""
    history = programme_history()
    first_day = (NOW - timedelta(days=20)).date()
    history.record(recognise(period_start=first_day, period_end=(NOW - timedelta(days=10)).date()))
    midnight = datetime.combine(first_day, time(), tzinfo=UTC)

    def withdrawal(at: datetime) -> cmd.WithdrawParticipant:
        return cmd.WithdrawParticipant(person_id="ana", reason="Moved", occurred_at=at)

    history.refuse(
        withdrawal(midnight - timedelta(seconds=1)),
        Rule.TIMELINE,
        f"broken: WithdrawParticipant dated {(midnight - timedelta(seconds=1)).isoformat()} is "
        f"before the period from {first_day} recognised for 'ana'",
    )
    history.record(withdrawal(midnight))


def test_a_period_recorded_ahead_of_its_date_by_an_earlier_release_bounds_by_that_date() -> None:
    """A recognition of a period begun after its date (recorded before the rule refused
    it) holds a withdrawal back to the recognition's date only, not to a first day that
    may be years away: the history as recorded is kept, and the mentor can still leave."""
    history = programme_history()
    (event,) = history.record(recognise())
    ahead = attrs.evolve(event, period_start=date(2199, 1, 1), period_end=date(2199, 12, 31))
    old = programme_history()
    old.apply(ahead)
    old.refuse(
        cmd.WithdrawParticipant(
            person_id="ana", reason="Moved", occurred_at=NOW - timedelta(days=1)
        ),
        Rule.TIMELINE,
        f"before the period from {NOW.date()} recognised for 'ana'",
    )
    old.record(cmd.WithdrawParticipant(person_id="ana", reason="Moved", occurred_at=NOW))


def _fay_enrolled_and_withdrawn() -> tuple[Any, date, date]:
    """Fay, a mentor enrolled 20 days before now and withdrawn 10 days before now."""
    history = programme_history()
    enrolled, left = NOW - timedelta(days=20), NOW - timedelta(days=10)
    history.record(
        cmd.EnrolParticipant(
            person_id="fay", role=Role.MENTOR, experience_years=9, occurred_at=enrolled
        )
    )
    history.record(cmd.WithdrawParticipant(person_id="fay", reason="Left", occurred_at=left))
    return history, enrolled.date(), left.date()


@pytest.mark.parametrize(
    ("from_enrolment", "to_withdrawal"),
    [(-1, 0), (0, 1), (-400, 400)],  # begun before the enrolment; ended after; both
)
def test_the_whole_period_is_time_given_within_an_enrolment(
    from_enrolment: int, to_withdrawal: int
) -> None:
    """A recognition is of time already given as a mentor: the whole period lies within
    one enrolment, from the day enrolled to the day withdrawn (or the recognition's)."""
    history, enrolled, left = _fay_enrolled_and_withdrawn()
    start = enrolled + timedelta(days=from_enrolment)
    end = left + timedelta(days=to_withdrawal)
    history.refuse(
        recognise(person_id="fay", period_start=start, period_end=end),
        Rule.TIMELINE,
        f"rule 'timeline' broken: RecogniseMentor dated {NOW.isoformat()} for {start} to "
        f"{end} falls outside the enrolments of 'fay' as a mentor in programme "
        f"'Riverside first-year mentoring' up to that date; allowed a period within "
        f"{enrolled} to {left}",
    )
    history.record(recognise(person_id="fay", period_start=enrolled, period_end=left))


def test_a_period_ends_no_later_than_the_recognition_s_date() -> None:
    """Time already given, not time to come: for a mentor still enrolled, the period
    ends on the recognition's date at the latest."""
    history = programme_history()
    enrolled = ENROLLED_AT.date()
    today = NOW.date()
    ahead = recognise(period_start=enrolled, period_end=today + timedelta(days=1))
    history.refuse(
        ahead,
        Rule.TIMELINE,
        f"{ahead.period_end} falls outside the enrolments of 'ana' as a mentor in programme "
        f"'Riverside first-year mentoring' up to that date; allowed a period within "
        f"{enrolled} to {today}",
    )
    history.record(attrs.evolve(ahead, period_end=today))


def test_the_same_recognition_twice_is_two_recognitions() -> None:
    """Nothing tells a second payment of the same allowance for the same period from a
    mistake: both are recorded (a retry of one command is recorded once, by its command
    id), and the report counts both."""
    history = programme_history()
    first = history.record(recognise())
    second = history.record(recognise())
    assert first[0].event_id != second[0].event_id
    assert (
        attrs.evolve(second[0], event_id=first[0].event_id, version=first[0].version) == (first[0])
    )
