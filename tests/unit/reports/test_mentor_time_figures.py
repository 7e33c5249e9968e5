"""The mentor-time figures and group sessions in the compliance figures, hand-computed from
the definitions in docs/reports.md ("Group sessions", "Working hours", "Mentors' time")."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentoring_core import InvalidValue
from mentoring_core.reports import (
    MENTOR_TIME_COLUMNS,
    MeetingFact,
    PolicyFact,
    ProgrammeFacts,
    RecognitionFact,
    RelationshipFacts,
    compliance_report,
    mentor_time_report,
    render_mentor_time,
)
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    MeetingOutcome,
    Participation,
    ProgrammePolicy,
    RecognitionKind,
    RelationshipStatus,
)

P = UUID(int=1)
S = UUID(int=99)
JAN = datetime(2026, 1, 1, tzinfo=UTC)
AS_OF = datetime(2026, 2, 10, 12, tzinfo=UTC)
POLICY = ProgrammePolicy(
    cadence=(CadenceTier(cadence=Cadence.weekly()),),
    minimum_meeting_minutes=30,
    participation=Participation.VOLUNTARY,
    minimum_experience_gap_years=Decimal(2),
    review_interval_days=90,
    max_mentees_per_mentor=3,
)


def _at(day: int, month: int = 1) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


def _held(n: int, at: datetime, minutes: int, inside: bool | None = True,
          session: UUID | None = None) -> MeetingFact:  # fmt: skip
    return MeetingFact(meeting_id=UUID(int=n), outcome=MeetingOutcome.HELD, at=at,
                       minutes=minutes, in_working_hours=inside,
                       group_session_id=session)  # fmt: skip


def _pair(
    n: int, mentor: str, mentee: str, *meetings: MeetingFact, **more: object
) -> RelationshipFacts:
    facts = RelationshipFacts(relationship_id=UUID(int=n), version=9, programme_id=P,
                              mentor_id=mentor, mentee_id=mentee, status=RelationshipStatus.ACTIVE,
                              proposed_at=JAN, formed_at=JAN, meetings=meetings)  # fmt: skip
    return attrs.evolve(facts, **more)


PROGRAMME = ProgrammeFacts(
    programme_id=P, version=5, name="P", organisation="O", created_at=JAN,
    policies=(PolicyFact(at=JAN, policy=POLICY),),
    relationship_ids=(UUID(int=11), UUID(int=12), UUID(int=13), UUID(int=14)),
    recognitions=(
        RecognitionFact(person_id="ana", kind=RecognitionKind.ALLOWANCE,
                        period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
                        amount=Decimal("25.50"), recorded_at=AS_OF),
        RecognitionFact(person_id="ana", kind=RecognitionKind.TIME_IN_LIEU,
                        period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
                        hours=Decimal(2), recorded_at=AS_OF),
        RecognitionFact(person_id="ana", kind=RecognitionKind.CERTIFICATE,
                        period_start=date(2025, 1, 1), period_end=date(2025, 12, 31),
                        recorded_at=AS_OF),  # ends before the period: not shown
    ),
)  # fmt: skip

RELATIONSHIPS = (
    # ana leads a 120-minute group session on 20 January for ben, cy and dee
    _pair(11, "ana", "ben", _held(1, _at(20), 120, session=S), _held(2, _at(5), 60),
          _held(3, _at(25), 45, inside=False)),
    _pair(12, "ana", "cy", _held(4, _at(20), 120, session=S), _held(5, _at(3, 2), 30)),
    _pair(13, "ana", "dee", _held(6, _at(20), 120, session=S),
          ended_at=_at(28), status=RelationshipStatus.ENDED),
    # another mentor, one meeting out of the period (December) and one of unknown flag
    _pair(14, "eve", "fay", _held(7, datetime(2025, 12, 31, 23, 59, tzinfo=UTC), 60),
          _held(8, _at(10), 40, inside=None)),
)  # fmt: skip


def test_a_mentors_hours_count_a_group_session_once() -> None:
    report = mentor_time_report(PROGRAMME, RELATIONSHIPS, start=date(2026, 1, 1),
                                end=date(2026, 1, 31), as_of=AS_OF)  # fmt: skip
    ana, eve = report.mentors
    # ana in January: one-on-ones 60 + 45 (cy's 3 February is out); the session 120 once
    assert (ana.one_on_one_meetings, ana.one_on_one_minutes) == (2, 105)
    assert (ana.group_sessions, ana.group_minutes) == (1, 120)
    assert (ana.minutes, ana.hours) == (225, Decimal("3.75"))
    assert (ana.in_working_hours_minutes, ana.outside_working_hours_minutes) == (180, 45)
    # carried at the period's end: ben and cy (dee's ended on 28 January); the limit 3
    assert (ana.mentees_carried, ana.capacity, ana.free_capacity) == (2, 3, 1)
    assert (ana.allowance_amount, ana.time_in_lieu_hours) == (Decimal("25.50"), Decimal(2))
    assert (ana.certificates, ana.other_recognitions, len(ana.recognitions)) == (0, 0, 2)
    # eve: the December meeting is out; the meeting of unknown flag counts as in
    assert (eve.one_on_one_meetings, eve.minutes, eve.in_working_hours_minutes) == (1, 40, 40)
    assert (eve.allowance_amount, eve.time_in_lieu_hours) == (Decimal(0), Decimal(0))


def test_working_hours_per_relationship_and_programme() -> None:
    report = mentor_time_report(PROGRAMME, RELATIONSHIPS, start=date(2026, 1, 1),
                                end=date(2026, 1, 31), as_of=AS_OF)  # fmt: skip
    # the programme: 60, 120 (once), 45 (outside), 40 = 4 meetings, 265 minutes; in: 3 and 220
    whole = report.programme
    assert (whole.meetings, whole.minutes) == (4, 265)
    assert (whole.in_working_hours_meetings, whole.in_working_hours_minutes) == (3, 220)
    assert whole.in_working_hours_meetings_pct == Decimal("75.0")
    assert whole.in_working_hours_minutes_pct == Decimal("83.0")  # 220 / 265 = 83.02 %
    assert report.group_sessions == 1
    ben, cy, dee, fay = report.relationships
    # each mentee's participation counts the session once for them
    assert [r.group_sessions for r in (ben, cy, dee, fay)] == [1, 1, 1, 0]
    assert (ben.working_hours.meetings, ben.working_hours.minutes) == (3, 225)
    assert ben.working_hours.in_working_hours_meetings_pct == Decimal("66.7")
    assert cy.working_hours.meetings == 1


def test_the_csv_is_one_row_per_mentor() -> None:
    report = mentor_time_report(PROGRAMME, RELATIONSHIPS, start=date(2026, 1, 1),
                                end=date(2026, 1, 31), as_of=AS_OF)  # fmt: skip
    lines = render_mentor_time(report, "csv").splitlines()
    assert len(lines) == 3
    assert lines[1] == (
        f"{P},2026-01-01,2026-01-31,ana,2,105,1,120,225,3.75,180,45,2,3,1,25.50,2,0,0"
    )


def test_a_mentor_recognised_without_a_relationship_has_a_row() -> None:
    """A recognition is counted in the report whose period holds its last day: one of a
    mentor enrolled but not (yet) paired, an allowance for their training say, was in no
    report, the payroll CSV leaving the mentor out."""
    gil = RecognitionFact(person_id="gil", kind=RecognitionKind.ALLOWANCE,
                          period_start=date(2026, 1, 5), period_end=date(2026, 1, 9),
                          amount=Decimal(40), recorded_at=AS_OF)  # fmt: skip
    programme = attrs.evolve(PROGRAMME, recognitions=(*PROGRAMME.recognitions, gil))
    report = mentor_time_report(programme, RELATIONSHIPS, start=date(2026, 1, 1),
                                end=date(2026, 1, 31), as_of=AS_OF)  # fmt: skip
    assert [m.mentor_id for m in report.mentors] == ["ana", "eve", "gil"]
    row = report.mentors[2]
    assert (row.minutes, row.mentees_carried, row.capacity, row.free_capacity) == (0, 0, 3, 3)
    assert (row.allowance_amount, row.recognitions) == (Decimal(40), (gil,))
    february = mentor_time_report(programme, RELATIONSHIPS, start=date(2026, 2, 1),
                                  end=date(2026, 2, 28), as_of=AS_OF)  # fmt: skip
    assert [m.mentor_id for m in february.mentors] == ["ana", "eve"]  # nothing of gil's ends then


def test_the_compliance_report_counts_a_session_once_in_the_programmes_minutes() -> None:
    report = compliance_report(PROGRAMME, RELATIONSHIPS, as_of=AS_OF, start=date(2026, 1, 1),
                               end=date(2026, 1, 31))  # fmt: skip
    # per relationship, each mentee's session counts: ben 60 + 120 + 45, cy 120, dee 120
    assert [f.mentoring_minutes for f in report.relationships[:3]] == [225, 120, 120]
    assert report.programme.meetings_held == 6  # per relationship: ben 3, cy 1, dee 1, fay 1
    # the programme: 225 + 120 + 120 + 40 = 505, less the session's two repeats (240)
    assert report.programme.mentoring_minutes == 265


def test_the_docs_define_every_column_of_the_mentor_time_csv() -> None:
    doc = (Path(__file__).parents[3] / "docs" / "reports.md").read_text(encoding="utf-8")
    section = doc.split("## Mentors' time", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    named = [name for row in rows for name in re.findall(r"`([a-z_]+)`", row.split("|")[1])]
    assert named == [name for name, _ in MENTOR_TIME_COLUMNS]


_SESSIONS = [UUID(int=500 + i) for i in range(3)]


@st.composite
def _programmes(draw: st.DrawFn) -> tuple[RelationshipFacts, ...]:
    """Relationships of two mentors whose held meetings in January are drawn; a group session
    has the same time and length on every relationship of its mentor that it names."""
    sessions = {s: (_at(draw(st.integers(1, 31))), draw(st.integers(1, 240))) for s in _SESSIONS}
    pairs = []
    for n in range(draw(st.integers(1, 5))):
        mentor = draw(st.sampled_from(["ana", "eve"]))
        meetings = [
            _held(100 * n + i, _at(draw(st.integers(1, 31))), draw(st.integers(1, 240)),
                  inside=draw(st.booleans()))
            for i in range(draw(st.integers(0, 4)))
        ]  # fmt: skip
        for session in draw(st.sets(st.sampled_from(_SESSIONS))):
            at, minutes = sessions[session]
            own = UUID(int=session.int + (1000 if mentor == "eve" else 0))  # one mentor's
            meetings.append(_held(100 * n + 50 + session.int, at, minutes, session=own))
        pairs.append(_pair(11 + n, mentor, f"mentee{n}", *sorted(meetings, key=lambda m: m.at)))
    return tuple(pairs)


@given(_programmes())
def test_the_programme_counts_each_session_once_in_both_reports(
    relationships: tuple[RelationshipFacts, ...],
) -> None:
    january = {"start": date(2026, 1, 1), "end": date(2026, 1, 31)}
    time = mentor_time_report(PROGRAMME, relationships, as_of=AS_OF, **january)
    compliance = compliance_report(PROGRAMME, relationships, as_of=AS_OF, **january)
    assert compliance.programme.mentoring_minutes == time.programme.minutes
    assert time.programme.minutes == sum(m.minutes for m in time.mentors)
    every = [m for r in relationships for m in r.meetings]
    distinct = {m.group_session_id or m.meeting_id: m.minutes or 0 for m in every}
    assert time.programme.minutes == sum(distinct.values())
    assert sum(r.group_sessions for r in time.relationships) == sum(
        m.group_session_id is not None for m in every
    )


def test_a_period_ending_on_the_last_day_python_holds_is_refused_by_name() -> None:
    """Its next day is no date: an OverflowError, where the compliance report refused it."""
    with pytest.raises(InvalidValue) as refused:
        mentor_time_report(
            PROGRAMME, RELATIONSHIPS, start=date(2026, 1, 1), end=date.max, as_of=AS_OF
        )
    assert refused.value.field == "period_end"


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize(
    "given",
    [datetime(2026, 1, 1, tzinfo=UTC), "2026-01-01", None],
    ids=["datetime", "text", "none"],
)
def test_a_period_day_that_is_not_a_date_is_refused_by_name(field: str, given: object) -> None:
    """A datetime (a ``date`` to a type checker) or a text was compared with a date: a bare
    TypeError naming neither the field nor the value."""
    days: dict[str, object] = {"start": date(2026, 1, 1), "end": date(2026, 1, 31), field: given}
    with pytest.raises(InvalidValue) as refused:
        mentor_time_report(PROGRAMME, RELATIONSHIPS, as_of=AS_OF, **days)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.value) == (f"period_{field}", given)
    assert str(refused.value).endswith("; expected a date (a calendar day, not a datetime)")
