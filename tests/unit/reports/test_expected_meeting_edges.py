"""Expected meetings and reviews at their edges, each figure worked out by hand.

One pair forms on Monday 5 January 2026 at 10:00 UTC (``FORMED``); ``day(n)`` is
``n`` days later. Each test states what ``docs/reports.md`` says should be
expected, met, paused or overdue, and checks the report's figures against the
dates and counts worked out from that text, not from the code.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from test_report_schedule import FORMED, active, due, held

from mentoring_core.reports import (
    Gap,
    GoalFact,
    PauseFact,
    PolicyFact,
    RelationshipFacts,
    ReportPeriod,
    ScheduleFact,
    Span,
)
from mentoring_core.reports._figures import RelationshipFigures, relationship_figures
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    EndReason,
    GoalStatus,
    Participation,
    ProgrammePolicy,
    RelationshipStatus,
)

pair = active  # a pair formed at FORMED, active unless changed
HOUR = timedelta(hours=1)
INSTANT = timedelta(microseconds=1)
BEFORE = FORMED - timedelta(days=30)
"""When the policies of these tests were set: well before the pair formed."""


def day(n: float) -> datetime:
    return FORMED + timedelta(days=n)


def policy(cadence: Cadence, *, minimum: int = 60, review: int = 30) -> ProgrammePolicy:
    return ProgrammePolicy(
        cadence=(CadenceTier(cadence=cadence),),
        minimum_meeting_minutes=minimum,
        participation=Participation.VOLUNTARY,
        minimum_experience_gap_years=Decimal(0),
        review_interval_days=review,
    )


WEEKLY = policy(Cadence.weekly())
MONTHLY = policy(Cadence.monthly())


def report(
    facts: RelationshipFacts,
    as_of: datetime,
    policies: tuple[PolicyFact, ...] = (PolicyFact(at=BEFORE, policy=WEEKLY),),
    *,
    start: date | None = None,
    end: date | None = None,
) -> RelationshipFigures:
    period = ReportPeriod(start=start or FORMED.date(), end=end or as_of.date())
    return relationship_figures(facts, policies, period, as_of)


def dues(figures: RelationshipFigures) -> list[datetime]:
    return [slot.due for slot in figures.expected]


class TestEndings:
    def test_an_ending_drops_the_slot_under_way_and_nothing_is_expected_after_it(self) -> None:
        # Weekly from day 0: the slot [0, 7) is complete; [7, 14) is cut by the ending on
        # day 10, and nothing is expected after. The meeting on day 3 meets the one slot.
        ended = pair(
            status=RelationshipStatus.ENDED,
            ended_at=day(10),
            end_reason=EndReason.WITHDRAWN_BY_MENTEE,
            meetings=(held(day(3)),),
            schedules=(ScheduleFact(at=FORMED, cadence=Cadence.weekly()),),
        )
        figures = report(ended, day(30))
        assert dues(figures) == [due(7)]
        assert (figures.expected_meetings, figures.met_meetings) == (1, 1)
        assert figures.adherence_pct == Decimal("100.0")
        assert (figures.expected_meetings_agreed, figures.met_meetings_agreed) == (1, 1)
        assert figures.adherence_agreed_pct == Decimal("100.0")
        # The longest gap runs from the meeting to the ending, not to the report's moment.
        assert figures.longest_gap == Gap(days=Decimal("7.0"), start=day(3), end=day(10))
        # Ended relationships have no cadence now, and nothing is overdue.
        assert (figures.policy_cadence, figures.agreed_cadence) == (None, None)
        assert (figures.meeting_overdue, figures.next_meeting_due) == (False, None)
        assert (figures.review_overdue, figures.next_review_due) == (False, None)


class TestPolicies:
    def test_of_two_policies_set_at_one_moment_the_last_recorded_is_in_force(self) -> None:
        both = (PolicyFact(at=BEFORE, policy=MONTHLY), PolicyFact(at=BEFORE, policy=WEEKLY))
        figures = report(pair(), day(15), both)
        assert dues(figures) == [due(7), due(14)]
        assert figures.policy_cadence == "weekly"

    def test_a_new_policy_with_the_same_cadence_changes_nothing(self) -> None:
        # A second weekly policy (a longer minimum) from day 10: the slot [7, 14) under way
        # is kept, and the rhythm goes on from the pair's formation.
        longer = PolicyFact(at=day(10), policy=policy(Cadence.weekly(), minimum=90))
        figures = report(pair(), day(22), (PolicyFact(at=BEFORE, policy=WEEKLY), longer))
        assert dues(figures) == [due(7), due(14), due(21)]

    def test_a_new_cadence_drops_the_slot_under_way_and_starts_from_its_date(self) -> None:
        # Weekly, then every 10 days from day 10: [0, 7) due by the end of day 7; [7, 14)
        # dropped; then [10, 20) due by the end of day 20 and [20, 30) of day 30.
        every_ten = PolicyFact(at=day(10), policy=policy(Cadence.every(10)))
        figures = report(pair(), day(31), (PolicyFact(at=BEFORE, policy=WEEKLY), every_ten))
        assert dues(figures) == [due(7), due(20), due(30)]
        assert figures.policy_cadence == "every 10 days"

    def test_before_the_first_policy_nothing_is_expected(self) -> None:
        figures = report(pair(meetings=(held(day(1)),)), day(30), ())
        assert (figures.expected_meetings, figures.met_meetings) == (0, 0)
        assert figures.adherence_pct is None
        assert figures.policy_cadence is None
        assert (figures.reviews_due, figures.review_overdue, figures.next_review_due) == (
            0,
            False,
            None,
        )
        # Nothing agreed either: nothing can be overdue.
        assert (figures.meeting_overdue, figures.next_meeting_due) == (False, None)


class TestAgreedSchedule:
    def test_a_schedule_change_starts_the_new_cadence_from_its_date(self) -> None:
        # Weekly agreed at formation, fortnightly from day 10: [0, 7) due 7; [7, 14) is
        # dropped by the change; [10, 24) due 24; [24, 38) due 38. Held on days 2 and 20:
        # the first two are met, the third is not.
        facts = pair(
            schedules=(
                ScheduleFact(at=FORMED, cadence=Cadence.weekly()),
                ScheduleFact(at=day(10), cadence=Cadence.fortnightly()),
            ),
            meetings=(held(day(2)), held(day(20))),
        )
        figures = report(facts, day(40), ())
        assert (figures.expected_meetings_agreed, figures.met_meetings_agreed) == (3, 2)
        assert figures.adherence_agreed_pct == Decimal("66.7")
        assert figures.agreed_cadence == "fortnightly"
        # No policy in force: nothing expected by the policy, and overdue follows the agreed
        # cadence: fourteen days after the last meeting (day 20) is day 34, whose end is
        # before day 40.
        assert (figures.expected_meetings, figures.adherence_pct) == (0, None)
        assert (figures.meeting_overdue, figures.next_meeting_due) == (True, due(34))

    def test_of_two_schedules_agreed_at_one_moment_the_last_is_in_force(self) -> None:
        facts = pair(
            schedules=(
                ScheduleFact(at=FORMED, cadence=Cadence.monthly()),
                ScheduleFact(at=FORMED, cadence=Cadence.weekly()),
            )
        )
        figures = report(facts, day(15), ())
        assert figures.expected_meetings_agreed == 2
        assert figures.agreed_cadence == "weekly"

    def test_a_change_to_the_same_schedule_changes_nothing(self) -> None:
        facts = pair(
            schedules=(
                ScheduleFact(at=FORMED, cadence=Cadence.weekly()),
                ScheduleFact(at=day(10), cadence=Cadence.weekly()),
            )
        )
        assert report(facts, day(22), ()).expected_meetings_agreed == 3


class TestReviews:
    def test_reviews_are_expected_every_interval_and_met_by_an_evaluation_in_the_slot(
        self,
    ) -> None:
        # Every 30 days: slots [0, 30) due 30 and [30, 60) due 60. Evaluations on day 10
        # and day 29.5 both fall in the first: it is met once, the second is not met.
        facts = pair(reviews=(day(10), day(29.5)))
        figures = report(facts, day(65))
        assert (figures.reviews_due, figures.reviews_met, figures.reviews_done) == (2, 1, 2)
        # The next review was due 30 days after the last one, by the end of day 59.5,
        # before day 65.
        assert (figures.review_overdue, figures.next_review_due) == (True, due(59.5))

    def test_a_review_due_today_is_overdue_from_the_midnight_its_day_ends(self) -> None:
        # Reviewed on day 5: the next is due by the end of day 35, not overdue on it (its
        # last instant included), overdue from the midnight that ends it, as a goal is.
        for now, overdue in ((day(35), False), (due(35) - INSTANT, False), (due(35), True)):
            figures = report(pair(reviews=(day(5),)), now)
            assert (figures.review_overdue, figures.next_review_due) == (overdue, due(35))

    def test_a_new_review_interval_starts_from_the_policy_that_sets_it(self) -> None:
        # Every 30 days, then every 10 from day 40: due 30; [30, 60) dropped at day 40;
        # then due 50 and 60.
        tighter = PolicyFact(at=day(40), policy=policy(Cadence.weekly(), review=10))
        figures = report(pair(), day(65), (PolicyFact(at=BEFORE, policy=WEEKLY), tighter))
        assert figures.reviews_due == 3
        assert figures.reviews_met == 0
        # Nothing reviewed: ten days after the stretch's start (day 0) is long past.
        assert (figures.review_overdue, figures.next_review_due) == (True, due(10))


class TestPauses:
    def test_two_pauses_are_both_left_out_of_the_active_time(self) -> None:
        # Paused days 10-12 and 20-23.5: active [0, 10), [12, 20), [23.5, 30). Weekly:
        # due by the end of day 7, then [12, 19) by the end of day 19; [23.5, 30.5) is
        # not complete by day 30.
        facts = pair(
            pauses=(
                PauseFact(paused_at=day(10), resumed_at=day(12)),
                PauseFact(paused_at=day(20), resumed_at=day(23.5)),
            ),
            meetings=(held(day(5)),),
        )
        figures = report(facts, day(30))
        assert dues(figures) == [due(7), due(19)]
        assert (figures.met_meetings, figures.adherence_pct) == (1, Decimal("50.0"))
        assert figures.paused_days == Decimal("5.5")
        assert figures.pauses == (Span(day(10), day(12)), Span(day(20), day(23.5)))
        # From the meeting to now: 25 days, less 5.5 paused.
        assert figures.longest_gap == Gap(days=Decimal("19.5"), start=day(5), end=day(30))
        # The stretch under way began at the resumption (day 23.5), after the meeting.
        assert (figures.meeting_overdue, figures.next_meeting_due) == (False, due(30.5))

    def test_a_relationship_paused_through_the_whole_window(self) -> None:
        # Paused on day 2 (7 January) and never resumed; the period is February.
        paused = pair(
            status=RelationshipStatus.PAUSED,
            pauses=(PauseFact(paused_at=day(2)),),
            meetings=(held(day(1)),),
        )
        as_of = datetime(2026, 3, 10, 9, tzinfo=UTC)
        figures = report(paused, as_of, start=date(2026, 2, 1), end=date(2026, 2, 28))
        february = Span(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
        assert figures.paused_days == Decimal("28.0")
        assert figures.pauses == (february,)
        assert (figures.expected_meetings, figures.adherence_pct) == (0, None)
        assert (figures.reviews_due, figures.meetings_held) == (0, 0)
        # No active day in the window: the only stretch is all pause.
        assert figures.longest_gap == Gap(
            days=Decimal("0.0"), start=february.start, end=february.end
        )
        # A paused relationship still has its cadence now, but nothing is overdue.
        assert (figures.policy_cadence, figures.agreed_cadence) == ("weekly", None)
        assert (figures.meeting_overdue, figures.next_meeting_due) == (False, None)
        assert (figures.review_overdue, figures.next_review_due) == (False, None)


class TestBeforeFormation:
    def test_a_meeting_or_goal_dated_before_the_pair_formed_counts_zero_days(self) -> None:
        # A meeting on 3 January and a goal on 4 January, both before the 5 January
        # formation: zero days to each, and the meeting meets no slot (slots start at
        # formation).
        goal = GoalFact(goal_id=UUID(int=5), set_at=day(-1), target_date=date(2026, 6, 1))
        facts = pair(meetings=(held(day(-2)),), goals=(goal,))
        figures = report(facts, day(8), start=date(2026, 1, 1))
        assert figures.days_to_first_meeting == Decimal("0.0")
        assert figures.days_to_first_goal == Decimal("0.0")
        assert (figures.meetings_held, figures.goals_set) == (1, 1)
        assert (figures.expected_meetings, figures.met_meetings) == (1, 0)


class TestBoundaries:
    def test_a_meeting_is_overdue_from_the_midnight_its_slot_falls_due_unmet(self) -> None:
        # No meeting: the first slot is due by the end of day 7. At its last instant it is
        # neither expected nor overdue; at the midnight that ends it, it is expected and
        # unmet, and the meeting is overdue (a goal due that day is overdue then too).
        before = report(pair(), due(7) - INSTANT)
        assert (before.expected, before.meeting_overdue) == ((), False)
        then = report(pair(), due(7))
        assert [(s.due, s.met) for s in then.expected] == [(due(7), False)]
        assert (then.meeting_overdue, then.next_meeting_due) == (True, due(7))

    def test_a_slot_due_exactly_now_counts_and_a_meeting_held_exactly_now_is_in_the_period(
        self,
    ) -> None:
        # Due at the end of day 7 (the report's moment) counts; the meeting held exactly
        # then is in the period but falls in the next slot, so the slot due now is not met.
        figures = report(pair(meetings=(held(due(7)),)), due(7))
        assert [(s.due, s.met) for s in figures.expected] == [(due(7), False)]
        assert figures.meetings_held == 1
        # The next meeting is due a week after that day: not overdue.
        assert (figures.meeting_overdue, figures.next_meeting_due) == (False, due(15))

    def test_a_meeting_later_in_the_day_than_the_pair_formed_meets_its_slot(self) -> None:
        # Formed at 10:00 on a Monday, meeting every Monday at 11:00 for four weeks: each
        # meeting is on the day its slot falls due, so each meets it (the slots kept the
        # time of day the pair formed, and this pair showed 3 of 4).
        weekly_at_eleven = tuple(held(day(7 * k) + timedelta(hours=1)) for k in range(1, 5))
        figures = report(pair(meetings=weekly_at_eleven), day(29))
        assert [(s.due, s.met) for s in figures.expected] == [
            (due(7), True),
            (due(14), True),
            (due(21), True),
            (due(28), True),
        ]
        assert figures.adherence_pct == Decimal("100.0")
        # The next meeting is due a week after the last, by the end of that day.
        assert (figures.meeting_overdue, figures.next_meeting_due) == (False, due(35))

    def test_a_local_meeting_time_across_a_clock_change_loses_no_slot(self) -> None:
        # At 09:00 London time every Wednesday: 08:00 UTC until the clocks go back on
        # 25 October 2026, 09:00 UTC after. Formed at a meeting, on 7 October.
        formed = datetime(2026, 10, 7, 8, tzinfo=UTC)
        wednesdays = (formed + timedelta(weeks=k) for k in range(1, 6))
        meetings = tuple(held(w if w.month == 10 and w.day < 25 else w + HOUR) for w in wednesdays)
        facts = pair(proposed_at=formed, formed_at=formed, meetings=meetings)
        figures = report(facts, datetime(2026, 11, 12, tzinfo=UTC), start=formed.date())
        assert (figures.expected_meetings, figures.met_meetings) == (5, 5)
        # On the day after the change, between 08:00 and 09:00 UTC, nothing is overdue.
        before_the_meeting = datetime(2026, 10, 28, 8, 30, tzinfo=UTC)
        assert report(facts, before_the_meeting, start=formed.date()).meeting_overdue is False

    def test_a_slot_is_in_the_period_holding_the_day_it_falls_due_on(self) -> None:
        # Formed at midnight on 5 January: the first weekly slot falls due on 12 January
        # (at its end, midnight on the 13th), the next on the 19th.
        midnight = datetime(2026, 1, 5, tzinfo=UTC)
        facts = pair(proposed_at=midnight, formed_at=midnight)
        as_of = datetime(2026, 1, 27, tzinfo=UTC)
        in_it = report(facts, as_of, start=date(2026, 1, 5), end=date(2026, 1, 12))
        before = report(facts, as_of, start=date(2026, 1, 5), end=date(2026, 1, 11))
        after = report(facts, as_of, start=date(2026, 1, 13), end=date(2026, 1, 19))
        assert dues(in_it) == [datetime(2026, 1, 13, tzinfo=UTC)]
        assert dues(before) == []
        assert dues(after) == [datetime(2026, 1, 20, tzinfo=UTC)]

    def test_a_pair_formed_exactly_now_has_its_first_meeting_due_a_week_from_now(self) -> None:
        # Active from this very moment: the stretch under way starts now (docs: the next
        # meeting is due one interval after the start of the current active stretch).
        figures = report(pair(), FORMED)
        assert (figures.meeting_overdue, figures.next_meeting_due) == (False, due(7))
        assert (figures.review_overdue, figures.next_review_due) == (False, due(30))
        assert (figures.expected_meetings, figures.adherence_pct) == (0, None)

    def test_a_pair_resumed_exactly_now_counts_from_the_resumption(self) -> None:
        # Met on day 1, paused on day 3, resumed on day 20, the report's moment: the next
        # meeting is due a week after the resumption, the next review 30 days after it.
        resumed = pair(
            meetings=(held(day(1)),),
            pauses=(PauseFact(paused_at=day(3), resumed_at=day(20)),),
        )
        figures = report(resumed, day(20))
        assert (figures.meeting_overdue, figures.next_meeting_due) == (False, due(27))
        assert (figures.review_overdue, figures.next_review_due) == (False, due(50))

    def test_a_pause_resumed_the_moment_it_began_leaves_no_paused_stretch(self) -> None:
        blink = pair(pauses=(PauseFact(paused_at=day(3), resumed_at=day(3)),))
        figures = report(blink, day(14))
        assert (figures.pauses, figures.paused_days) == ((), Decimal("0.0"))
        # Still a pause: it drops the slot under way, and slots start again from day 3.
        assert dues(figures) == [due(10)]


class TestPeriodEdges:
    def test_only_pauses_overlapping_the_period_are_listed(self) -> None:
        # Period 12-18 January (days 6.6 to 13.6 from the formation at 10:00 on the 5th).
        # Listed: none of a pause that ended at the period's first instant, one before it,
        # and one that began at the midnight after it.
        first = datetime(2026, 1, 12, tzinfo=UTC)
        after = datetime(2026, 1, 19, tzinfo=UTC)
        facts = pair(
            pauses=(
                PauseFact(paused_at=day(1), resumed_at=day(2)),
                PauseFact(paused_at=day(3), resumed_at=first),
                PauseFact(paused_at=after, resumed_at=after + timedelta(days=1)),
            )
        )
        figures = report(facts, day(30), start=date(2026, 1, 12), end=date(2026, 1, 18))
        assert (figures.pauses, figures.paused_days) == ((), Decimal("0.0"))

    def test_goals_overdue_are_open_goals_whose_target_is_before_today(self) -> None:
        today = day(30).date()
        goals = (
            GoalFact(goal_id=UUID(int=1), set_at=day(1), target_date=today),
            GoalFact(
                goal_id=UUID(int=2),
                set_at=day(1),
                target_date=today - timedelta(days=1),
                status=GoalStatus.ACHIEVED,
                closed_at=day(20),
            ),
            GoalFact(goal_id=UUID(int=3), set_at=day(1), target_date=today - timedelta(days=1)),
            GoalFact(goal_id=UUID(int=4), set_at=day(1), target_date=today - timedelta(days=9)),
        )
        # Goals 3 and 4: open, due yesterday and nine days ago. Not goal 1 (due today) nor
        # goal 2 (achieved).
        assert report(pair(goals=goals), day(30)).goals_overdue == 2

    @pytest.mark.parametrize(
        ("status", "overdue"),
        [
            (RelationshipStatus.PAUSED, 1),
            (RelationshipStatus.ENDED, 0),
            (RelationshipStatus.DECLINED, 0),
            (RelationshipStatus.PROPOSED, 0),
        ],
    )
    def test_goals_are_overdue_only_in_a_relationship_carried_on(
        self, status: RelationshipStatus, overdue: int
    ) -> None:
        """An ended pair's goals stay open in its history, but nobody pursues them: not
        overdue for ever, as late plan activities are not, and as `due` does not list
        them."""
        late = GoalFact(goal_id=UUID(int=3), set_at=day(1), target_date=day(20).date())
        closed = {"ended_at": day(25)} if status is RelationshipStatus.ENDED else {}
        facts = pair(goals=(late,), status=status, **closed)
        assert report(facts, day(30)).goals_overdue == overdue

    def test_adherence_rounds_half_up(self) -> None:
        # 1 of 16 weekly slots met: 6.25 %, half up to 6.3 (not 6.2).
        figures = report(pair(meetings=(held(day(1)),)), day(113))
        assert (figures.expected_meetings, figures.met_meetings) == (16, 1)
        assert figures.adherence_pct == Decimal("6.3")
