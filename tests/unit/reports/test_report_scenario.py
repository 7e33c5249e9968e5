"""Riverside's figures, worked out by hand (see ``report_scenario``), from a straight fold.

The events come from a memory store (no database); the fold and the figures
are the pure functions of ``mentoring_core.reports``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import cast

import pytest
from report_scenario import (
    AS_OF,
    PAIR_A,
    PAIR_B,
    PAIR_C,
    POLICY,
    PROGRAMME,
    SettableClock,
    at,
    record,
)

from mentoring_core import MentoringService
from mentoring_core.events import ProgrammeEvent, RelationshipEvent
from mentoring_core.reports import (
    ComplianceReport,
    ProgrammeFacts,
    RelationshipFacts,
    RelationshipFigures,
    compliance_report,
    end_of_day,
    fold_programme_facts,
    fold_relationship_facts,
)
from mentoring_core.values import Cadence, CadenceTier, EndReason, RelationshipStatus


def folded(service: MentoringService) -> tuple[ProgrammeFacts, list[RelationshipFacts]]:
    programme = fold_programme_facts(cast(list[ProgrammeEvent], service.history(PROGRAMME)))
    relationships = [
        fold_relationship_facts(cast(list[RelationshipEvent], service.history(r)))
        for r in programme.relationship_ids
    ]
    return programme, relationships


@pytest.fixture(scope="module")
def facts() -> tuple[ProgrammeFacts, list[RelationshipFacts]]:
    clock = SettableClock()
    with MentoringService("memory://", clock=clock) as service:
        record(service, clock)
        return folded(service)


@pytest.fixture(scope="module")
def report(facts: tuple[ProgrammeFacts, list[RelationshipFacts]]) -> ComplianceReport:
    return compliance_report(*facts, as_of=AS_OF)


def by(month: int, day: int) -> datetime:
    """The end of that day of 2026 (UTC): when a meeting or review due on it falls due."""
    return end_of_day(date(2026, month, day))


def pair(report: ComplianceReport, relationship_id: object) -> RelationshipFigures:
    return next(f for f in report.relationships if f.relationship_id == relationship_id)


class TestAnaAndBen:
    """Pair A: weekly to day 28 then fortnightly (policy); agreed weekly, fortnightly from
    9 Feb; paused 20 Feb to 6 Mar; the 10 Feb meeting corrected from 30 to 60 minutes."""

    def test_expected_meetings_follow_the_policy_tiers_and_restart_after_the_pause(
        self, report: ComplianceReport
    ) -> None:
        a = pair(report, PAIR_A)
        # Weekly from 5 Jan: due by the end of 12, 19, 26 Jan and 2 Feb (day 28, the tier's
        # last day counts). Fortnightly from 2 Feb: 16 Feb; 2 Mar falls in the pause and is
        # dropped. From the resumption on 6 Mar: 20 Mar, 3 Apr; 17 Apr is after the report.
        assert [s.due for s in a.expected] == [
            by(1, 12), by(1, 19), by(1, 26), by(2, 2), by(2, 16), by(3, 20), by(4, 3),
        ]  # fmt: skip
        # Met: 8 Jan, 15 Jan, 29 Jan, 10 Feb, 25 Mar held in their slots; the slot to
        # 26 Jan had only a missed meeting; the slot to 20 Mar only a cancelled one.
        assert [s.met for s in a.expected] == [True, True, False, True, True, False, True]
        assert (a.expected_meetings, a.met_meetings, a.adherence_pct) == (7, 5, Decimal("71.4"))

    def test_the_agreed_schedule_change_starts_fortnightly_slots_from_the_change(
        self, report: ComplianceReport
    ) -> None:
        a = pair(report, PAIR_A)
        # Agreed weekly from 5 Jan: 12, 19, 26 Jan, 2 Feb, 9 Feb (the change moment counts).
        # Fortnightly from 9 Feb: 23 Feb is in the pause. From 6 Mar: 20 Mar and 3 Apr.
        # The slot 2-9 Feb had no meeting (10 Feb came a day late): 4 of 7.
        assert (a.expected_meetings_agreed, a.met_meetings_agreed) == (7, 4)
        assert a.adherence_agreed_pct == Decimal("57.1")
        assert (a.agreed_cadence, a.policy_cadence) == ("fortnightly", "fortnightly")

    def test_meetings_hours_and_the_short_one(self, report: ComplianceReport) -> None:
        a = pair(report, PAIR_A)
        assert (a.meetings_held, a.meetings_missed, a.meetings_cancelled) == (5, 1, 1)
        # 60 + 60 + 45 + 60 (corrected from 30) + 90; only the 45-minute one is short.
        assert (a.mentoring_minutes, a.short_meetings) == (315, 1)
        assert [(m.month, m.meetings_held, m.mentoring_minutes) for m in a.months] == [
            ("2026-01", 3, 165),
            ("2026-02", 1, 60),
            ("2026-03", 1, 90),
            ("2026-04", 0, 0),
        ]

    def test_the_longest_gap_leaves_the_pause_out(self, report: ComplianceReport) -> None:
        a = pair(report, PAIR_A)
        # 10 Feb to 25 Mar is 43 days, 14 of them paused: 29 active days. The stretch
        # from 25 Mar to the report (21.1 days) is shorter.
        assert a.longest_gap is not None
        assert (a.longest_gap.days, a.longest_gap.start, a.longest_gap.end) == (
            Decimal("29.0"),
            at(2, 10),
            at(3, 25),
        )
        assert a.paused_days == Decimal("14.0")

    def test_a_meeting_and_a_review_are_overdue_on_the_report_day(
        self, report: ComplianceReport
    ) -> None:
        a = pair(report, PAIR_A)
        # Fortnightly now; last met 25 Mar, so due by the end of 8 Apr, before 15 Apr.
        assert (a.meeting_overdue, a.next_meeting_due) == (True, by(4, 8))
        # Reviews every 28 days: due 2 Feb (missed: the review came on 16 Feb); the pause
        # restarts the clock, so due 3 Apr from 6 Mar (missed, and overdue now).
        assert (a.reviews_due, a.reviews_met, a.reviews_done) == (2, 0, 1)
        assert (a.review_overdue, a.next_review_due) == (True, by(4, 3))

    def test_goals_feedback_and_reflections(self, report: ComplianceReport) -> None:
        a = pair(report, PAIR_A)
        # Goal 1 set 12 Jan, achieved 25 Mar; goal 2 set 10 Feb, due 1 Apr, still open.
        assert (a.goals_set, a.goals_achieved, a.goals_abandoned, a.goals_overdue) == (2, 1, 0, 1)
        assert (a.days_to_first_goal, a.days_to_first_meeting) == (Decimal("7.0"), Decimal("3.0"))
        assert (a.feedback_given, a.reflections_recorded) == (3, 1)

    def test_one_rating_and_no_goal_judged_give_no_trend(self, report: ComplianceReport) -> None:
        a = pair(report, PAIR_A)
        # Ben's one self-assessment (29 Jan, communication 3): first and latest 3.00; the
        # review of 16 Feb judged no goal: no on-track share. No plan items.
        assert (a.rating_first, a.rating_latest, a.rating_change, a.rating_trend) == (
            Decimal("3.00"),
            Decimal("3.00"),
            None,
            None,
        )
        assert (a.goal_progress_first_pct, a.goal_progress_trend) == (None, None)
        assert (a.activities_late, a.milestones_late) == (0, 0)
        assert [(m.month, m.scores, m.rating_mean, m.goals_judged) for m in a.trend_months] == [
            ("2026-01", 1, Decimal("3.00"), 0), ("2026-02", 0, None, 0),
            ("2026-03", 0, None, 0), ("2026-04", 0, None, 0),
        ]  # fmt: skip


class TestCarlaAndDan:
    """Pair B: proposed 10 Jan, accepted 12 Jan, no agreed schedule, Dan withdrew 20 Feb."""

    def test_expected_until_the_end_and_nothing_after(self, report: ComplianceReport) -> None:
        b = pair(report, PAIR_B)
        # Weekly from 12 Jan: 19, 26 Jan, 2 and 9 Feb; fortnightly from 9 Feb: 23 Feb is
        # after the end. Held 13 and 27 Jan: slots to 19 Jan and 2 Feb met.
        assert [(s.due, s.met) for s in b.expected] == [
            (by(1, 19), True), (by(1, 26), False), (by(2, 2), True), (by(2, 9), False),
        ]  # fmt: skip
        assert b.adherence_pct == Decimal("50.0")
        assert (b.expected_meetings_agreed, b.adherence_agreed_pct) == (0, None)
        assert (b.status, b.end_reason) == (RelationshipStatus.ENDED, EndReason.WITHDRAWN_BY_MENTEE)
        assert (b.meeting_overdue, b.review_overdue, b.next_meeting_due) == (False, False, None)
        assert b.longest_gap is not None and b.longest_gap.days == Decimal("24.0")
        # One review due (9 Feb), none done.
        assert (b.reviews_due, b.reviews_met) == (1, 0)


class TestTheProgramme:
    def test_status_counts(self, report: ComplianceReport) -> None:
        counts = report.programme.relationships
        assert (counts.proposed, counts.active, counts.withdrawn, counts.total) == (1, 1, 1, 3)
        assert (counts.paused, counts.completed, counts.rematched, counts.declined) == (0, 0, 0, 0)
        assert counts.left_organisation == 0

    def test_time_to_first_meeting_by_nearest_rank(self, report: ComplianceReport) -> None:
        p = report.programme
        # Days: B 1.0, A 3.0. Nearest rank: median is the 1st of 2, p90 the 2nd.
        assert (p.days_to_first_meeting_median, p.days_to_first_meeting_p90) == (
            Decimal("1.0"),
            Decimal("3.0"),
        )
        assert (p.first_meetings, p.awaiting_first_meeting) == (2, 0)

    def test_adherence_distribution(self, report: ComplianceReport) -> None:
        buckets = {b.low: b.count for b in report.programme.adherence}
        assert buckets == {0: 0, 10: 0, 20: 0, 30: 0, 40: 0, 50: 1, 60: 0, 70: 1, 80: 0, 90: 0}
        assert report.programme.without_expected_meetings == 1  # Eve's proposal

    def test_retention(self, report: ComplianceReport) -> None:
        # Ben (paired 5 Jan) is in mentoring on 5 Apr; Dan (12 Jan) withdrew before 12 Apr.
        # Nobody was paired six months before the report.
        retention = report.programme.retention
        assert [(r.months, r.cohort, r.retained, r.retained_pct) for r in retention] == [
            (3, 2, 1, Decimal("50.0")), (6, 0, 0, None), (12, 0, 0, None),
        ]  # fmt: skip
        # Dan withdrew: not a leaver of the organisation.
        assert [(r.left_organisation, r.retained_of_stayers_pct) for r in retention] == [
            (0, Decimal("50.0")), (0, None), (0, None),
        ]  # fmt: skip

    def test_load_totals_and_overdue(self, report: ComplianceReport) -> None:
        p = report.programme
        assert [(m.mentor_id, m.active_mentees) for m in p.mentor_load] == [
            ("ana", 1),
            ("carla", 0),
        ]
        assert (p.meetings_overdue, p.reviews_overdue) == (1, 1)
        assert (p.meetings_held, p.meetings_missed, p.meetings_cancelled) == (7, 1, 1)
        assert (p.short_meetings, p.mentoring_minutes) == (1, 435)
        assert [(m.month, m.mentoring_minutes, m.feedback_given) for m in p.months] == [
            ("2026-01", 285, 1), ("2026-02", 60, 1), ("2026-03", 90, 1), ("2026-04", 0, 0),
        ]  # fmt: skip

    def test_the_default_period_runs_from_creation_to_the_report_day(
        self, report: ComplianceReport
    ) -> None:
        assert (report.period.start, report.period.end) == (date(2026, 1, 1), date(2026, 4, 15))
        assert report.as_of == AS_OF
        assert report.programme.policy is not None
        assert report.programme.policy.startswith("weekly to day 28, then fortnightly")

    def test_the_proposal_has_no_expectations(self, report: ComplianceReport) -> None:
        c = pair(report, PAIR_C)
        assert (c.status, c.expected_meetings, c.adherence_pct, c.formed_at) == (
            RelationshipStatus.PROPOSED,
            0,
            None,
            None,
        )


class TestPeriodsAndPolicies:
    def test_a_period_counts_only_what_is_due_and_done_within_it(
        self, facts: tuple[ProgrammeFacts, list[RelationshipFacts]]
    ) -> None:
        march = compliance_report(
            *facts, as_of=AS_OF, start=date(2026, 3, 1), end=date(2026, 3, 31)
        )
        a = pair(march, PAIR_A)
        assert [s.due for s in a.expected] == [by(3, 20)]
        assert (a.meetings_held, a.meetings_cancelled, a.mentoring_minutes) == (1, 1, 90)
        # Paused from the start of March (00:00 UTC) to 6 Mar 10:00: 5 days 10 hours. The
        # longest gap, 1 Mar 00:00 to 25 Mar 10:00, less that pause: 19 active days.
        assert a.longest_gap is not None and a.longest_gap.days == Decimal("19.0")
        assert a.paused_days == Decimal("5.4")

    def test_a_given_policy_replaces_the_recorded_ones(
        self, facts: tuple[ProgrammeFacts, list[RelationshipFacts]]
    ) -> None:
        monthly = POLICY.__class__(
            cadence=(CadenceTier(cadence=Cadence.monthly()),),
            minimum_meeting_minutes=90,
            participation=POLICY.participation,
            minimum_experience_gap_years=POLICY.minimum_experience_gap_years,
            review_interval_days=365,
        )
        given = compliance_report(*facts, as_of=AS_OF, policy=monthly)
        a = pair(given, PAIR_A)
        # Monthly from 5 Jan: 5 Feb; 5 Mar is in the pause; from 6 Mar: 6 Apr.
        assert [(s.due, s.met) for s in a.expected] == [(by(2, 5), True), (by(4, 6), True)]
        assert a.short_meetings == 4  # every meeting but the 90-minute one
        assert given.policy_given

    def test_a_period_ending_before_it_starts_is_refused(
        self, facts: tuple[ProgrammeFacts, list[RelationshipFacts]]
    ) -> None:
        with pytest.raises(ValueError, match="period"):
            compliance_report(*facts, as_of=AS_OF, start=date(2026, 3, 1), end=date(2026, 2, 1))

    def test_a_naive_moment_is_refused(
        self, facts: tuple[ProgrammeFacts, list[RelationshipFacts]]
    ) -> None:
        with pytest.raises(ValueError, match="as_of"):
            compliance_report(*facts, as_of=datetime(2026, 4, 15))

    def test_the_moment_is_reported_in_utc(
        self, facts: tuple[ProgrammeFacts, list[RelationshipFacts]]
    ) -> None:
        from zoneinfo import ZoneInfo

        local = AS_OF.astimezone(ZoneInfo("Europe/London"))
        assert compliance_report(*facts, as_of=local).as_of.tzinfo is UTC
