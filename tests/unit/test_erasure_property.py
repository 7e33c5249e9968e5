"""Property: for any history and any set of people erased, the report's figures are
unchanged and no erased person's text can be read back through the public API.

Each example records the report scenario (tests/report_scenario.py) on a memory store,
then drawn texts about Ana (feedback to her) and Ben (goals, meetings, reflections,
feedback to him; his display name and contact are in the scenario), each marked with a
unique token; then erases a drawn set of people.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_scenario import (
    AS_OF,
    BEN_CONTACT,
    BEN_NAME,
    PAIR_A,
    PAIR_B,
    PAIR_C,
    PROGRAMME,
    SettableClock,
    record,
)
from strategies import ONE_LINE

from mentoring_core import MentoringService, event_to_dict
from mentoring_core.audit import timeline
from mentoring_core.projections import build_compliance_report
from mentoring_core.values import FeedbackKind, FocusArea, MeetingFormat, Rating

PEOPLE = ("ana", "ben", "carla", "dan", "eve")
Action = Callable[[MentoringService, str], Any]
RATING = [Rating(focus_area=FocusArea.WELLBEING, score=2)]

ACTIONS: dict[str, tuple[str, Action]] = {
    "goal": (
        "ben",
        lambda s, t: s.set_goal(PAIR_A, t, FocusArea.WELLBEING, t, date(2026, 9, 1), actor="ana"),
    ),
    "meeting": (
        "ben",
        lambda s, t: s.record_meeting_held(PAIR_A, 60, MeetingFormat.VIDEO, [t], actor="ana"),
    ),
    "reflection": ("ben", lambda s, t: s.record_reflection(PAIR_A, RATING, t, actor="ben")),
    "feedback to ben": (
        "ben",
        lambda s, t: s.give_feedback(
            PAIR_A, "ana", "ben", FeedbackKind.CONSTRUCTIVE, t, actor="ana"
        ),
    ),
    "feedback to ana": (
        "ana",
        lambda s, t: s.give_feedback(
            PAIR_A, "ben", "ana", FeedbackKind.RECOGNITION, t, actor="ben"
        ),
    ),
}
texts = st.text(ONE_LINE, max_size=20)  # goal titles and topics are one line


def _texts(value: object) -> list[str]:
    """Every text inside a value, as it is (not escaped)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []


def readable(service: MentoringService) -> str:
    """Everything the public API shows of the store, as one text."""
    shown: list[object] = []
    for aggregate in (PROGRAMME, PAIR_A, PAIR_B, PAIR_C):
        history = service.history(aggregate)
        shown += [json.dumps(event_to_dict(e), ensure_ascii=False) for e in history]
        shown += [value for e in history for value in _texts(attrs.asdict(e))]
        shown += [entry.description for entry in timeline(history)]
    shown.append(repr(service.programme(PROGRAMME)))
    shown += [repr(service.relationship(r)) for r in (PAIR_A, PAIR_B, PAIR_C)]
    shown += [repr(event) for _, event in service.read()]
    shown.append(repr(service.relationship_as_of(PAIR_A, service.now())))
    return "\n".join(map(str, shown))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    added=st.lists(st.tuples(st.sampled_from(sorted(ACTIONS)), texts), max_size=6),
    erased=st.sets(st.sampled_from(PEOPLE)),
)
def test_erasure_changes_no_figure_and_leaves_no_erased_text_readable(
    added: list[tuple[str, str]], erased: set[str]
) -> None:
    clock = SettableClock()
    with MentoringService("memory://", clock=clock, snapshot_interval=3) as service:
        record(service, clock)
        secrets = {BEN_NAME: "ben", BEN_CONTACT: "ben"}  # from his enrolment
        for number, (name, text) in enumerate(added):
            owner, act = ACTIONS[name]
            secret = f"secret-{number:02d}-{text}"
            clock.now += timedelta(minutes=1)
            act(service, secret)
            secrets[secret] = owner
        before = build_compliance_report(service, PROGRAMME, now=AS_OF)
        for person in sorted(erased):
            service.erase_person(person, "DSAR", actor="dpo")
        assert build_compliance_report(service, PROGRAMME, now=AS_OF) == before
        shown = readable(service)
        for secret, owner in secrets.items():
            assert (secret in shown) is (owner not in erased), (secret, owner)
