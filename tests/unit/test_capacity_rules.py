"""Capacity and duplicates: how many open relationships a mentor and a mentee may have.

Open relationships are those proposed, active or paused. Riverside's people are in
``scenarios.py``; Fay and Gus are two more mentees enrolled here.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import attrs
import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from scenarios import PEOPLE, POLICY, History, programme_history
from strategies import NOW

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.errors import InvalidValue, Rule, RuleViolation
from mentoring_core.domain.events import PolicySet
from mentoring_core.domain.pairing import decide_pairing
from mentoring_core.domain.relationship import decide_relationship
from mentoring_core.domain.relationship_state import (
    RelationshipState,
    evolve_relationship,
)
from mentoring_core.domain.values import DeclineReason, EndReason, ProgrammePolicy, Role
from mentoring_core.serialisation import EventMapper

MORE_PEOPLE = (*PEOPLE, ("fay", Role.MENTEE, Decimal(0)), ("gus", Role.MENTEE, Decimal(0)))


class Programme:
    """A programme and the relationships opened in it, decided as the service does."""

    def __init__(self, policy: ProgrammePolicy | None = POLICY) -> None:
        self.history: History = programme_history(policy=policy, people=MORE_PEOPLE)
        self.relationships: list[RelationshipState] = []

    def open(
        self, mentor: str, mentee: str, *, direct: bool = True, at: datetime | None = None
    ) -> RelationshipState:
        command = cmd.OpenRelationship(
            relationship_id=UUID(int=0xA000 + len(self.relationships)),
            mentor_id=mentor,
            mentee_id=mentee,
            direct=direct,
            occurred_at=at,
        )
        opening, registered = decide_pairing(
            command, self.history.state, RelationshipState(), self.history.ctx, self.relationships
        )
        self.history.apply(registered)
        state = evolve_relationship(RelationshipState(), opening)
        self.relationships.append(state)
        return state

    def refuse(
        self, mentor: str, mentee: str, rule: Rule, *named: str, at: datetime | None = None
    ) -> RuleViolation:
        count = len(self.relationships)
        with pytest.raises(RuleViolation) as info:
            self.open(mentor, mentee, at=at)
        assert info.value.rule is rule, str(info.value)
        for value in named:
            assert value in str(info.value), (value, str(info.value))
        assert len(self.relationships) == count
        return info.value

    def record(self, index: int, command: Any) -> None:
        state = self.relationships[index]
        for event in decide_relationship(command, state, self.history.ctx):
            state = evolve_relationship(state, event)
        self.relationships[index] = state


def with_limits(mentees: int | None = None, mentors: int | None = 1) -> Programme:
    return Programme(
        attrs.evolve(
            POLICY,
            max_mentees_per_mentor=mentees,
            max_active_mentors_per_mentee=mentors,
            minimum_experience_gap_years=Decimal(0),  # anyone may mentor anyone
        )
    )


ENDING = cmd.EndRelationship(reason=EndReason.COMPLETED, explanation="Done")
DECLINING = cmd.DeclinePairing(declined_by="ben", reason=DeclineReason.OTHER, explanation="No")


# --- The same pair twice ------------------------------------------------------------------


@pytest.mark.parametrize("direct", [True, False], ids=["formed", "proposed"])
def test_an_open_pair_is_not_opened_again(direct: bool) -> None:
    programme = Programme()
    first = programme.open("ana", "ben", direct=direct)
    programme.refuse(
        "ana",
        "ben",
        Rule.PAIR_ALREADY_OPEN,
        "'ana'",
        "'ben'",
        str(first.relationship_id),
        "already have an open relationship",
    )


def test_a_pair_may_be_opened_again_once_the_first_has_ended() -> None:
    programme = Programme()
    programme.open("ana", "ben")
    programme.record(0, ENDING)
    assert programme.open("ana", "ben").status.value == "active"


def test_a_pair_may_be_proposed_again_once_the_first_proposal_was_declined() -> None:
    programme = Programme()
    programme.open("ana", "ben", direct=False)
    programme.record(0, DECLINING)
    programme.open("ana", "ben", direct=False)


def test_a_pair_already_open_is_refused_even_without_a_policy() -> None:
    programme = Programme(policy=None)
    programme.open("ana", "ben")
    programme.refuse("ana", "ben", Rule.PAIR_ALREADY_OPEN)


# --- Dated openings: the relationships open at the opening's date or after it count ------

FIRST = NOW - timedelta(days=20)
CLOSED = NOW - timedelta(days=10)
INSIDE = NOW - timedelta(days=15)


def closed_at(closing: Any, *, direct: bool = True) -> Programme:
    """Ana and Ben's relationship opened 20 days before the clock, and ``closing`` (an
    ending or a declining) 10 days before it; the mentee limit is one mentor."""
    programme = with_limits(mentors=1)
    programme.open("ana", "ben", direct=direct, at=FIRST)
    programme.record(0, attrs.evolve(closing, occurred_at=CLOSED))
    return programme


@pytest.mark.parametrize(
    ("closing", "direct", "until"),
    [(ENDING, True, "ended"), (DECLINING, False, "declined")],
    ids=["ended", "declined"],
)
def test_a_pair_is_not_opened_again_dated_inside_the_first_one(
    closing: Any, direct: bool, until: str
) -> None:
    programme = closed_at(closing, direct=direct)
    first = programme.relationships[0].relationship_id
    programme.refuse(
        "ana",
        "ben",
        Rule.PAIR_ALREADY_OPEN,
        f"{first} (open until it {until} on {CLOSED.isoformat()})",
        f"dated {INSIDE.isoformat()}",
        at=INSIDE,
    )
    assert closed_at(closing, direct=direct).open("ana", "ben", at=CLOSED).relationship_id


def test_a_limit_counts_the_relationships_open_at_the_opening_s_date() -> None:
    programme = closed_at(ENDING)
    first = programme.relationships[0].relationship_id
    programme.refuse(
        "carla",
        "ben",
        Rule.MENTEE_MENTORS,
        "mentee 'ben' already has 1 open relationship(s)",
        f"{first} (open until it ended on {CLOSED.isoformat()})",
        at=INSIDE,
    )
    assert closed_at(ENDING).open("carla", "ben", at=CLOSED).relationship_id


# --- A mentor's mentees ---------------------------------------------------------------------


def test_a_mentor_carries_up_to_the_limit() -> None:
    programme = with_limits(mentees=2)
    programme.open("ana", "ben")
    programme.open("ana", "fay")  # the edge: 2 of 2
    error = programme.refuse(
        "ana", "gus", Rule.MENTOR_CAPACITY, "mentor 'ana'", "already has 2", "(2 mentees at once)"
    )
    assert str(programme.relationships[0].relationship_id) in str(error)


def test_a_mentor_limited_to_one_mentee() -> None:
    programme = with_limits(mentees=1)
    programme.open("ana", "ben")
    programme.refuse("ana", "fay", Rule.MENTOR_CAPACITY, "(1 mentees at once)")


def test_a_pending_proposal_counts_and_a_declined_or_ended_one_does_not() -> None:
    programme = with_limits(mentees=1)
    programme.open("ana", "ben", direct=False)
    programme.refuse("ana", "fay", Rule.MENTOR_CAPACITY)
    programme.record(0, DECLINING)
    programme.open("ana", "fay")
    programme.record(1, ENDING)
    programme.open("ana", "gus")


def test_a_paused_relationship_counts() -> None:
    programme = with_limits(mentees=1)
    programme.open("ana", "ben")
    programme.record(0, cmd.PauseRelationship(reason="Leave"))
    programme.refuse("ana", "fay", Rule.MENTOR_CAPACITY)


def test_by_default_a_mentor_carries_any_number() -> None:
    programme = Programme()
    for mentee in ("ben", "fay", "gus"):
        programme.open("ana", mentee)


# --- A mentee's mentors ---------------------------------------------------------------------


def test_by_default_a_mentee_has_one_mentor_at_a_time() -> None:
    assert POLICY.max_active_mentors_per_mentee == 1
    programme = Programme()
    programme.open("ana", "ben")
    programme.refuse(
        "carla", "ben", Rule.MENTEE_MENTORS, "mentee 'ben'", "already has 1", "(1 mentors at once)"
    )


def test_a_mentee_has_up_to_the_limit() -> None:
    programme = with_limits(mentors=2)
    programme.open("ana", "ben")
    programme.open("carla", "ben")  # the edge: 2 of 2
    programme.refuse("diego", "ben", Rule.MENTEE_MENTORS, "already has 2")


def test_a_programme_without_limits_or_policy_checks_none() -> None:
    for programme in (with_limits(mentees=None, mentors=None), Programme(policy=None)):
        programme.open("ana", "ben")
        programme.open("carla", "ben")
        programme.open("ana", "fay")


# --- The policy ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["max_mentees_per_mentor", "max_active_mentors_per_mentee"])
@pytest.mark.parametrize(("limit", "accepted"), [(0, False), (1, True), (None, True), (-1, False)])
def test_a_limit_is_a_positive_number_or_none(field: str, limit: Any, accepted: bool) -> None:
    history = programme_history(policy=None)  # the first policy: a value equal to none in force
    command = cmd.SetPolicy(policy=attrs.evolve(POLICY, **{field: limit}))
    if accepted:
        history.record(command)
        assert getattr(history.state.policy, field) == limit
    else:
        with pytest.raises(InvalidValue) as info:
            history.record(command)
        assert info.value.field == f"policy.{field}"


def test_a_policy_stored_before_the_limits_existed_reads_as_no_limit() -> None:
    """PolicySet version 2 records lack the limits: they are read as None (no limit)."""
    mapper = EventMapper(transcoder=JSONTranscoder())
    event = next(e for e in programme_history().events if isinstance(e, PolicySet))
    stored = mapper.to_stored_event(event)
    data = json.loads(stored.state)
    assert data["class_version"] == 4
    del data["policy"]["max_mentees_per_mentor"], data["policy"]["max_active_mentors_per_mentee"]
    del data["policy"]["retain_personal_data_years"]  # added by version 4
    data["class_version"] = 2
    old = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(data).encode(),
    )
    read = mapper.to_domain_event(old)
    assert isinstance(read, PolicySet)
    assert read.policy == attrs.evolve(
        POLICY, max_mentees_per_mentor=None, max_active_mentors_per_mentee=None
    )
    assert read.occurred_at <= NOW
