"""Group sessions and mentors' time on every store (issue 14, items 3 to 5): one command
writes a meeting on each relationship present in one transaction; a retry records nothing
again; the read model keeps the session and the working-hours flag, so the live reports
count the session once for the programme and the mentor."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest

from mentoring_core import InvalidValue, MentoringService, Rule, RuleViolation
from mentoring_core.projections import (
    build_compliance_report,
    build_mentor_time_report,
    facts_as_of,
)
from mentoring_core.reports import mentor_time_report
from mentoring_core.values import Cadence, MeetingFormat, MeetingSchedule, RecognitionKind, Role

from .conftest import SteppingClock

DAYTIME = MeetingSchedule(
    cadence=Cadence.weekly(), duration_minutes=60, format=MeetingFormat.ONE_ON_ONE
)


def _programme(service: MentoringService, clock: SteppingClock) -> tuple[UUID, UUID, UUID]:
    programme = service.create_programme("P", "Org", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
    for mentee in ("ben", "cy"):
        service.enrol(programme, mentee, Role.MENTEE, 1, actor="coord")
    ben = service.form_pair(programme, "ana", "ben", actor="coord").id
    cy = service.form_pair(programme, "ana", "cy", actor="coord").id
    clock.now += timedelta(days=2)
    return programme, ben, cy


def test_a_session_is_stored_once_on_each_pair_and_counted_once(
    store_url: str, clock: SteppingClock
) -> None:
    with MentoringService(store_url, clock=clock) as service:
        programme, ben, cy = _programme(service, clock)
        command_id = UUID(int=42)
        recorded = service.record_group_session(
            programme, "ana", [ben, cy], 90, ["handover"], actor="ana", command_id=command_id
        )
        again = service.record_group_session(
            programme, "ana", [ben, cy], 90, ["handover"], actor="ana", command_id=command_id
        )
        assert again.already_recorded and again.id == recorded.id
        for relationship in (ben, cy):
            (meeting,) = service.relationship(relationship).meetings
            assert meeting.format is MeetingFormat.GROUP and meeting.duration_minutes == 90
        assert len(recorded.positions) == 2
        service.record_meeting_held(
            ben, 30, MeetingFormat.PHONE, [], actor="ana", in_working_hours=False
        )
        service.recognise_mentor(
            programme, "ana", RecognitionKind.TIME_IN_LIEU, clock.now.date(), clock.now.date(),
            "Evening calls", hours=Decimal("0.5"), actor="coord",
        )  # fmt: skip
        now = clock()
        report = build_compliance_report(service, programme, now=now)
        assert report.programme.meetings_held == 3
        # each relationship counts the session as its own meeting: it meets the cadence
        assert {r.relationship_id: r.meetings_held for r in report.relationships} == {
            ben: 2,
            cy: 1,
        }
        assert all(r.days_to_first_meeting is not None for r in report.relationships)
        assert report.programme.mentoring_minutes == 120  # 90 once, and 30
        day = now.date()
        live = build_mentor_time_report(service, programme, start=day, end=day, now=now)
        folded = mentor_time_report(*facts_as_of(service, programme, now), start=day, end=day,
                                    as_of=now)  # fmt: skip
        assert live == folded  # the read model keeps what the fold gives
        (ana,) = live.mentors
        assert (ana.minutes, ana.group_sessions, ana.outside_working_hours_minutes) == (120, 1, 30)
        assert ana.time_in_lieu_hours == Decimal("0.5")


def test_meetings_recorded_late_take_the_schedule_in_force_when_they_were_held(
    store_url: str, clock: SteppingClock
) -> None:
    """A schedule in working hours, changed to evenings later; a meeting and a group
    session held before the change but recorded after it are in working hours."""
    with MentoringService(store_url, clock=clock) as service:
        programme, ben, cy = _programme(service, clock)
        day = clock.now
        clock.now += timedelta(days=5)
        for pair in (ben, cy):
            service.agree_schedule(pair, DAYTIME, actor="coord", occurred_at=day)
            service.change_schedule(pair, attrs.evolve(DAYTIME, in_working_hours=False),
                                    "evening shifts", actor="coord",
                                    occurred_at=day + timedelta(days=3))  # fmt: skip
        service.record_meeting_held(ben, 30, MeetingFormat.PHONE, [], actor="ana",
                                    occurred_at=day + timedelta(days=1))  # fmt: skip
        service.record_group_session(programme, "ana", [ben, cy], 90, [], actor="ana",
                                     occurred_at=day + timedelta(days=2))  # fmt: skip
        assert [m.in_working_hours for m in service.relationship(ben).meetings] == [True, True]
        assert [m.in_working_hours for m in service.relationship(cy).meetings] == [True]
        now = clock()
        start, end = day.date(), now.date()
        live = build_mentor_time_report(service, programme, start=start, end=end, now=now)
        folded = mentor_time_report(*facts_as_of(service, programme, now), start=start, end=end,
                                    as_of=now)  # fmt: skip
        assert live == folded
        (ana,) = live.mentors
        assert (ana.minutes, ana.outside_working_hours_minutes) == (120, 0)


def test_a_refused_session_records_nothing_on_any_pair(
    store_url: str, clock: SteppingClock
) -> None:
    with MentoringService(store_url, clock=clock) as service:
        programme, ben, cy = _programme(service, clock)
        service.pause(cy, "leave", actor="ana")
        with pytest.raises(RuleViolation):
            service.record_group_session(programme, "ana", [ben, cy], 60, [], actor="ana")
        with pytest.raises(InvalidValue):
            service.record_group_session(
                programme, "ana", [ben, cy], 60, [], actor="ana", expected_version=3
            )
        assert service.relationship(ben).meetings == ()
        assert len(service.history(ben)) == 1


def _session(store_url: str, clock: SteppingClock) -> tuple[MentoringService, Any]:
    """Ana's session with Ben, Cy and Dee (three relationships), recorded a day ago."""
    service = MentoringService(store_url, clock=clock)
    programme, ben, cy = _programme(service, clock)
    service.enrol(programme, "dee", Role.MENTEE, 1, actor="coord")
    dee = service.form_pair(programme, "ana", "dee", actor="coord").id
    clock.now += timedelta(days=1)
    held = clock.now - timedelta(hours=2)
    session = service.record_group_session(
        programme, "ana", [ben, cy, dee], 90, ["handover"], actor="ana", occurred_at=held
    ).id
    clock.now += timedelta(days=1)
    return service, (programme, session, held, (ben, cy, dee))


