"""Deciding a command on a long relationship reads a state that does not grow with its
meetings (issue 15, target 4), and nothing is decided differently for it.

Snapshots and the service's cache hold a relationship without its meetings, feedback,
reflections and evaluations; a command is decided on that state unless it needs the
history (a correction, feedback about a meeting, a pause, an ending, or an id its caller
gave for a new record). Readers always get the whole state. The figures of what this
saves are in docs/performance.md (``benchmarks/bench.py``); these tests hold what must
not change.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast
from uuid import UUID, uuid4

import pytest

from mentoring_core import MentoringService, Rule, RuleViolation
from mentoring_core.serialisation import Snapshot
from mentoring_core.values import EndReason, FeedbackKind, MeetingFormat, Role

from .conftest import SteppingClock
from .test_service_contract import FIRST_MEETING, eventsourced, seed

INTERVAL = 5


def durable(store_url: str) -> None:
    """Skip on the memory store: the tests read what a fresh service finds on disk."""
    if store_url.startswith("memory:"):
        pytest.skip("a memory store lives and dies with its service")


def hold(
    service: MentoringService,
    pair: UUID,
    day: int,
    meeting_id: UUID | None = None,
    *,
    command_id: UUID | None = None,
) -> Any:
    """A meeting held ``day`` days after the first; what was recorded (``.id`` the
    meeting's id)."""
    return service.record_meeting_held(
        pair,
        45,
        MeetingFormat.ONE_ON_ONE,
        ["caseload"],
        meeting_id=meeting_id,
        actor="ana",
        occurred_at=FIRST_MEETING + timedelta(days=day),
        command_id=command_id,
    )


def latest_snapshot(service: MentoringService, aggregate_id: UUID) -> Snapshot:
    snapshots = eventsourced(service).snapshots
    assert snapshots is not None
    taken = list(snapshots.get(aggregate_id, desc=True, limit=1))
    assert taken, "no snapshot was taken"
    return cast(Snapshot, taken[0])


def test_snapshots_hold_no_history_and_readers_get_all_of_it(
    store_url: str, clock: SteppingClock
) -> None:
    durable(store_url)
    with MentoringService(store_url, clock=clock, snapshot_interval=INTERVAL) as service:
        seeded = seed(service)
        held = [hold(service, seeded.relationship, day).id for day in range(3, 3 + 3 * INTERVAL)]
    with MentoringService(store_url, clock=clock, snapshot_interval=INTERVAL) as fresh:
        state: Any = latest_snapshot(fresh, seeded.relationship).state
        assert not state.complete
        assert state.meetings == state.feedback == ()
        assert state.mentor_id == "ana" and state.goals  # what deciding needs stays
        whole = fresh.relationship(seeded.relationship)
        assert whole.complete
        assert {m.meeting_id for m in whole.meetings} >= set(held)
        assert len(whole.meetings) == len(held) + 2  # seed holds two
        assert whole.feedback  # seed gives some
        # a command decided on the state without history, then a reader again
        later = hold(fresh, seeded.relationship, 3 + 3 * INTERVAL).id
        again = fresh.relationship(seeded.relationship)
        assert again.meetings[-1].meeting_id == later
        assert again.version == whole.version + 1


def test_an_id_a_caller_gives_is_still_checked_against_the_whole_history(
    store_url: str, clock: SteppingClock
) -> None:
    durable(store_url)
    with MentoringService(store_url, clock=clock, snapshot_interval=INTERVAL) as service:
        seeded = seed(service)
        for day in range(3, 3 + 2 * INTERVAL):
            hold(service, seeded.relationship, day)
    with MentoringService(store_url, clock=clock, snapshot_interval=INTERVAL) as fresh:
        with pytest.raises(RuleViolation) as refused:
            hold(fresh, seeded.relationship, 40, meeting_id=seeded.meeting)
        assert refused.value.rule is Rule.UNIQUE_ID
        assert str(seeded.meeting) in str(refused.value)
        feedback = fresh.give_feedback(
            seeded.relationship,
            "ana",
            "ben",
            FeedbackKind.CONSTRUCTIVE,
            "Lead the next visit.",
            actor="ana",
        ).id
        with pytest.raises(RuleViolation) as twice:
            fresh.give_feedback(
                seeded.relationship,
                "ana",
                "ben",
                FeedbackKind.CONSTRUCTIVE,
                "Again.",
                feedback_id=feedback,
                actor="ana",
            )
        assert twice.value.rule is Rule.UNIQUE_ID


def test_rules_that_read_the_meetings_see_all_of_them_after_a_snapshot(
    store_url: str, clock: SteppingClock
) -> None:
    """A correction finds a meeting recorded before the snapshot, and an ending may not
    precede the latest meeting, which only the whole history knows."""
    durable(store_url)
    with MentoringService(store_url, clock=clock, snapshot_interval=INTERVAL) as service:
        seeded = seed(service)
        for day in range(3, 3 + 2 * INTERVAL):
            hold(service, seeded.relationship, day)
    with MentoringService(store_url, clock=clock, snapshot_interval=INTERVAL) as fresh:
        fresh.correct_meeting_record(
            seeded.relationship, seeded.meeting, "Was 50 minutes", duration_minutes=50, actor="ana"
        )
        corrected = fresh.relationship(seeded.relationship).meeting(seeded.meeting)
        assert corrected is not None and corrected.duration_minutes == 50
        latest_fact = clock()  # the seed's feedback and goal are dated by the clock
        held_last = latest_fact + timedelta(minutes=30)
        clock.now = held_last + timedelta(minutes=30)
        fresh.record_meeting_held(
            seeded.relationship,
            30,
            MeetingFormat.ONE_ON_ONE,
            [],
            actor="ana",
            occurred_at=held_last,
        )
        with pytest.raises(RuleViolation) as early:
            fresh.end(
                seeded.relationship,
                EndReason.COMPLETED,
                "Done",
                actor="ana",
                occurred_at=held_last - timedelta(minutes=10),
            )
        assert "the latest recorded meeting" in str(early.value)


def test_a_group_session_given_its_id_twice_is_refused_after_a_snapshot(
    store_url: str, clock: SteppingClock
) -> None:
    durable(store_url)
    with MentoringService(store_url, clock=clock, snapshot_interval=INTERVAL) as service:
        seeded = seed(service)
        before = FIRST_MEETING - timedelta(days=7)
        service.enrol(seeded.programme, "elif", Role.MENTEE, 2, actor="coord", occurred_at=before)
        other = service.form_pair(
            seeded.programme, "ana", "elif", actor="coord", occurred_at=before
        ).id
        session = uuid4()
        at = FIRST_MEETING + timedelta(days=30)

        def group(on: MentoringService) -> object:
            return on.record_group_session(
                seeded.programme,
                "ana",
                [seeded.relationship, other],
                60,
                ["peer learning"],
                session_id=session,
                actor="ana",
                occurred_at=at,
            )

        group(service)
        for hour in range(1, 2 * INTERVAL):
            service.record_meeting_held(
                other,
                30,
                MeetingFormat.ONE_ON_ONE,
                [],
                actor="ana",
                occurred_at=at + timedelta(days=hour),
            )
    with MentoringService(store_url, clock=clock, snapshot_interval=INTERVAL) as fresh:
        with pytest.raises(RuleViolation) as twice:
            group(fresh)
        assert twice.value.rule is Rule.UNIQUE_ID
