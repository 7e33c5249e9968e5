"""What is due (issue 14, item 1): ``mentoring_core.projections.due`` agrees with the
compliance report it is built on, sorts the most urgent first, and keeps to the window
and the person asked about."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from report_scenario import SettableClock, at

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.events import ParticipantWithdrawn
from mentoring_core.projections import build_compliance_report, due
from mentoring_core.reminders import owed, reminder_id
from mentoring_core.reports import DueItem, DueKind, end_of_day
from mentoring_core.values import (
    Cadence,
    CadenceTier,
    FocusArea,
    MeetingFormat,
    MeetingSchedule,
    Participation,
    ProgrammePolicy,
    ReminderReason,
    Role,
)

from .test_service_contract import FIRST_MEETING, seed


@pytest.fixture
def seeded(store_url: str) -> tuple[MentoringService, datetime]:
    service = MentoringService(store_url)
    seeded = seed(service)
    today = datetime.now(UTC).date()
    service.add_plan_activity(
        seeded.relationship, "Shadow a home visit", today + timedelta(days=5), actor="ana"
    )
    service.set_milestone(
        seeded.relationship, "First solo visit", today + timedelta(days=100), actor="ana"
    )
    return service, datetime.now(UTC)


def test_meetings_reviews_and_goals_due_are_the_reports_own(
    seeded: tuple[MentoringService, datetime],
) -> None:
    service, now = seeded
    items = due(service, now=now, within_days=3660)
    programme = service.programmes()[0].programme_id
    assert programme is not None
    report = build_compliance_report(service, programme, now=now)
    for row in report.relationships:
        mine = [i for i in items if i.relationship_id == row.relationship_id]
        meetings = [(i.due, i.overdue) for i in mine if i.kind is DueKind.MEETING]
        reviews = [(i.due, i.overdue) for i in mine if i.kind is DueKind.REVIEW]
        assert meetings == [(row.next_meeting_due, row.meeting_overdue)]
        assert reviews == (
            [] if row.next_review_due is None else [(row.next_review_due, row.review_overdue)]
        )
        overdue_goals = [i for i in mine if i.kind is DueKind.GOAL and i.overdue]
        assert len(overdue_goals) == row.goals_overdue == 1
    service.close()


def test_the_most_urgent_come_first_and_the_window_is_kept(
    seeded: tuple[MentoringService, datetime],
) -> None:
    service, now = seeded
    items = due(service, now=now, within_days=14)
    assert [i.overdue for i in items] == sorted((i.overdue for i in items), reverse=True)
    overdue = [i.due for i in items if i.overdue]
    upcoming = [i.due for i in items if not i.overdue]
    assert overdue == sorted(overdue) and upcoming == sorted(upcoming)
    kinds = {i.kind for i in items}
    assert DueKind.PLAN_ACTIVITY in kinds  # due in 5 days
    assert DueKind.MILESTONE not in kinds  # due in 100 days: outside the window
    assert all(i.overdue or i.due <= now + timedelta(days=14) for i in items)
    activity = next(i for i in items if i.kind is DueKind.PLAN_ACTIVITY)
    assert (activity.what, activity.due, activity.overdue) == (
        "Shadow a home visit",
        end_of_day(now.date() + timedelta(days=5)),
        False,
    )
    service.close()


def test_a_person_sees_their_relationships_and_a_stranger_nothing(
    seeded: tuple[MentoringService, datetime],
) -> None:
    service, now = seeded
    everything = due(service, now=now, within_days=3660)
    assert due(service, now=now, within_days=3660, person="ben") == everything
    assert due(service, now=now, within_days=3660, person="ana") == everything
    assert due(service, now=now, within_days=3660, person="someone.else") == ()
    service.close()


def _pairs_with_activities(
    service: MentoringService, clock: SettableClock, *pairs: tuple[str, str], days: int = 3
) -> UUID:
    """A programme created on 20 January 2026 (the clock then) with ``pairs`` (mentor,
    mentee) formed, each with a plan activity due ``days`` days later, named after the
    mentee; the programme's id."""
    clock.now = at(1, 20)
    programme = service.create_programme("P", "Org", actor="coord").id
    for mentor, mentee in pairs:
        if service.programme(programme).participant(mentor) is None:
            service.enrol(programme, mentor, Role.MENTOR, 10, actor="coord")
        service.enrol(programme, mentee, Role.MENTEE, 1, actor="coord")
        pair = service.form_pair(programme, mentor, mentee, actor="coord").id
        service.add_plan_activity(
            pair, mentee, clock.now.date() + timedelta(days=days), actor=mentor
        )
    return programme


def test_a_window_of_no_days_holds_what_falls_due_today(store_url: str) -> None:
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        _pairs_with_activities(service, clock, ("amara", "grace"), days=0)
        _pairs_with_activities(service, clock, ("amara", "hana"), days=1)
        listed = [i.what for i in due(service, within_days=0)]
    assert listed == ["grace"]


