"""The rules of expected meetings, one at a time: slots, tiers, pauses, months, gaps, ranks."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from machine_zone import local_time_zone

from mentoring_core.reports import (
    PRESETS,
    MeetingFact,
    PauseFact,
    PolicyFact,
    RelationshipFacts,
    ReportPeriod,
    add_months,
    end_of_day,
    evolve_relationship_facts,
    preset,
    step,
)
from mentoring_core.reports._figures import days, nearest_rank, percent, relationship_figures
from mentoring_core.reports._schedule import Span, active_spans, day_ended_by, slots
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    MeetingOutcome,
    Participation,
    ProgrammePolicy,
    RelationshipStatus,
)

FORMED = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def day(n: float) -> datetime:
    """``n`` days after the pair formed."""
    return FORMED + timedelta(days=n)


def due(n: float) -> datetime:
    """The end (UTC) of the day ``n`` days after the pair formed: when a meeting whose
    interval ends on that day falls due."""
    return end_of_day(day(n).date())


def policy(*tiers: CadenceTier, minimum: int = 60, review: int = 30) -> ProgrammePolicy:
    return ProgrammePolicy(
        cadence=tiers,
        minimum_meeting_minutes=minimum,
        participation=Participation.VOLUNTARY,
        minimum_experience_gap_years=Decimal(0),
        review_interval_days=review,
    )


WEEKLY_THEN_MONTHLY = policy(
    CadenceTier(cadence=Cadence.weekly(), until_age_days=14),
    CadenceTier(cadence=Cadence.monthly()),
)


def figures(facts: RelationshipFacts, as_of: datetime, *policies: ProgrammePolicy) -> object:
    period = ReportPeriod(start=FORMED.date(), end=as_of.date())
    chosen = tuple(PolicyFact(at=FORMED - WEEK, policy=p) for p in policies)
    return relationship_figures(facts, chosen, period, as_of)


def active(**changes: object) -> RelationshipFacts:
    return attrs.evolve(
        RelationshipFacts(
            relationship_id=UUID(int=7),
            version=1,
            programme_id=UUID(int=1),
            mentor_id="ana",
            mentee_id="ben",
            status=RelationshipStatus.ACTIVE,
            proposed_at=FORMED,
            formed_at=FORMED,
        ),
        **changes,
    )


def held(at: datetime, minutes: int = 60) -> MeetingFact:
    return MeetingFact(meeting_id=UUID(int=int(at.timestamp())), outcome=MeetingOutcome.HELD,
                       at=at, minutes=minutes)  # fmt: skip


class TestSteps:
    def test_months_keep_the_day_or_clamp_to_the_months_end(self) -> None:
        jan31 = datetime(2026, 1, 31, 9, tzinfo=UTC)
        assert add_months(jan31, 1) == datetime(2026, 2, 28, 9, tzinfo=UTC)
        assert add_months(jan31, 2) == datetime(2026, 3, 31, 9, tzinfo=UTC)
        assert add_months(jan31, 13) == datetime(2027, 2, 28, 9, tzinfo=UTC)

    def test_a_leap_day_and_the_29th_to_31st_clamp_to_each_months_end(self) -> None:
        assert add_months(datetime(2028, 2, 29, tzinfo=UTC), 12) == datetime(
            2029, 2, 28, tzinfo=UTC
        )
        assert add_months(datetime(2028, 1, 29, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)
        assert add_months(datetime(2027, 3, 30, tzinfo=UTC), -1) == datetime(
            2027, 2, 28, tzinfo=UTC
        )
        assert add_months(datetime(2026, 5, 31, tzinfo=UTC), 1) == datetime(2026, 6, 30, tzinfo=UTC)

    @given(
        st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
        st.integers(-1200, 1200),
    )
    def test_months_are_the_calendars_months(self, moment: datetime, months: int) -> None:
        later = add_months(moment, months)
        index = moment.year * 12 + moment.month - 1 + months
        assert (later.year * 12 + later.month - 1) == index
        last = calendar.monthrange(later.year, later.month)[1]
        assert later.day == min(moment.day, last)
        assert later.time() == moment.time() and later.tzinfo is moment.tzinfo

    def test_monthly_slots_do_not_drift_after_a_short_month(self) -> None:
        jan31 = datetime(2026, 1, 31, 9, tzinfo=UTC)
        dues = [s.due for s in slots([Span(jan31, jan31 + 100 * WEEK)],
                                     lambda t: Cadence.monthly(), (), ())][:3]  # fmt: skip
        assert dues == [end_of_day(add_months(jan31, k).date()) for k in (1, 2, 3)]
        assert [(d - timedelta(days=1)).day for d in dues] == [28, 31, 30]

    @pytest.mark.parametrize(
        ("cadence", "days_after"),
        [(Cadence.weekly(), 7), (Cadence.fortnightly(), 14), (Cadence.every(10), 10)],
    )
    def test_day_cadences(self, cadence: Cadence, days_after: int) -> None:
        assert step(FORMED, cadence, 2) == FORMED + timedelta(days=2 * days_after)


class TestSlots:
    def test_a_tier_boundary_counts_the_slot_ending_on_it_then_starts_the_next_cadence(
        self,
    ) -> None:
        found = slots([Span(FORMED, day(80))], lambda t: WEEKLY_THEN_MONTHLY.cadence_at_age(
            (t - FORMED) // timedelta(days=1)), (day(14),), ())  # fmt: skip
        monthly = [end_of_day(add_months(day(14), k).date()) for k in (1, 2)]
        assert [s.due for s in found] == [due(7), due(14), *monthly]
        # The first monthly slot starts where the last weekly one is due, not before.
        assert found[2].start == due(14)

    def test_a_slot_is_met_by_a_meeting_in_it_not_by_one_on_its_due_moment(self) -> None:
        held = (due(7), day(20))
        found = slots([Span(FORMED, day(21))], lambda t: Cadence.weekly(), (), held)
        # The meeting at the very end of day 7 falls in the second slot, not the first.
        assert [s.met for s in found] == [False, True, True]

    def test_a_meeting_later_on_the_day_its_slot_falls_due_meets_it(self) -> None:
        # Formed at 10:00: a meeting at 11:00 (or 23:59) on day 7 is on the day the first
        # slot falls due, so it meets that slot; the second slot is met by day 14's.
        held = (day(7) + timedelta(hours=1), day(14) + timedelta(hours=13, minutes=59))
        found = slots([Span(FORMED, day(21))], lambda t: Cadence.weekly(), (), held)
        assert [s.met for s in found] == [True, True, False]

    def test_two_meetings_in_one_slot_meet_it_once(self) -> None:
        found = slots([Span(FORMED, day(14))], lambda t: Cadence.weekly(), (), (day(1), day(2)))
        assert [s.met for s in found] == [True, False]

    def test_a_pause_drops_the_slot_under_way_and_restarts_the_clock(self) -> None:
        spans = active_spans(FORMED, None, [PauseFact(paused_at=day(10), resumed_at=day(20))],
                             day(40))  # fmt: skip
        assert spans == (Span(FORMED, day(10)), Span(day(20), day(40)))
        dues = [s.due for s in slots(spans, lambda t: Cadence.weekly(), (), ())]
        assert dues == [due(7), due(27), due(34)]

    def test_a_pause_not_yet_over_ends_the_active_time(self) -> None:
        spans = active_spans(FORMED, None, [PauseFact(paused_at=day(3))], day(40))
        assert spans == (Span(FORMED, day(3)),)

    def test_nothing_is_expected_while_no_cadence_is_in_force(self) -> None:
        found = slots([Span(FORMED, day(30))], lambda t: None if t < day(9) else Cadence.weekly(),
                      (day(9),), ())  # fmt: skip
        assert [s.due for s in found] == [due(16), due(23), due(30)]

    def test_an_unchanged_cadence_across_a_change_point_keeps_its_rhythm(self) -> None:
        found = slots([Span(FORMED, day(21))], lambda t: Cadence.weekly(), (day(10),), ())
        assert [s.due for s in found] == [due(7), due(14), due(21)]


class TestRelationshipFigures:
    def test_a_later_policy_takes_over_from_when_it_was_set(self) -> None:
        facts = active()
        first = PolicyFact(at=FORMED - WEEK, policy=policy(CadenceTier(cadence=Cadence.weekly())))
        second = PolicyFact(at=day(14), policy=policy(CadenceTier(cadence=Cadence.monthly())))
        period = ReportPeriod(start=FORMED.date(), end=day(60).date())
        result = relationship_figures(facts, (first, second), period, day(60))
        monthly = end_of_day(add_months(day(14), 1).date())
        assert [s.due for s in result.expected] == [due(7), due(14), monthly]

    def test_meetings_shorter_than_the_minimum_in_force_are_flagged_but_count(self) -> None:
        facts = active(meetings=(held(day(1), 59), held(day(8), 60)))
        result = figures(facts, day(15), policy(CadenceTier(cadence=Cadence.weekly())))
        assert (result.meetings_held, result.short_meetings, result.met_meetings) == (2, 1, 2)
        assert [m.short for m in result.meetings] == [True, False]

    def test_overdue_counts_from_the_last_meeting_or_the_resumption(self) -> None:
        weekly = policy(CadenceTier(cadence=Cadence.weekly()))
        facts = active(meetings=(held(day(1)),))
        # Due by the end of day 8: not late at any moment of that day, late the day after.
        assert figures(facts, day(8), weekly).meeting_overdue is False
        assert figures(facts, day(8.5), weekly).meeting_overdue is False
        late = figures(facts, day(9), weekly)
        assert (late.meeting_overdue, late.next_meeting_due) == (True, due(8))
        resumed = active(meetings=(held(day(1)),),
                         pauses=(PauseFact(paused_at=day(2), resumed_at=day(20)),))  # fmt: skip
        assert figures(resumed, day(26), weekly).meeting_overdue is False

    def test_a_paused_relationship_is_not_overdue(self) -> None:
        weekly = policy(CadenceTier(cadence=Cadence.weekly()))
        facts = active(status=RelationshipStatus.PAUSED, pauses=(PauseFact(paused_at=day(2)),))
        result = figures(facts, day(60), weekly)
        assert (result.meeting_overdue, result.review_overdue, result.expected_meetings) == (
            False,
            False,
            0,
        )

    def test_without_a_policy_overdue_follows_the_agreed_schedule(self) -> None:
        from mentoring_core.reports import ScheduleFact

        facts = active(schedules=(ScheduleFact(at=FORMED, cadence=Cadence.fortnightly()),))
        result = figures(facts, day(15))
        assert (result.expected_meetings, result.expected_meetings_agreed) == (0, 1)
        assert (result.meeting_overdue, result.next_meeting_due) == (True, due(14))

    def test_the_longest_gap_runs_to_the_report_moment_when_still_active(self) -> None:
        facts = active(meetings=(held(day(2)), held(day(5))))
        gap = figures(facts, day(30), policy(CadenceTier(cadence=Cadence.weekly()))).longest_gap
        assert gap is not None
        assert (gap.days, gap.start, gap.end) == (Decimal("25.0"), day(5), day(30))

    def test_missed_and_cancelled_meetings_meet_no_slot(self) -> None:
        missed = MeetingFact(meeting_id=UUID(int=1), outcome=MeetingOutcome.MISSED, at=day(1))
        cancelled = attrs.evolve(missed, meeting_id=UUID(int=2), outcome=MeetingOutcome.CANCELLED)
        facts = active(meetings=(missed, cancelled))
        result = figures(facts, day(8), policy(CadenceTier(cadence=Cadence.weekly())))
        assert (result.expected_meetings, result.met_meetings, result.adherence_pct) == (
            1,
            0,
            Decimal("0.0"),
        )


class TestFold:
    def test_an_event_folded_twice_counts_once(self) -> None:
        from mentoring_core.domain.events import MeetingHeld
        from mentoring_core.domain.values import MeetingFormat

        event = MeetingHeld(
            event_id=UUID(int=9), aggregate_id=UUID(int=7), version=2, occurred_at=day(1),
            recorded_at=day(1), actor="ana", meeting_id=UUID(int=3), duration_minutes=60,
            format=MeetingFormat.VIDEO, topics=(), attendees=(),
        )  # fmt: skip
        once = evolve_relationship_facts(active(), event)
        assert evolve_relationship_facts(once, event) is once
        assert len(once.meetings) == 1


class TestArithmetic:
    def test_days_and_percentages_round_half_up_to_one_place(self) -> None:
        assert days(timedelta(hours=3)) == Decimal("0.1")  # 0.125
        assert days(timedelta(hours=1, minutes=12)) == Decimal("0.1")  # 0.05 rounds up
        assert percent(2, 3) == Decimal("66.7")
        assert percent(1, 8) == Decimal("12.5")
        assert percent(0, 0) is None

    def test_nearest_rank(self) -> None:
        values = [Decimal(v) for v in (15, 20, 35, 40, 50)]
        assert nearest_rank(values, 50) == Decimal(35)
        assert nearest_rank(values, 90) == Decimal(50)
        assert nearest_rank(values[:4], 50) == Decimal(20)
        assert nearest_rank([], 50) is None


class TestPresets:
    @pytest.mark.parametrize("name", sorted(PRESETS))
    def test_every_preset_is_a_valid_policy_with_a_source(self, name: str) -> None:
        from mentoring_core.domain.programme import check_policy

        chosen = preset(name)
        assert check_policy(chosen.policy()) == chosen.policy()
        assert len(chosen.source) > 80

    def test_the_asye_preset_is_weekly_six_weeks_fortnightly_to_six_months_then_monthly(
        self,
    ) -> None:
        asye = preset("asye-newly-qualified-social-worker").policy()
        assert [asye.cadence_at_age(d).kind for d in (0, 41, 42, 181, 182, 400)] == [
            "weekly", "weekly", "fortnightly", "fortnightly", "monthly", "monthly",
        ]  # fmt: skip
        assert asye.minimum_meeting_minutes == 90

    def test_an_unknown_preset_names_the_known_ones(self) -> None:
        with pytest.raises(ValueError, match="monthly-supervision"):
            preset("weekly-forever")


class TestDueDays:
    def test_the_day_a_due_moment_ends_is_its_utc_day_in_any_zone(self) -> None:
        """A due moment is the midnight (UTC) ending its day; the day is read in UTC
        whatever the zone the moment is given in, or the machine's own (New York here)."""
        by_1_february = end_of_day(date(2026, 2, 1))
        with local_time_zone("America/New_York"):
            for moment in (by_1_february, by_1_february.astimezone(timezone(timedelta(hours=13)))):
                assert day_ended_by(moment) == date(2026, 2, 1)
            assert day_ended_by(by_1_february + timedelta(microseconds=1)) is None
