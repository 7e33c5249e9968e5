"""Withdrawal is consistent: a participant with open relationships is not withdrawn, nor
withdrawn at a date when one of their relationships, closed since, was still open.

The service passes the programme's relationships (open: proposed, active or paused; and
closed, with when) in the decision context; the decision refuses the withdrawal and
names them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import attrs
import pytest
from scenarios import History, programme_history
from strategies import NOW

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.context import Attendance, RelationshipRef
from mentoring_core.domain.errors import Rule

ANA_AND_BEN = RelationshipRef(
    relationship_id=UUID(int=0xAB), mentor_id="ana", mentee_id="ben", status="active"
)
CARLA_AND_ELIF = RelationshipRef(
    relationship_id=UUID(int=0xCE), mentor_id="carla", mentee_id="elif", status="proposed"
)


def programme(*relationships: RelationshipRef) -> History:
    history = programme_history()
    history.ctx = attrs.evolve(history.ctx, relationships=relationships)
    return history


def withdraw(person: str) -> cmd.WithdrawParticipant:
    return cmd.WithdrawParticipant(person_id=person, reason="Left the service")


@pytest.mark.parametrize("person", ["ana", "ben"])
def test_a_participant_with_an_open_relationship_is_not_withdrawn(person: str) -> None:
    programme(ANA_AND_BEN, CARLA_AND_ELIF).refuse(
        withdraw(person),
        Rule.NO_OPEN_RELATIONSHIPS,
        f"{person!r} still has 1 open relationship(s)",
        f"{ANA_AND_BEN.relationship_id} (active, 'ana' mentoring 'ben')",
        "end it before withdrawing",
    )


def test_a_participant_with_a_proposal_is_told_to_decline_it() -> None:
    """A proposal is declined, not ended: the refusal says what the person can do."""
    programme(ANA_AND_BEN, CARLA_AND_ELIF).refuse(
        withdraw("elif"),
        Rule.NO_OPEN_RELATIONSHIPS,
        f"{CARLA_AND_ELIF.relationship_id} (proposed, 'carla' mentoring 'elif')",
        "decline it before withdrawing 'elif'",
    )


def test_a_participant_with_both_is_told_to_end_or_decline_them() -> None:
    ana_and_elif = attrs.evolve(ANA_AND_BEN, relationship_id=UUID(int=0xAE), mentee_id="elif")
    programme(ana_and_elif, CARLA_AND_ELIF).refuse(
        withdraw("elif"),
        Rule.NO_OPEN_RELATIONSHIPS,
        "end the active and paused ones and decline the proposed ones before withdrawing",
    )


def test_every_open_relationship_is_named() -> None:
    carla_and_ben = RelationshipRef(
        relationship_id=UUID(int=0xCB), mentor_id="carla", mentee_id="ben", status="paused"
    )
    error = programme(ANA_AND_BEN, CARLA_AND_ELIF, carla_and_ben).refuse(
        withdraw("ben"), Rule.NO_OPEN_RELATIONSHIPS, "2 open relationship(s)"
    )
    assert str(ANA_AND_BEN.relationship_id) in str(error)
    assert str(carla_and_ben.relationship_id) in str(error)
    assert f"'ben'), {carla_and_ben.relationship_id} (paused" in str(error)
    assert str(CARLA_AND_ELIF.relationship_id) not in str(error)


def test_a_participant_without_open_relationships_is_withdrawn() -> None:
    history = programme(ANA_AND_BEN, CARLA_AND_ELIF)
    history.record(withdraw("diego"))
    assert history.state.participant("diego") is None


def test_once_the_relationships_are_closed_the_participant_is_withdrawn() -> None:
    history = programme(CARLA_AND_ELIF)  # Ana and Ben's relationship has ended
    history.record(withdraw("ben"))
    assert history.state.participant("ben") is None


def test_someone_not_enrolled_is_refused_as_not_enrolled() -> None:
    programme(attrs.evolve(ANA_AND_BEN, mentee_id="zoe")).refuse(
        withdraw("zoe"), Rule.PARTICIPANT_ENROLLED, "'zoe' is not enrolled"
    )


def test_without_the_programme_s_relationships_nothing_is_checked() -> None:
    history = programme_history()
    assert history.ctx.relationships is None
    history.record(withdraw("ben"))


ENDED = NOW - timedelta(days=3)


@pytest.mark.parametrize("status", ["ended", "declined"])
def test_a_withdrawal_is_not_dated_while_a_relationship_closed_since_was_open(
    status: str,
) -> None:
    closed = attrs.evolve(ANA_AND_BEN, status=status, closed_at=ENDED)
    programme(closed, CARLA_AND_ELIF).refuse(
        attrs.evolve(withdraw("ana"), occurred_at=ENDED - timedelta(seconds=1)),
        Rule.TIMELINE,
        f"is before relationship {closed.relationship_id} of 'ana' was {status} on "
        + ENDED.isoformat(),
        f"allowed from {ENDED.isoformat()} on",
    )
    history = programme(closed, CARLA_AND_ELIF)
    history.record(attrs.evolve(withdraw("ana"), occurred_at=ENDED))
    assert history.state.participant("ana") is None


HELD = NOW - timedelta(days=10)


def attended(ref: RelationshipRef, person: str, meeting: int, held_at: datetime) -> RelationshipRef:
    seen = Attendance(meeting_id=UUID(int=meeting), held_at=held_at)
    return attrs.evolve(ref, last_attended={**ref.last_attended, person: seen})


def test_a_withdrawal_is_dated_after_the_latest_meeting_the_person_attended() -> None:
    """Diego attended meetings of two pairs: refused at or before the later one, naming it
    (not the earlier, nor another person's); recorded just after it."""
    ended = attrs.evolve(ANA_AND_BEN, status="ended", closed_at=HELD + timedelta(days=1))
    refs = (
        attended(ended, "diego", 1, HELD - timedelta(days=5)),
        attended(attended(CARLA_AND_ELIF, "diego", 2, HELD), "ana", 3, HELD + timedelta(days=3)),
    )
    for at in (HELD - timedelta(days=6), HELD - timedelta(days=1), HELD):
        programme(*refs).refuse(
            attrs.evolve(withdraw("diego"), occurred_at=at),
            Rule.TIMELINE,
            f"WithdrawParticipant dated {at.isoformat()} is not after meeting {UUID(int=2)} of "
            f"relationship {CARLA_AND_ELIF.relationship_id}, which 'diego' attended on "
            f"{HELD.isoformat()}; allowed after {HELD.isoformat()}",
        )
    history = programme(*refs)
    history.record(attrs.evolve(withdraw("diego"), occurred_at=HELD + timedelta(microseconds=1)))
    assert history.state.participant("diego") is None