def test_the_window_is_fourteen_days_when_none_is_given(store_url: str) -> None:
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        _pairs_with_activities(service, clock, ("amara", "grace"), days=14)
        _pairs_with_activities(service, clock, ("amara", "hana"), days=15)
        listed = [i.what for i in due(service)]
    assert listed == ["grace"]


PEOPLE = ("cora", "amara", "grace", "jo", "dora")


def test_a_coordinator_sees_every_relationship_of_their_programmes_and_a_person_their_own(
    store_url: str,
) -> None:
    """Cora coordinates the first programme (Amara with Grace, Hal with Ivy); Amara also
    mentors Jo in the second, where Grace, Hal, Ivy and Cora have no part."""
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        first = _pairs_with_activities(service, clock, ("amara", "grace"), ("hal", "ivy"))
        _pairs_with_activities(service, clock, ("amara", "jo"))
        service.appoint_coordinator(first, "cora", actor="admin")
        seen = {p: sorted(i.what for i in due(service, person=p)) for p in PEOPLE}
        everything = sorted(i.what for i in due(service))
    assert everything == ["grace", "ivy", "jo"]
    assert seen == {
        "cora": ["grace", "ivy"],
        "amara": ["grace", "jo"],
        "grace": ["grace"],
        "jo": ["jo"],
        "dora": [],
    }


@pytest.mark.parametrize("days", [-1, 3661, True, 1.5])
def test_a_window_out_of_range_is_refused(days: object) -> None:
    with MentoringService("memory://") as service, pytest.raises(InvalidValue, match="within_days"):
        due(service, within_days=days)  # type: ignore[arg-type]


def _policy(cadence: Cadence) -> ProgrammePolicy:
    return ProgrammePolicy(
        cadence=(CadenceTier(cadence=cadence),),
        minimum_meeting_minutes=30,
        participation=Participation.COMPULSORY,
        minimum_experience_gap_years=Decimal(0),
        review_interval_days=90,
    )


def _recorded_with_changes_after(service: MentoringService, clock: SettableClock) -> None:
    """A pair whose dated items were open and late on 15 March, done on 1 April; items set
    on 1 May (dated in March), a meeting of 10 March recorded then, and a programme
    created then."""
    clock.now = at(1, 1)
    policy = _policy(Cadence.fortnightly())
    programme = service.create_programme("P", "Org", actor="coord").id
    service.set_policy(programme, policy, actor="coord")
    service.enrol(programme, "amara", Role.MENTOR, 10, actor="coord")
    service.enrol(programme, "grace", Role.MENTEE, 1, actor="coord")
    clock.now = at(2, 1)
    pair = service.form_pair(programme, "amara", "grace", actor="coord").id
    clock.now = at(2, 2)
    goal = service.set_goal(
        pair, "Chair", FocusArea.COMMUNICATION, "one", date(2026, 3, 1), actor="amara"
    ).id
    activity = service.add_plan_activity(pair, "Shadow", date(2026, 3, 5), actor="amara").id
    milestone = service.set_milestone(pair, "Solo", date(2026, 3, 10), actor="amara").id
    clock.now = at(4, 1)
    service.achieve_goal(pair, goal, "chaired", actor="amara")
    service.complete_plan_activity(pair, activity, "done", actor="amara")
    service.reach_milestone(pair, milestone, "done", actor="amara")
    clock.now = at(5, 1)
    service.set_goal(pair, "Lead", FocusArea.TEAMWORK, "one", date(2026, 3, 20), actor="amara")
    service.add_plan_activity(pair, "Later", date(2026, 3, 18), actor="amara")
    service.create_programme("Q", "Org", actor="coord")
    held = datetime(2026, 3, 10, 10, tzinfo=UTC)  # recorded late: unknown on 15 March
    service.record_meeting_held(
        pair, 60, MeetingFormat.ONE_ON_ONE, ["Rotas"], actor="amara", occurred_at=held
    )
    clock.now = at(6, 1)


def test_due_at_a_past_moment_is_what_was_recorded_by_then(store_url: str) -> None:
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        _recorded_with_changes_after(service, clock)
        asked = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
        items = due(service, now=asked, within_days=14)
        programme = service.programmes()[0].programme_id
        assert programme is not None
        assert due(service, programme_id=programme, now=asked, within_days=14) == items
        (row,) = build_compliance_report(service, programme, now=asked).relationships
        dated: list[DueItem] = [i for i in items if i.item_id is not None]
        assert sorted((i.kind, i.what, i.due.date(), i.overdue) for i in dated) == [
            (DueKind.GOAL, "Chair", date(2026, 3, 2), True),
            (DueKind.MILESTONE, "Solo", date(2026, 3, 11), True),
            (DueKind.PLAN_ACTIVITY, "Shadow", date(2026, 3, 6), True),
        ]
        assert (row.goals_overdue, row.activities_late, row.milestones_late) == (1, 1, 1)
        meetings = [(i.due, i.overdue) for i in items if i.kind is DueKind.MEETING]
        assert meetings == [(row.next_meeting_due, row.meeting_overdue)]
        assert meetings == [(end_of_day(date(2026, 2, 15)), True)]  # none held, as then known


