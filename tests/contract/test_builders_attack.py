"""Attack: items built through twins (domain/_building.py) behave as those built by their
classes, in states folded, snapshotted, reloaded, copied and pickled."""

from __future__ import annotations

import copy
import pickle
import sqlite3
import weakref
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import pytest

from mentoring_core import MentoringService
from mentoring_core.domain import PROGRAMME, RELATIONSHIP
from mentoring_core.values import (
    EndReason,
    FeedbackKind,
    FocusArea,
    GoalProgress,
    MeetingFormat,
    ProgressStatus,
    Rating,
    Role,
)

from .conftest import SteppingClock
from .test_service_contract import FIRST_MEETING, seed


def long_relationship(service: MentoringService) -> tuple[UUID, UUID]:
    """A pair with well over 100 events, every item kind built, changed, corrected; and a
    programme with over 100 events too."""
    pair = seed(service)
    rel = pair.relationship
    when = FIRST_MEETING
    goals = []
    for n in range(6):
        goals.append(
            service.set_goal(
                rel,
                f"goal {n}",
                FocusArea.PROBLEM_SOLVING,
                "measured",
                date(2026, 12, 1),
                actor="ana",
            ).id
        )
    service.revise_goal(rel, goals[0], "better", title="goal zero", actor="ana")
    for n in range(30):
        when += timedelta(days=7)
        meeting = service.record_meeting_held(
            rel, 60, MeetingFormat.ONE_ON_ONE, [f"topic {n}"], actor="ana", occurred_at=when
        ).id
        if n % 5 == 0:
            service.correct_meeting_record(rel, meeting, "typo", duration_minutes=61, actor="ana")
        activity = service.add_plan_activity(
            rel, f"activity {n}", date(2026, 12, 1), goal_id=goals[n % 6], actor="ana"
        ).id
        if n % 2:
            service.complete_plan_activity(rel, activity, "done", actor="ana")
        service.give_feedback(
            rel, "ana", "ben", FeedbackKind.RECOGNITION, f"well done {n}", actor="ana"
        )
        if n % 10 == 0:
            milestone = service.set_milestone(rel, f"m{n}", date(2026, 11, 1), actor="ana").id
            service.reach_milestone(rel, milestone, "reached", actor="ana")
            service.record_reflection(
                rel, [Rating(focus_area=FocusArea.PROBLEM_SOLVING, score=3)], "ok", actor="ben"
            )
            service.evaluate_progress(
                rel,
                [GoalProgress(goal_id=goals[0], status=ProgressStatus.ON_TRACK)],
                "seen",
                actor="coord",
            )
    service.achieve_goal(rel, goals[1], "evidence", actor="ana")
    service.abandon_goal(rel, goals[2], "no longer", actor="ana")
    service.end(rel, EndReason.COMPLETED, "done", actor="coord")
    programme = pair.programme
    for n in range(60):
        service.enrol(programme, f"p{n}", Role.MENTEE, 0, actor="coord", occurred_at=FIRST_MEETING)
        if n % 2:
            service.withdraw(programme, f"p{n}", "left", actor="coord")
    for n in range(5):
        service.appoint_coordinator(programme, f"c{n}", actor="admin")
        if n % 2:
            service.relieve_coordinator(programme, f"c{n}", "moved", actor="admin")
    return rel, programme


def items_of(state: Any) -> list[Any]:
    found = []
    for field in attrs.fields(type(state)):
        value = getattr(state, field.name)
        values = value if isinstance(value, (tuple, frozenset)) else (value,)
        found.extend(v for v in values if attrs.has(type(v)))
    return found


def check_items_behave(state: Any, kinds: set[str]) -> int:
    items = items_of(state)
    for item in items:
        cls = type(item)
        rebuilt = cls(**{f.alias: getattr(item, f.name) for f in attrs.fields(cls)})
        assert item == rebuilt and hash(item) == hash(rebuilt) and repr(item) == repr(rebuilt)
        assert pickle.loads(pickle.dumps(item)) == item
        assert copy.deepcopy(item) == item and copy.copy(item) == item
        first = attrs.fields(cls)[0].name
        assert attrs.evolve(item, **{first: getattr(item, first)}) == item
        assert attrs.asdict(item) == attrs.asdict(rebuilt)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(item, first, None)
        if cls.__module__.endswith(("relationship_state", "programme")):
            with pytest.raises(TypeError):  # documented in docs/api.md: no __weakref__ slot
                weakref.ref(item)
            assert not hasattr(item, "__dict__")
            kinds.add(cls.__name__)
    assert pickle.loads(pickle.dumps(state)) == state
    assert copy.deepcopy(state) == state
    return len(items)


def test_long_histories_reload_from_snapshots_as_folded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'long.db'}"
    with MentoringService(
        url, clock=SteppingClock(datetime(2027, 1, 1, tzinfo=UTC)), snapshot_interval=50
    ) as service:
        rel, programme = long_relationship(service)
        live_rel, live_prog = service.relationship(rel), service.programme(programme)
        history = service.history(rel)
        prog_history = service.history(programme)
    assert len(history) > 130 and len(prog_history) > 100
    with sqlite3.connect(tmp_path / "long.db") as conn:
        snapshots = conn.execute("SELECT COUNT(*) FROM stored_snapshots").fetchone()[0]
    assert snapshots >= 4
    with MentoringService(url, trust_snapshots=True) as again:
        from_snapshot = again.relationship(rel), again.programme(programme)
    with MentoringService(url, trust_snapshots=False) as again:
        from_events = again.relationship(rel), again.programme(programme)
    folded_rel = RELATIONSHIP.fold(RELATIONSHIP.initial, list(history))
    folded_prog = PROGRAMME.fold(PROGRAMME.initial, list(prog_history))
    for whole in (from_snapshot, from_events):
        assert whole == (live_rel, live_prog)
    assert folded_rel == live_rel and folded_prog == live_prog
    kinds: set[str] = set()
    assert check_items_behave(live_rel, kinds) > 100
    assert check_items_behave(from_snapshot[0], kinds) > 100
    assert check_items_behave(live_prog, kinds) > 50
    assert check_items_behave(from_snapshot[1], kinds) > 50
    assert kinds >= {
        "Goal",
        "PlanActivity",
        "Milestone",
        "Meeting",
        "Feedback",
        "Reflection",
        "Evaluation",
        "Participant",
        "Appointment",
        "Ending",
    }
