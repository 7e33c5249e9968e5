"""What a report refuses (with the exact message) and how its default period is chosen.

``docs/reports.md``: the period's days are UTC days, both included, by default
from the day the programme was created to the report's day; ``as_of`` is an
aware moment. The ranks of ``days_to_first_meeting_median`` and ``_p90`` follow
the nearest-rank method, the value at rank ⌈p * n / 100⌉.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import attrs
import pytest
from machine_zone import local_time_zone

from mentoring_core import InvalidValue
from mentoring_core.reports import (
    ComplianceReport,
    MeetingFact,
    ProgrammeFacts,
    RelationshipFacts,
    ReportPeriod,
    compliance_report,
)
from mentoring_core.reports._figures import nearest_rank
from mentoring_core.values import MeetingOutcome, RelationshipStatus

PROGRAMME = UUID(int=0xFEED)
CREATED = datetime(2026, 2, 10, 23, 30, tzinfo=UTC)
AS_OF = datetime(2026, 5, 20, 23, 30, tzinfo=UTC)


def programme() -> ProgrammeFacts:
    return ProgrammeFacts(
        programme_id=PROGRAMME, version=1, name="Quay", organisation="Quay Care", created_at=CREATED
    )


def proposal(at: datetime | None, n: int = 1) -> RelationshipFacts:
    return RelationshipFacts(
        relationship_id=UUID(int=n),
        version=1,
        programme_id=PROGRAMME,
        mentor_id="ana",
        mentee_id=f"mentee-{n}",
        status=RelationshipStatus.PROPOSED,
        proposed_at=at,
    )


def test_a_programme_never_created_is_refused() -> None:
    empty = ProgrammeFacts()
    with pytest.raises(InvalidValue) as refused:
        compliance_report(empty, (), as_of=AS_OF)
    assert str(refused.value) == (
        "invalid programme: a ProgrammeFacts; expected the facts of a created programme"
    )
    assert (refused.value.field, refused.value.value) == ("programme", empty)


def test_a_naive_report_moment_is_refused() -> None:
    naive = datetime(2026, 5, 20, 12)
    with pytest.raises(InvalidValue) as refused:
        compliance_report(programme(), (), as_of=naive)
    assert refused.value.field == "as_of"
    assert str(refused.value).startswith("invalid as_of: ")


def test_a_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        compliance_report(
            programme(), (), as_of=AS_OF, start=date(2026, 3, 2), end=date(2026, 3, 1)
        )
    assert str(refused.value) == (
        "invalid period: 2026-03-02, 2026-03-01; expected a start on or before the end"
    )


def test_a_period_starting_before_1950_is_refused_as_a_moment_then_is() -> None:
    """No fact is dated before 1950; a year typed ``0026`` for ``2026`` built a month of
    figures per relationship for two thousand years (77 s and 1.4 GB on 300 pairs)."""
    with pytest.raises(InvalidValue) as refused:
        compliance_report(programme(), (), as_of=AS_OF, start=date(26, 1, 1))
    assert str(refused.value) == "invalid start: 0026-01-01; expected a date not before 1950-01-01"
    first = compliance_report(programme(), (), as_of=AS_OF, start=date(1950, 1, 1))
    assert first.period.start == date(1950, 1, 1)


def test_a_one_day_period_is_accepted() -> None:
    one = compliance_report(programme(), (), as_of=AS_OF, start=date(2026, 3, 1), end=None)
    assert one.period == ReportPeriod(start=date(2026, 3, 1), end=date(2026, 5, 20))
    same = compliance_report(
        programme(), (), as_of=AS_OF, start=date(2026, 3, 1), end=date(2026, 3, 1)
    )
    assert same.period == ReportPeriod(start=date(2026, 3, 1), end=date(2026, 3, 1))


def test_by_default_the_period_runs_from_the_creation_day_to_the_report_day_in_utc() -> None:
    # Given in UTC+2: 21 May 01:30 there is 20 May 23:30 UTC, the report's day.
    plus_two = AS_OF.astimezone(timezone(timedelta(hours=2)))
    report = compliance_report(programme(), (), as_of=plus_two)
    assert report.period == ReportPeriod(start=date(2026, 2, 10), end=date(2026, 5, 20))
    assert report.as_of == AS_OF


def test_a_relationship_proposed_before_the_programme_was_created_moves_the_start() -> None:
    # Imported histories can hold such a proposal: the default period covers it.
    earlier = datetime(2026, 1, 31, 23, 0, tzinfo=timezone(timedelta(hours=-3)))  # 1 Feb UTC
    report = compliance_report(
        programme(), (proposal(None, 2), proposal(earlier), proposal(AS_OF, 3)), as_of=AS_OF
    )
    assert report.period.start == date(2026, 2, 1)


def test_without_a_creation_or_proposal_the_period_is_the_report_day() -> None:
    bare = ProgrammeFacts(programme_id=PROGRAMME, version=1)
    report = compliance_report(bare, (proposal(None),), as_of=AS_OF)
    assert report.period == ReportPeriod(start=date(2026, 5, 20), end=date(2026, 5, 20))


def test_relationships_are_listed_as_proposed_then_by_id_those_never_proposed_first() -> None:
    report = compliance_report(
        programme(),
        (proposal(AS_OF, 3), proposal(CREATED, 2), proposal(None, 5), proposal(CREATED, 1)),
        as_of=AS_OF,
    )
    assert [r.relationship_id.int for r in report.relationships] == [5, 1, 2, 3]


def test_nearest_rank_at_large_even_counts() -> None:
    # 202 values 1..202: the median is at rank ⌈50 * 202 / 100⌉ = 101, the 90th
    # percentile at rank ⌈90 * 202 / 100⌉ = ⌈181.8⌉ = 182.
    values = [Decimal(v) for v in range(202, 0, -1)]
    assert nearest_rank(values, 50) == Decimal(101)
    assert nearest_rank(values, 90) == Decimal(182)
    assert nearest_rank([Decimal(7)], 90) == Decimal(7)


def _active(formed: datetime) -> RelationshipFacts:
    return attrs.evolve(proposal(formed), status=RelationshipStatus.ACTIVE, formed_at=formed)


def _months(report: ComplianceReport) -> list[str]:
    return [m.month for m in report.relationships[0].months]


def test_the_months_are_those_the_period_touches_up_to_now() -> None:
    pair = (_active(CREATED),)
    # A period from mid-January, described a microsecond into February: both months.
    now = datetime(2026, 2, 1, tzinfo=UTC) + timedelta(microseconds=1)
    touched = compliance_report(
        programme(), pair, as_of=now, start=date(2026, 1, 15), end=date(2026, 3, 31)
    )
    assert _months(touched) == ["2026-01", "2026-02"]
    # Described exactly at February's first instant: January only.
    at_midnight = compliance_report(
        programme(),
        pair,
        as_of=datetime(2026, 2, 1, tzinfo=UTC),
        start=date(2026, 1, 15),
        end=date(2026, 3, 31),
    )
    assert _months(at_midnight) == ["2026-01"]
    # The whole of a period from 15 January to 10 April, described later.
    spring = compliance_report(
        programme(), pair, as_of=AS_OF, start=date(2026, 1, 15), end=date(2026, 4, 10)
    )
    assert _months(spring) == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert [m.month for m in spring.programme.months] == _months(spring)


def test_a_report_at_the_periods_first_instant_touches_no_month() -> None:
    report = compliance_report(
        programme(),
        (_active(CREATED),),
        as_of=datetime(2026, 3, 1, tzinfo=UTC),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
    )
    assert _months(report) == []
    assert report.relationships[0].paused_days == Decimal("0.0")
    assert report.relationships[0].longest_gap is None


def test_a_report_at_the_first_instant_of_a_mid_month_period_touches_no_month() -> None:
    report = compliance_report(
        programme(),
        (_active(CREATED),),
        as_of=datetime(2026, 3, 15, tzinfo=UTC),
        start=date(2026, 3, 15),
        end=date(2026, 3, 31),
    )
    assert _months(report) == []


def test_the_default_period_is_in_utc_days_whatever_the_machines_time_zone() -> None:
    # 20 May 23:30 UTC is already 21 May in Tokyo; 10 Feb 23:30 UTC is 11 Feb there.
    with local_time_zone("Asia/Tokyo"):
        report = compliance_report(programme(), (), as_of=AS_OF)
    assert report.period == ReportPeriod(start=date(2026, 2, 10), end=date(2026, 5, 20))


def test_what_happens_at_the_periods_first_instant_is_in_the_period() -> None:
    first = datetime(2026, 3, 1, tzinfo=UTC)
    pair = attrs.evolve(
        _active(CREATED),
        meetings=(
            MeetingFact(meeting_id=UUID(int=1), outcome=MeetingOutcome.HELD, at=first, minutes=60),
        ),
        feedback=(first,),
    )
    report = compliance_report(
        programme(), (pair,), as_of=AS_OF, start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    figures = report.relationships[0]
    assert (figures.meetings_held, figures.feedback_given) == (1, 1)


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize(
    "given",
    [datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 1, 1, 30), "2026-03-01", 20260301],
    ids=["aware datetime", "naive datetime", "text", "number"],
)
def test_a_period_day_that_is_not_a_date_is_refused_by_name(field: str, given: object) -> None:
    """A day of the period is a ``date``: a datetime (which Python counts as a date, so a
    type checker lets it through) names no UTC day without a rule, and it, or a text, was
    compared with a date and raised a bare TypeError naming neither field nor value."""
    with pytest.raises(InvalidValue) as refused:
        compliance_report(programme(), (), as_of=AS_OF, **{field: given})
    assert (refused.value.field, refused.value.value) == (field, given)
    assert str(refused.value).endswith("; expected a date (a calendar day, not a datetime)")
