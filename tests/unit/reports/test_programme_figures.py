"""The programme's figures at their edges: status counts, retention, mentors' load, policy words.

Sixteen relationships of one programme, built as facts (no store), with every
figure worked out by hand from ``docs/reports.md``. The period is the year 2025;
the report describes 1 April 2026 at midnight UTC (``AS_OF``).

Mentees and what happened to them (10:00 UTC unless said otherwise):

- zed: paired 20 Dec 2024, before the period: in no cohort.
- amy: paired at the period's first instant (1 Jan 2025 00:00), still active.
- bob: proposed to one mentor on 5 Jan (accepted only on 1 Sep), and paired
  directly with another on 1 Feb, still active.
- cal: paired 1 Feb, withdrew 1 Jun; paired again 1 Sep, still active.
- dee: paired 10 Feb, her mentor withdrew 10 Apr; paired again on 10 Aug, exactly
  six months after her first pairing.
- eve: paired 1 Mar, cancelled by the programme on 1 Jun, exactly three months later.
- fay: paired 5 Mar, completed 15 Apr.
- gus: paired 1 Oct 00:00, paused since 1 Nov: six months later is exactly ``AS_OF``.
- hal: paired 1 Jan 2026 00:00, the first instant after the period: in no cohort.
- ida: paired 1 Apr, rematched 1 May.
- jon: paired 1 May, completed early 1 Jun.
- kim: proposed 1 Jun, never answered; lou: proposed 2 Jun, declined.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from html_page import retention

from mentoring_core.reports import (
    ComplianceReport,
    PauseFact,
    PolicyFact,
    ProgrammeFacts,
    RelationshipFacts,
    StatusCounts,
    compliance_report,
    describe_policy,
    preset,
)
from mentoring_core.reports._figures import MentorLoad
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    EndReason,
    Participation,
    ProgrammePolicy,
    RelationshipStatus,
)

PROGRAMME = UUID(int=0xC0DE)
AS_OF = datetime(2026, 4, 1, tzinfo=UTC)
START, END = date(2025, 1, 1), date(2025, 12, 31)


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


_ids = iter(range(1, 1000))


def rel(
    mentee: str,
    mentor: str,
    formed: datetime | None,
    *,
    proposed: datetime | None = None,
    ended: datetime | None = None,
    reason: EndReason | None = None,
    status: RelationshipStatus | None = None,
    paused: datetime | None = None,
) -> RelationshipFacts:
    if status is None:
        status = RelationshipStatus.ACTIVE if ended is None else RelationshipStatus.ENDED
    return RelationshipFacts(
        relationship_id=UUID(int=next(_ids)),
        version=1,
        programme_id=PROGRAMME,
        mentor_id=mentor,
        mentee_id=mentee,
        status=status,
        proposed_at=proposed or formed,
        formed_at=formed,
        ended_at=ended,
        end_reason=reason,
        pauses=() if paused is None else (PauseFact(paused_at=paused),),
    )


RELATIONSHIPS = (
    rel("zed", "ana", at(2024, 12, 20)),
    rel("amy", "ana", at(2025, 1, 1, 0)),
    rel("bob", "ana", at(2025, 9, 1), proposed=at(2025, 1, 5)),
    rel("bob", "cy", at(2025, 2, 1)),
    rel("cal", "bo", at(2025, 2, 1), ended=at(2025, 6, 1), reason=EndReason.WITHDRAWN_BY_MENTEE),
    rel("cal", "cy", at(2025, 9, 1)),
    rel("dee", "dot", at(2025, 2, 10), ended=at(2025, 4, 10), reason=EndReason.WITHDRAWN_BY_MENTOR),
    rel("dee", "cy", at(2025, 8, 10)),
    rel("eve", "bo", at(2025, 3, 1), ended=at(2025, 6, 1), reason=EndReason.CANCELLED_BY_PROGRAMME),
    rel("fay", "dot", at(2025, 3, 5), ended=at(2025, 4, 15), reason=EndReason.COMPLETED),
    rel(
        "gus",
        "ana",
        at(2025, 10, 1, 0),
        status=RelationshipStatus.PAUSED,
        paused=at(2025, 11, 1),
    ),
    rel("hal", "bo", at(2026, 1, 1, 0)),
    rel("ida", "dot", at(2025, 4, 1), ended=at(2025, 5, 1), reason=EndReason.REMATCHED),
    rel("jon", "dot", at(2025, 5, 1), ended=at(2025, 6, 1), reason=EndReason.COMPLETED_EARLY),
    rel("kim", "dot", None, proposed=at(2025, 6, 1), status=RelationshipStatus.PROPOSED),
    rel("lou", "dot", None, proposed=at(2025, 6, 2), status=RelationshipStatus.DECLINED),
)


def programme(*policies: ProgrammePolicy) -> ProgrammeFacts:
    return ProgrammeFacts(
        programme_id=PROGRAMME,
        version=1,
        name="Northfield",
        organisation="Northfield Care",
        created_at=at(2024, 12, 1),
        policies=tuple(PolicyFact(at=at(2024, 12, 1), policy=p) for p in policies),
        relationship_ids=tuple(r.relationship_id for r in RELATIONSHIPS if r.relationship_id),
    )


@pytest.fixture
def report() -> ComplianceReport:
    # Built for each test (not once per module), so that each test runs the figures
    # it checks: mutation testing runs only the tests that call the mutated code.
    return compliance_report(programme(), RELATIONSHIPS, as_of=AS_OF, start=START, end=END)


def test_relationships_are_counted_by_where_they_stand_now(report: ComplianceReport) -> None:
    # active: zed, amy, bob x2, cal's second, dee's second, hal; paused: gus;
    # completed: fay (completed), jon (completed early); withdrawn: cal's first (by the
    # mentee), dee's first (by the mentor), eve (cancelled by the programme).
    assert report.programme.relationships == StatusCounts(
        proposed=1,
        active=7,
        paused=1,
        declined=1,
        completed=2,
        withdrawn=3,
        rematched=1,
        total=16,
    )


def test_retention_counts_each_cohort_at_its_checkpoint(report: ComplianceReport) -> None:
    # 3 months: amy, bob, cal, dee, eve, fay, gus, ida, jon; retained: amy, bob (the
    # pairing formed directly; the earlier proposal was accepted only later), cal, fay
    # (completed), gus (paused), jon (completed early). Not: dee (her first ended, her
    # second not formed yet), eve (ended exactly at the checkpoint), ida (rematched).
    # 6 months: the same cohort (gus's checkpoint is exactly now); cal is out (withdrawn,
    # paired again only later), dee is back in (paired again exactly at her checkpoint).
    # 12 months: amy, bob, cal, dee, eve, fay (gus, ida and jon are not a year old).
    assert report.programme.retention == (
        retention(3, 9, 6, Decimal("66.7")),
        retention(6, 9, 6, Decimal("66.7")),
        retention(12, 6, 5, Decimal("83.3")),
    )


def test_retention_with_no_cohort_has_no_percentage() -> None:
    report = compliance_report(
        programme(), RELATIONSHIPS, as_of=AS_OF, start=date(2026, 1, 1), end=date(2026, 3, 31)
    )
    # Only hal was paired in 2026's first quarter; his three-month checkpoint (1 Apr
    # 00:00) is exactly the report's moment, so he counts. Six and twelve: no cohort.
    assert report.programme.retention == (
        retention(3, 1, 1, Decimal("100.0")),
        retention(6, 0, 0, None),
        retention(12, 0, 0, None),
    )


def test_mentor_load_counts_active_mentees_busiest_first(report: ComplianceReport) -> None:
    # ana: zed, amy, bob (gus is paused); cy: bob, cal, dee; bo: hal; dot: none active.
    assert report.programme.mentor_load == (
        MentorLoad(mentor_id="ana", active_mentees=3),
        MentorLoad(mentor_id="cy", active_mentees=3),
        MentorLoad(mentor_id="bo", active_mentees=1),
        MentorLoad(mentor_id="dot", active_mentees=0),
    )


def _policy(*tiers: CadenceTier, minimum: int = 60, review: int = 182) -> ProgrammePolicy:
    return ProgrammePolicy(
        cadence=tiers,
        minimum_meeting_minutes=minimum,
        participation=Participation.VOLUNTARY,
        minimum_experience_gap_years=Decimal(0),
        review_interval_days=review,
    )


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        (
            preset("asye-newly-qualified-social-worker").policy(
                participation=Participation.COMPULSORY,
                minimum_experience_gap_years=Decimal(2),
            ),
            "weekly to day 42, fortnightly to day 182, then monthly; meetings of at least "
            "90 minutes; progress reviewed every 91 days",
        ),
        (
            _policy(
                CadenceTier(cadence=Cadence.weekly(), until_age_days=182),
                CadenceTier(cadence=Cadence.fortnightly()),
                review=90,
            ),
            "weekly to day 182, then fortnightly; meetings of at least 60 minutes; "
            "progress reviewed every 90 days",
        ),
        (
            _policy(CadenceTier(cadence=Cadence.every(61))),
            "every 61 days; meetings of at least 60 minutes; progress reviewed every 182 days",
        ),
    ],
)
def test_the_policy_in_force_is_described_in_words(policy: ProgrammePolicy, words: str) -> None:
    assert describe_policy(policy) == words
    report = compliance_report(programme(policy), RELATIONSHIPS, as_of=AS_OF, start=START, end=END)
    assert report.programme.policy == words


def test_no_policy_in_force_is_described_as_none(report: ComplianceReport) -> None:
    assert describe_policy(None) is None
    assert report.programme.policy is None
