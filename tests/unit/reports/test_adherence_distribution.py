"""The programme's adherence distribution, monthly totals and short meetings, worked by hand.

A weekly policy of at least 60 minutes. Pairs form on Monday 5 January 2026 at
10:00 UTC (``day(0)``) unless said otherwise; the report describes day 70, so a
pair formed on day 0 has ten slots due (days 7 to 70); slot ``k`` runs from day
``7k - 7`` to day ``7k`` and is met by a meeting three days into it.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from mentoring_core.reports import (
    AdherenceBucket,
    ComplianceReport,
    MeetingFact,
    MeetingMark,
    MonthFigures,
    PolicyFact,
    ProgrammeFacts,
    RelationshipFacts,
    compliance_report,
)
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    EndReason,
    MeetingOutcome,
    Participation,
    ProgrammePolicy,
    RelationshipStatus,
)

FORMED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
PROGRAMME = UUID(int=0xADE)
WEEKLY = ProgrammePolicy(
    cadence=(CadenceTier(cadence=Cadence.weekly()),),
    minimum_meeting_minutes=60,
    participation=Participation.VOLUNTARY,
    minimum_experience_gap_years=Decimal(0),
    review_interval_days=90,
)


def day(n: float) -> datetime:
    return FORMED + timedelta(days=n)


def meeting(
    at: datetime, outcome: MeetingOutcome = MeetingOutcome.HELD, minutes: int = 60
) -> MeetingFact:
    return MeetingFact(
        meeting_id=UUID(int=int(at.timestamp())),
        outcome=outcome,
        at=at,
        minutes=minutes if outcome is MeetingOutcome.HELD else None,
    )


def pair(
    n: int,
    *meetings: MeetingFact,
    formed: datetime = FORMED,
    feedback: tuple[datetime, ...] = (),
    reflections: tuple[datetime, ...] = (),
) -> RelationshipFacts:
    return RelationshipFacts(
        relationship_id=UUID(int=n),
        version=1,
        programme_id=PROGRAMME,
        mentor_id=f"mentor-{n}",
        mentee_id=f"mentee-{n}",
        status=RelationshipStatus.ACTIVE,
        proposed_at=formed,
        formed_at=formed,
        meetings=meetings,
        feedback=feedback,
        reflections=reflections,
    )


def report(*relationships: RelationshipFacts) -> ComplianceReport:
    programme = ProgrammeFacts(
        programme_id=PROGRAMME,
        version=1,
        name="Harbour",
        organisation="Harbour Care",
        created_at=day(-10),
        policies=(PolicyFact(at=day(-10), policy=WEEKLY),),
    )
    # The report's moment is the end of day 70, when the slots due on it are due.
    as_of = datetime.combine(day(71).date(), time(), UTC)
    return compliance_report(
        programme, relationships, as_of=as_of, start=day(0).date(), end=day(70).date()
    )


def met_slots(*ks: int) -> list[MeetingFact]:
    """A meeting three days into each slot ``k`` (1 to 10), the slot due on day ``7k``
    (by its end)."""
    return [meeting(day(7 * k - 4)) for k in ks]


def test_adherence_falls_into_ten_buckets_the_last_including_100() -> None:
    figures = report(
        pair(1, *met_slots(*range(1, 11))),  # 10 of 10: 100.0
        pair(2, *met_slots(*range(1, 10))),  # 9 of 10: 90.0
        pair(3, *met_slots(1, 2, 3, 4, 5)),  # 5 of 10: 50.0
        pair(4),  # 0 of 10: 0.0
        # Formed on day 49: slots due on days 56, 63 and 70, two met: 66.7.
        pair(5, meeting(day(50)), meeting(day(60)), formed=day(49)),
        # Formed on the report's day: nothing expected.
        pair(6, formed=day(70)),
    )
    adherence = [r.adherence_pct for r in figures.relationships]
    assert adherence == [
        Decimal("100.0"),
        Decimal("90.0"),
        Decimal("50.0"),
        Decimal("0.0"),
        Decimal("66.7"),
        None,
    ]
    counts = {0: 1, 50: 1, 60: 1, 90: 2}
    assert figures.programme.adherence == tuple(
        AdherenceBucket(low=low, high=low + 10, count=counts.get(low, 0))
        for low in range(0, 100, 10)
    )
    assert figures.programme.without_expected_meetings == 1


def test_monthly_totals_add_up_every_relationship() -> None:
    # Pair 1: 60 minutes on 8 and 15 Jan and 90 on 2 Feb, feedback on 8 Jan and 2 Feb, a
    # reflection on 25 Jan. Pair 2: 30 minutes on 20 Jan (short) with feedback, a missed meeting
    # and a reflection on 21 Jan, and 45 minutes on 3 Mar with a reflection.
    figures = report(
        pair(
            1,
            meeting(day(3)),
            meeting(day(10)),
            meeting(day(28), minutes=90),
            feedback=(day(3), day(28)),
            reflections=(day(20),),
        ),
        pair(
            2,
            meeting(day(15), minutes=30),
            meeting(day(16), MeetingOutcome.MISSED),
            meeting(day(57), minutes=45),
            feedback=(day(15),),
            reflections=(day(16), day(57)),
        ),
    )
    assert figures.programme.months == (
        MonthFigures(
            month="2026-01",
            meetings_held=3,
            mentoring_minutes=150,
            feedback_given=2,
            reflections_recorded=2,
        ),
        MonthFigures(month="2026-02", meetings_held=1, mentoring_minutes=90, feedback_given=1),
        MonthFigures(
            month="2026-03", meetings_held=1, mentoring_minutes=45, reflections_recorded=1
        ),
    )
    assert (figures.programme.meetings_held, figures.programme.meetings_missed) == (5, 1)
    assert figures.programme.mentoring_minutes == 285
    assert [
        (m.month, m.meetings_held, m.mentoring_minutes) for m in figures.relationships[0].months
    ] == [
        ("2026-01", 2, 120),
        ("2026-02", 1, 90),
        ("2026-03", 0, 0),
    ]
    # Two held meetings are under the 60-minute minimum: 30 and 45 minutes.
    assert figures.programme.short_meetings == 2
    assert figures.relationships[1].meetings == (
        MeetingMark(at=day(15), outcome=MeetingOutcome.HELD, minutes=30, short=True),
        MeetingMark(at=day(16), outcome=MeetingOutcome.MISSED, minutes=None, short=False),
        MeetingMark(at=day(57), outcome=MeetingOutcome.HELD, minutes=45, short=True),
    )


def test_a_cancelled_meeting_is_never_short() -> None:
    figures = report(pair(1, meeting(day(3), MeetingOutcome.CANCELLED)))
    (mark,) = figures.relationships[0].meetings
    assert (mark.outcome, mark.minutes, mark.short) == (MeetingOutcome.CANCELLED, None, False)
    assert figures.relationships[0].short_meetings == 0


def test_days_to_first_meeting_ranks_and_pairs_awaiting_one() -> None:
    # Ten pairs formed on day 0 first meet on days 1 to 10: median at rank 5 (5.0 days),
    # 90th percentile at rank 9 (9.0). Not counted: a pair formed before the period, one
    # paused and one ended without a meeting. Awaiting: the one active pair without one.
    ranked = [pair(k, meeting(day(k))) for k in range(1, 11)]
    before = pair(11, meeting(day(-5)), formed=day(-10))
    waiting = pair(12, formed=day(30))
    paused = attrs.evolve(pair(13, formed=day(30)), status=RelationshipStatus.PAUSED)
    ended = attrs.evolve(
        pair(14, formed=day(30)),
        status=RelationshipStatus.ENDED,
        ended_at=day(35),
        end_reason=EndReason.WITHDRAWN_BY_MENTEE,
    )
    figures = report(*ranked, before, waiting, paused, ended).programme
    assert (figures.days_to_first_meeting_median, figures.days_to_first_meeting_p90) == (
        Decimal("5.0"),
        Decimal("9.0"),
    )
    assert (figures.first_meetings, figures.awaiting_first_meeting) == (10, 1)
    assert figures.programme_id == PROGRAMME


def test_overdue_meetings_and_reviews_are_totalled() -> None:
    # Weekly meetings, reviews every 90 days, now day 70. Pair 1 last met on day 10 (due
    # day 17: overdue) and cancelled one on day 20; pair 2 met on day 66 (due day 73);
    # pair 3, formed on day -40, met on day 69 but was never reviewed (due day 50).
    figures = report(
        pair(1, meeting(day(10)), meeting(day(20), MeetingOutcome.CANCELLED)),
        pair(2, meeting(day(66))),
        pair(3, meeting(day(69)), formed=day(-40)),
    ).programme
    assert (figures.meetings_overdue, figures.reviews_overdue) == (1, 1)
    assert (figures.meetings_cancelled, figures.meetings_held) == (1, 3)