def _meetings(service: MentoringService, pairs: tuple[UUID, ...]) -> set[tuple[Any, ...]]:
    return {
        (m.group_session_id, m.occurred_at, m.duration_minutes, m.topics)
        for pair in pairs
        for m in service.relationship(pair).meetings
    }


def test_a_session_is_corrected_on_every_pair_at_once_never_one_alone(
    store_url: str, clock: SteppingClock
) -> None:
    """Correcting one relationship's meeting of a session moved it alone: the session's
    meetings then disagreed on its time (one session, two times)."""
    service, (programme, session, held, pairs) = _session(store_url, clock)
    with service:
        meeting = service.relationship(pairs[0]).meetings[0].meeting_id
        with pytest.raises(RuleViolation, match="group session") as refused:
            service.correct_meeting_record(
                pairs[0], meeting, "wrong hour", held_at=held - timedelta(hours=1), actor="ana"
            )
        assert refused.value.rule is Rule.GROUP_SESSION
        assert str(session) in str(refused.value) and "CorrectGroupSession" in str(refused.value)
        moved = held - timedelta(hours=1)
        command_id = UUID(int=77)
        corrected = service.correct_group_session(
            programme, session, "ana", list(pairs), "wrong hour", held_at=moved,
            duration_minutes=60, actor="ana", command_id=command_id,
        )  # fmt: skip
        assert [type(e).__name__ for e in corrected.events] == ["MeetingRecordCorrected"] * 3
        assert {e.aggregate_id for e in corrected.events} == set(pairs)
        assert _meetings(service, pairs) == {(session, moved, 60, ("handover",))}
        again = service.correct_group_session(
            programme, session, "ana", list(pairs), "wrong hour", held_at=moved,
            duration_minutes=60, actor="ana", command_id=command_id,
        )  # fmt: skip
        assert again.already_recorded and again.events == corrected.events
        report = build_compliance_report(service, programme, now=clock())
        assert report.programme.mentoring_minutes == 60  # the session once, corrected
    if store_url.startswith("memory"):
        return  # a memory store lives and dies with its service
    with MentoringService(store_url, trust_snapshots=False) as reopened:
        assert _meetings(reopened, pairs) == {(session, moved, 60, ("handover",))}


def test_a_session_correction_naming_too_few_or_other_pairs_records_nothing(
    store_url: str, clock: SteppingClock
) -> None:
    service, (programme, session, held, pairs) = _session(store_url, clock)
    with service:
        versions = [service.relationship(p).version for p in pairs]
        with pytest.raises(RuleViolation, match="name every relationship present"):
            service.correct_group_session(
                programme, session, "ana", list(pairs[:2]), "late", duration_minutes=45,
                actor="ana",
            )  # fmt: skip
        service.enrol(programme, "eve", Role.MENTEE, 1, actor="coord")
        eve = service.form_pair(programme, "ana", "eve", actor="coord").id
        with pytest.raises(RuleViolation, match=f"{eve} holds no meeting of group session"):
            service.correct_group_session(
                programme, session, "ana", [*pairs, eve], "late", duration_minutes=45,
                actor="ana",
            )  # fmt: skip
        # each pair's own rules: moved to before the others present were enrolled
        with pytest.raises(RuleViolation, match="attendee 'cy' was not enrolled"):
            service.correct_group_session(
                programme, session, "ana", list(pairs), "late",
                held_at=held - timedelta(days=30), actor="ana",
            )  # fmt: skip
        with pytest.raises(InvalidValue, match="held_at"):
            service.correct_group_session(
                programme, session, "ana", list(pairs), "late",
                held_at=held.replace(tzinfo=None), actor="ana",
            )  # fmt: skip
        with pytest.raises(RuleViolation, match="changes nothing") as unchanged:
            service.correct_group_session(
                programme, session, "ana", list(pairs), "again", held_at=held,
                duration_minutes=90, topics=["handover"], actor="ana",
            )  # fmt: skip
        assert unchanged.value.rule is Rule.CHANGES_SOMETHING
        assert "duration_minutes 90, topics 'handover', as already recorded" in str(unchanged.value)
        assert [service.relationship(p).version for p in pairs] == versions
        assert _meetings(service, pairs) == {(session, held, 90, ("handover",))}