def test_a_meeting_is_named_by_the_cadence_its_date_follows_and_keeps_its_reminder_id(
    store_url: str,
) -> None:
    clock = SettableClock()
    with MentoringService(store_url, clock=clock) as service:
        programme = service.create_programme("P", "Org", actor="coord").id
        service.set_policy(programme, _policy(Cadence.monthly()), actor="coord")
        service.enrol(programme, "amara", Role.MENTOR, 10, actor="coord")
        service.enrol(programme, "grace", Role.MENTEE, 1, actor="coord")
        pair = service.form_pair(programme, "amara", "grace", actor="coord").id
        weekly = MeetingSchedule(
            cadence=Cadence.weekly(), duration_minutes=60, format=MeetingFormat.ONE_ON_ONE
        )
        service.agree_schedule(pair, weekly, actor="amara")
        clock.now = at(1, 20)
        (meeting,) = [i for i in due(service, within_days=30) if i.kind is DueKind.MEETING]
        by_1_february = end_of_day(date(2026, 2, 1))
        assert (meeting.what, meeting.due, meeting.overdue) == ("monthly", by_1_february, False)
        reminders = owed([meeting], [], now=clock.now, within_days=30, quiet_days=None)
        issued_before = {  # as releases that named it by the agreed cadence derived them
            reminder_id(p, ReminderReason.DUE_SOON, pair, "meeting", by_1_february, "weekly")
            for p in ("amara", "grace")
        }
        assert {r.reminder_id for r in reminders} == issued_before


def test_what_is_due_now_is_read_from_the_read_model_not_folded_again(
    seeded: tuple[MentoringService, datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``now`` read from the clock a moment before the report reads it again is not "a
    past moment": nothing was recorded after it, so the read model holds what was
    recorded by then. Every ``due`` (and reminder run) given no ``now`` folded every
    event of every programme, and a report given the clock's ``now`` did too."""
    from mentoring_core.projections import _due, _reports

    def folded(*_: object, **__: object) -> None:
        raise AssertionError("folded every event again, where the read model holds them")

    monkeypatch.setattr(_reports, "facts_as_of", folded)
    monkeypatch.setattr(_due, "state_at", folded)
    service, _ = seeded
    programme = service.programmes()[0].programme_id
    assert programme is not None
    assert due(service, within_days=3660)
    build_compliance_report(service, programme, now=service.now())
    service.close()


def test_a_service_on_a_clock_of_its_own_reads_the_read_model_at_its_now(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service given a clock (a simulation, a replayed scenario, the benchmarks) records
    events at that clock's times, while the store stamps each link with the machine's. A
    report or due list at a ``now`` after every event recorded was taken for one of a past
    moment (the links were stamped later) and folded every event again: the
    benchmarks' "report from the read model" timed a fold. Records are judged recorded
    after ``now`` by the time their events were recorded, the time ``as_of`` reads."""
    from mentoring_core.projections import _due, _reports

    clock = SettableClock()
    clock.now = FIRST_MEETING + timedelta(days=25)
    service = MentoringService(store_url, clock=lambda: clock.now)
    seed(service)
    clock.now = FIRST_MEETING + timedelta(days=40)
    now = FIRST_MEETING + timedelta(days=30)  # after every event recorded, before the clock's
    programme = service.programmes()[0].programme_id
    assert programme is not None
    expected = build_compliance_report(service, programme, as_of=now, now=now)

    def folded(*_: object, **__: object) -> None:
        raise AssertionError("folded every event again, where the read model holds them")

    monkeypatch.setattr(_reports, "facts_as_of", folded)
    monkeypatch.setattr(_due, "state_at", folded)
    assert build_compliance_report(service, programme, now=now) == expected
    assert due(service, now=now, within_days=3660)
    service.close()


def test_a_mentor_withdrawn_while_their_pair_stayed_open_still_sees_its_items(
    tmp_path: Path,
) -> None:
    """Stores older than the rule refusing a withdrawal while a relationship is open hold
    such withdrawals (written here around the library). The due list of a person is that
    of the relationships in which they are the mentor or the mentee: Ana, withdrawn, is
    still Ben's mentor, and sees what is due in their pair, as Ben does (a programme was
    passed over for her, its items with it, once she was no longer enrolled)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with MentoringService(url) as service:
        seeded = seed(service)
        recorder = service.store.recorder
        version = service.programme(seeded.programme).version
        now = datetime.now(UTC)
        withdrawn = ParticipantWithdrawn(
            event_id=uuid4(),
            aggregate_id=seeded.programme,
            version=version + 1,
            occurred_at=now,
            recorded_at=now,
            actor="coord",
            person_id="ana",
            reason="Moved away",
        )
        recorder.insert_events([service.store.mapper.to_stored_event(withdrawn)])
    with MentoringService(url) as service:
        assert service.programme(seeded.programme).participant("ana") is None
        mine = due(service, person="ana", within_days=3660)
        theirs = due(service, person="ben", within_days=3660)
    assert mine and mine == theirs
