"""Who the retention rule leaves out as erased, from the events alone
(``mentoring_core.domain.retention.erased_since``): a person whose erasure is recorded,
with no role of theirs started since, whatever their key store holds (a row lost, or
withheld by an import)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from mentoring_core.domain.erasure import PersonalDataErased
from mentoring_core.domain.events import (
    CoordinatorAppointed,
    CoordinatorRelieved,
    Event,
    MeetingCancelled,
    ParticipantEnrolled,
    ParticipantWithdrawn,
    RelationshipOpened,
)
from mentoring_core.domain.personal import ErasureRule
from mentoring_core.domain.retention import erased_since
from mentoring_core.domain.values import Role

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def made(cls: type[Event], **fields: Any) -> Event:
    """An event of ``cls`` with ``fields``, its metadata made up (the rule reads none)."""
    return cls(
        event_id=UUID(int=1),
        aggregate_id=UUID(int=2),
        version=1,
        occurred_at=AT,
        recorded_at=AT,
        actor="coord",
        **fields,
    )


def erased(person: str) -> Event:
    return made(PersonalDataErased, person_id=person, rule=ErasureRule.REQUEST, reason="asked")


def enrolled(person: str) -> Event:
    return made(
        ParticipantEnrolled, person_id=person, role=Role.MENTEE, experience_years=Decimal(1)
    )


def appointed(person: str) -> Event:
    return made(CoordinatorAppointed, person_id=person)


def paired_as_mentor(person: str) -> Event:
    return made(RelationshipOpened, relationship_id=UUID(int=3), mentor_id=person, mentee_id="kim")


def paired_as_mentee(person: str) -> Event:
    return made(RelationshipOpened, relationship_id=UUID(int=3), mentor_id="kim", mentee_id=person)


def cancelled(person: str) -> Event:
    return made(MeetingCancelled, meeting_id=UUID(int=4), cancelled_by=person, reason="ill")


STARTS = [enrolled, appointed, paired_as_mentor, paired_as_mentee, cancelled]


def test_a_person_whose_erasure_is_recorded_is_erased_whatever_came_before() -> None:
    events = [enrolled("ben"), appointed("ben"), cancelled("ben"), erased("ben")]
    assert erased_since(events) == {"ben"}


def test_nobody_is_erased_without_a_recorded_erasure() -> None:
    assert erased_since([enrolled("ben"), cancelled("ana")]) == set()


@pytest.mark.parametrize("start", STARTS, ids=lambda start: start.__name__)
def test_a_role_started_after_the_erasure_holds_their_data_again(start: Any) -> None:
    """Enrolled, appointed, paired or cancelling a meeting after being erased: what is
    recorded about them since is not erased, and the rule counts it as for anyone."""
    assert erased_since([erased("ben"), erased("ana"), start("ben")]) == {"ana"}


def test_an_erasure_after_the_new_role_erases_the_person_again() -> None:
    assert erased_since([erased("ben"), enrolled("ben"), erased("ben")]) == {"ben"}


def test_the_end_of_a_role_held_when_erased_starts_nothing() -> None:
    """Erased on request while enrolled and appointed, then withdrawn and relieved: no new
    role, nothing new about them."""
    ended = [
        made(ParticipantWithdrawn, person_id="ben", reason="left"),
        made(CoordinatorRelieved, person_id="ben", reason="left"),
    ]
    assert erased_since([erased("ben"), *ended]) == {"ben"}
