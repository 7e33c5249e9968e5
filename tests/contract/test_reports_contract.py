"""Compliance reports on every store: the read model agrees with a straight fold, survives a
restart and a race, reproduces past reports, and writes every format."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import cast
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking
from report_scenario import AS_OF, MIDWAY, PAIR_A, PROGRAMME, SettableClock, record

from mentoring_core import InvalidValue, MentoringService, NotFound
from mentoring_core.events import ProgrammeEvent, RelationshipEvent
from mentoring_core.projections import (
    ComplianceFollower,
    ComplianceProjection,
    StoredFacts,
    build_compliance_report,
    build_mentor_time_report,
    write_compliance_report,
    write_mentor_time_report,
)
from mentoring_core.reports import (
    ComplianceReport,
    ProgrammeFacts,
    RelationshipFacts,
    compliance_report,
    fold_programme_facts,
    fold_relationship_facts,
)
from mentoring_core.values import FeedbackKind, FocusArea, MeetingFormat, Rating, RecognitionKind


@contextmanager
def opened(url: str, clock: SettableClock) -> Iterator[MentoringService]:
    with MentoringService(url, clock=clock) as service:
        yield service


def folded(service: MentoringService) -> tuple[ProgrammeFacts, tuple[RelationshipFacts, ...]]:
    programme = fold_programme_facts(cast(list[ProgrammeEvent], service.history(PROGRAMME)))
    relationships = tuple(
        fold_relationship_facts(cast(list[RelationshipEvent], service.history(r)))
        for r in programme.relationship_ids
    )
    return programme, relationships


def straight_fold(service: MentoringService) -> ComplianceReport:
    return compliance_report(*folded(service), as_of=AS_OF)


def sorted_facts(
    facts: tuple[ProgrammeFacts, tuple[RelationshipFacts, ...]],
) -> tuple[ProgrammeFacts, list[RelationshipFacts]]:
    return facts[0], sorted(facts[1], key=lambda r: str(r.relationship_id))


@pytest.fixture
def clock() -> SettableClock:  # overrides the contract clock: the scenario sets its own times
    return SettableClock()


@pytest.fixture
def service(store_url: str, clock: SettableClock) -> Iterator[MentoringService]:
    with opened(store_url, clock) as service:
        yield service


def test_the_live_report_is_the_straight_fold_report_with_the_worked_figures(
    service: MentoringService, clock: SettableClock
) -> None:
    record(service, clock)
    report = build_compliance_report(service, PROGRAMME, now=AS_OF)
    assert report == straight_fold(service)
    a = next(f for f in report.relationships if f.relationship_id == PAIR_A)
    assert (a.expected_meetings, a.met_meetings, a.adherence_pct) == (7, 5, Decimal("71.4"))
    assert (a.meeting_overdue, a.review_overdue, a.short_meetings) == (True, True, 1)
    assert report.programme.relationships.total == 3


def test_a_report_as_of_a_past_moment_is_the_one_produced_then(
    service: MentoringService, clock: SettableClock
) -> None:
    record(service, clock, until=MIDWAY)
    produced_then = write_compliance_report(service, PROGRAMME, format="json", now=MIDWAY)
    record(service, clock, after=MIDWAY)
    assert build_compliance_report(service, PROGRAMME, now=AS_OF) != json.loads(produced_then)
    reproduced = write_compliance_report(service, PROGRAMME, format="json", as_of=MIDWAY, now=AS_OF)
    assert reproduced == produced_then
    assert json.loads(reproduced)["programme"]["meetings_held"] == 6  # 8 Jan to 10 Feb


def test_a_live_report_given_a_past_now_counts_only_what_was_recorded_by_then(
    service: MentoringService, clock: SettableClock
) -> None:
    """The read model holds everything recorded since: a report "now" at a past moment
    counted the facts recorded after it (an ending a month later shown as of before it),
    with the same ``as_of`` printed as the report produced then, which said otherwise."""
    record(service, clock)
    assert clock.now > MIDWAY
    at_a_past_now = write_compliance_report(service, PROGRAMME, format="json", now=MIDWAY)
    produced_then = write_compliance_report(service, PROGRAMME, format="json", as_of=MIDWAY)
    assert at_a_past_now == produced_then
    with pytest.raises(InvalidValue) as naive:
        build_compliance_report(service, PROGRAMME, now=MIDWAY.replace(tzinfo=None))
    assert naive.value.field == "now"


def test_a_mentor_time_report_given_a_past_now_counts_only_what_was_recorded_by_then(
    service: MentoringService, clock: SettableClock
) -> None:
    """As the compliance report's: a past ``now`` read the read model, which holds what was
    recorded since, so the report for a closed month "now" on its first day counted an
    allowance and a meeting of that month recorded weeks later (and said ``as_of`` then)."""
    record(service, clock, until=MIDWAY)
    january = {"start": date(2026, 1, 1), "end": date(2026, 1, 31)}
    produced_then = write_mentor_time_report(
        service, PROGRAMME, format="json", now=MIDWAY, **january
    )
    clock.now = AS_OF
    service.recognise_mentor(
        PROGRAMME,
        "ana",
        RecognitionKind.ALLOWANCE,
        january["start"],
        january["end"],
        "January",
        amount=Decimal(50),
        actor="coord",
    )
    service.record_meeting_held(
        PAIR_A,
        60,
        MeetingFormat.ONE_ON_ONE,
        ["late"],
        actor="ana",
        occurred_at=datetime(2026, 1, 20, 10, tzinfo=UTC),
    )
    at_a_past_now = write_mentor_time_report(
        service, PROGRAMME, format="json", now=MIDWAY, **january
    )
    assert at_a_past_now == produced_then
    ana = build_mentor_time_report(service, PROGRAMME, now=AS_OF, **january).mentors[0]
    assert (ana.mentor_id, ana.allowance_amount, ana.minutes) == ("ana", Decimal(50), 225)


def test_a_stopped_projection_resumes_without_counting_twice_or_skipping(
    store_url: str, store_kind: str, clock: SettableClock
) -> None:
    with opened(store_url, clock) as service:
        record(service, clock)
        stopped = ComplianceProjection(service, batch_size=4)
        assert stopped.catch_up(limit=13) == 13
        view = stopped.view
        midway = stopped.position
        assert midway is not None
    # A new process: a new service on the same store (the memory store keeps its own).
    if store_kind == "memory":
        service_again = service
        resumed = ComplianceProjection(service_again, view=view, batch_size=7)
    else:
        service_again = MentoringService(store_url, clock=clock)
        resumed = ComplianceProjection(service_again, batch_size=7)
    try:
        assert resumed.position == midway
        last = service_again.store.recorder.max_notification_id()
        assert last is not None
        assert resumed.catch_up() == last - midway
        assert resumed.position == last
        assert resumed.catch_up() == 0
        assert sorted_facts(resumed.programme_facts(PROGRAMME)) == sorted_facts(
            folded(service_again)
        )
    finally:
        if service_again is not service:
            service_again.close()


def test_two_projections_racing_on_one_read_model_agree_with_the_fold(
    service: MentoringService, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    record(service, clock)
    first = ComplianceProjection(service, batch_size=3)
    second = ComplianceProjection(service, batch_size=5)
    first.catch_up(limit=6)
    save = first.view.save_facts

    def overtaken(rows: Sequence[StoredFacts], tracking: Tracking) -> None:
        """The second projection stores 20 events while the first is folding its batch."""
        monkeypatch.setattr(first.view, "save_facts", save)
        second.catch_up(limit=20)
        save(rows, tracking)

    monkeypatch.setattr(first.view, "save_facts", overtaken)
    # The first's batch 7-9 is refused (the read model is at 26): it starts again from 26.
    assert first.catch_up(limit=6) == 6
    assert (first.position, second.position) == (32, 32)
    second.catch_up(limit=5)
    first.catch_up()
    second.catch_up()
    assert sorted_facts(first.programme_facts(PROGRAMME)) == sorted_facts(folded(service))
    assert first.position == service.store.recorder.max_notification_id()


def test_new_events_are_folded_on_the_next_report(
    service: MentoringService, clock: SettableClock
) -> None:
    record(service, clock, until=MIDWAY)
    before = build_compliance_report(service, PROGRAMME, now=AS_OF)
    record(service, clock, after=MIDWAY)
    after = build_compliance_report(service, PROGRAMME, now=AS_OF)
    assert after.programme.meetings_held == before.programme.meetings_held + 1
    assert after == straight_fold(service)


def private_entries(service: MentoringService, clock: SettableClock, *, private: bool) -> None:
    """Ben's reflection and feedback to Ana on 1 April (Pair A is active)."""
    moment = AS_OF - timedelta(days=14)
    clock.now = moment + timedelta(hours=1)
    ratings = [Rating(focus_area=FocusArea.WELLBEING, score=1)]
    service.record_reflection(
        PAIR_A, ratings, "Not coping", private=private, actor="ben", occurred_at=moment
    )
    service.give_feedback(
        PAIR_A,
        "ben",
        "ana",
        FeedbackKind.CONSTRUCTIVE,
        "Too rushed",
        private=private,
        actor="ben",
        occurred_at=moment,
    )


def test_private_entries_count_in_no_report(
    service: MentoringService, clock: SettableClock
) -> None:
    """A private reflection or feedback is the pair's (``docs/reports.md``, "Private
    entries"): no report counts it, nor its scores, live or as of a moment, in any format."""
    record(service, clock)
    before = write_compliance_report(service, PROGRAMME, format="json", now=AS_OF)
    private_entries(service, clock, private=True)
    assert write_compliance_report(service, PROGRAMME, format="json", now=AS_OF) == before
    past = write_compliance_report(service, PROGRAMME, format="json", as_of=AS_OF, now=AS_OF)
    assert past == before
    private_entries(service, clock, private=False)
    shared = build_compliance_report(service, PROGRAMME, now=AS_OF)
    a = next(f for f in shared.relationships if f.relationship_id == PAIR_A)
    assert (a.reflections_recorded, a.feedback_given, a.rating_latest) == (2, 4, Decimal("1.00"))
    assert shared == straight_fold(service)


def test_every_format_is_written_to_a_file(
    service: MentoringService, clock: SettableClock, tmp_path: Path
) -> None:
    record(service, clock)
    for fmt in ("html", "csv", "json"):
        out = tmp_path / f"report.{fmt}"
        text = write_compliance_report(service, PROGRAMME, format=fmt, out=out, now=AS_OF)
        assert out.read_bytes() == text.encode("utf-8")
    assert "id='relationships'" in (tmp_path / "report.html").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text("utf-8"))))
    assert len(rows) == 3
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["programme"]["mentoring_minutes"] == 435


def test_an_unknown_programme_or_a_future_moment_is_refused(
    service: MentoringService, clock: SettableClock
) -> None:
    record(service, clock, until=MIDWAY)
    with pytest.raises(NotFound):
        build_compliance_report(service, UUID(int=99), now=AS_OF)
    with pytest.raises(NotFound):
        build_compliance_report(service, UUID(int=99), as_of=MIDWAY, now=AS_OF)
    with pytest.raises(NotFound):
        build_compliance_report(service, PAIR_A, as_of=MIDWAY, now=AS_OF)  # a relationship
    with pytest.raises(InvalidValue, match="as_of"):
        build_compliance_report(service, PROGRAMME, as_of=AS_OF, now=MIDWAY)


def test_a_programme_id_that_is_not_a_uuid_is_refused_naming_programme_id(
    service: MentoringService, clock: SettableClock
) -> None:
    """The id as text is no id a programme is recorded under: refused as the service's
    queries refuse it, never "no programme with id ... is recorded" of a recorded one."""
    record(service, clock, until=MIDWAY)
    as_text = cast(UUID, str(PROGRAMME))
    period = {"start": date(2026, 1, 1), "end": date(2026, 1, 31)}
    for now in (AS_OF, MIDWAY):  # the read model, and the events recorded by then
        with pytest.raises(InvalidValue) as refused:
            build_compliance_report(service, as_text, now=now)
        assert refused.value.field == "programme_id"
        with pytest.raises(InvalidValue) as refused:
            build_mentor_time_report(service, as_text, now=now, **period)
        assert refused.value.field == "programme_id"
    with pytest.raises(InvalidValue) as refused:
        build_compliance_report(service, as_text, as_of=MIDWAY, now=AS_OF)
    assert refused.value.field == "programme_id"


def test_the_follower_keeps_the_read_model_up_to_date(
    service: MentoringService, clock: SettableClock
) -> None:
    record(service, clock, until=MIDWAY)
    with ComplianceFollower(service, poll_interval=0.05) as follower:
        follower.wait(service.store.recorder.max_notification_id(), timeout=10)
        clock.now = MIDWAY + timedelta(hours=1)
        service.record_meeting_held(
            PAIR_A, 60, MeetingFormat.VIDEO, [], actor="ana", occurred_at=MIDWAY
        )
        follower.wait(service.store.recorder.max_notification_id(), timeout=10)
    view = service.store.compliance_view()
    assert view.max_tracking_id(service.store.name) == (
        service.store.recorder.max_notification_id()
    )
    facts = ComplianceProjection(service, view=view).programme_facts(PROGRAMME)
    assert sorted_facts(facts) == sorted_facts(folded(service))
