"""A command id names one command: sent again with another command, it is refused.

A retry (the same kind of command under the same id) is answered "already recorded"
with the first answer; a different command under an id already used recorded nothing
and was answered with what the id had recorded (review of the CLI, section A: a meeting
missed, or a goal set, reported as the meeting held before, and the goal's id printed
though no goal was stored). It is refused now, naming the command id, the aggregate and
what the id recorded there, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import attrs
import pytest

from mentoring_core import MentoringService, Recorded, Rule, RuleViolation, application
from mentoring_core import commands as c
from mentoring_core.domain.events import EVENT_TYPES
from mentoring_core.values import FocusArea, MeetingFormat, Role

from .test_service_contract import Seeded

Command = Callable[[MentoringService, UUID, UUID], Recorded]


def held(service: MentoringService, relationship: UUID, key: UUID) -> Recorded:
    return service.record_meeting_held(
        relationship, 60, MeetingFormat.VIDEO, ["handover"], actor="ana", command_id=key
    )


def missed(service: MentoringService, relationship: UUID, key: UUID) -> Recorded:
    return service.record_meeting_missed(
        relationship, "ben", "a different fact", actor="ana", command_id=key
    )


def goal(
    service: MentoringService, relationship: UUID, key: UUID, goal_id: UUID | None = None
) -> Recorded:
    return service.set_goal(
        relationship,
        "Chair a case conference",
        FocusArea.COMMUNICATION,
        "Chairs one unaided",
        date(2026, 12, 30),
        goal_id=goal_id,
        actor="ana",
        command_id=key,
    )


def paused(service: MentoringService, relationship: UUID, key: UUID) -> Recorded:
    return service.pause(relationship, "leave", actor="ana", command_id=key)


OTHERS: dict[str, Command] = {"meeting missed": missed, "goal set": goal, "pause": paused}


def refused(attempt: Callable[[], object]) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        attempt()
    assert info.value.rule is Rule.UNIQUE_ID
    return info.value


def names(error: RuleViolation, key: UUID, aggregate: UUID, event: str, version: int) -> None:
    text = str(error)
    for part in (str(key), str(aggregate), event, f"version {version}", "new command id"):
        assert part in text, (part, text)


@pytest.mark.parametrize("cached", [True, False], ids=["cached state", "read from the store"])
@pytest.mark.parametrize("other", OTHERS)
def test_a_command_id_reused_for_another_command_is_refused_naming_what_it_recorded(
    seeded: tuple[MentoringService, Seeded], other: str, cached: bool
) -> None:
    service, s = seeded
    key = uuid4()
    first = held(service, s.relationship, key)
    if not cached:
        service._forget_states()
    error = refused(lambda: OTHERS[other](service, s.relationship, key))
    names(error, key, s.relationship, "MeetingHeld", first.version)
    assert service.relationship(s.relationship).version == first.version  # nothing stored
    again = held(service, s.relationship, key)  # the retry of the first is still answered
    assert again.already_recorded and (again.id, again.events) == (first.id, first.events)


def test_a_programme_command_id_reused_for_another_command_is_refused(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, s = seeded
    key = uuid4()
    first = service.enrol(s.programme, "cai", Role.MENTEE, 0, actor="coord", command_id=key)
    error = refused(
        lambda: service.appoint_coordinator(s.programme, "cai", actor="c", command_id=key)
    )
    names(error, key, s.programme, "ParticipantEnrolled", first.version)
    assert service.programme(s.programme).coordinators == frozenset()


def test_the_id_of_an_opening_or_a_group_session_is_not_taken_by_another_command(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    service, s = seeded
    service.enrol(s.programme, "cai", Role.MENTEE, 0, actor="coord")
    opening = uuid4()
    pair = service.form_pair(s.programme, "ana", "cai", actor="coord", command_id=opening)
    error = refused(lambda: goal(service, pair.id, opening))
    names(error, opening, pair.id, "PairFormed", 1)
    session = uuid4()
    group = service.record_group_session(
        s.programme, "ana", [s.relationship, pair.id], 60, ["handovers"], actor="ana",
        command_id=session,
    )  # fmt: skip
    error = refused(lambda: missed(service, s.relationship, session))
    names(error, session, s.relationship, "MeetingHeld", group.version)
    assert service.relationship(s.relationship).version == group.version


def test_a_proposal_under_a_formed_pair_s_id_and_the_converse_are_refused(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    """A pairing proposed (to be accepted) and a pair formed at once are two commands: the
    proposal was answered "already recorded" with the pair formed under its id (another
    mentee, active), the caller told its proposal existed."""
    service, s = seeded
    for person in ("cai", "dee", "eli"):
        service.enrol(s.programme, person, Role.MENTEE, 0, actor="coord")
    formed_key, proposed_key = uuid4(), uuid4()
    formed = service.form_pair(s.programme, "ana", "cai", actor="coord", command_id=formed_key)
    proposed = service.propose_pairing(
        s.programme, "ana", "dee", actor="coord", command_id=proposed_key
    )
    as_proposal = refused(
        lambda: service.propose_pairing(
            s.programme, "ana", "eli", actor="coord", command_id=formed_key
        )
    )
    names(as_proposal, formed_key, formed.id, "PairFormed", 1)
    assert "proposed" in str(as_proposal)
    as_formed = refused(
        lambda: service.form_pair(s.programme, "ana", "eli", actor="coord", command_id=proposed_key)
    )
    names(as_formed, proposed_key, proposed.id, "PairingProposed", 1)
    again = service.form_pair(s.programme, "ana", "cai", actor="coord", command_id=formed_key)
    assert again.already_recorded and again.id == formed.id


def test_a_retry_with_another_body_is_answered_with_what_the_first_created(
    seeded: tuple[MentoringService, Seeded],
) -> None:
    """The id of the first answer, which the store holds, not the id the retry names."""
    service, s = seeded
    key, first_goal = uuid4(), uuid4()
    first = goal(service, s.relationship, key, first_goal)
    again = goal(service, s.relationship, key, uuid4())
    assert again.already_recorded and again.id == first.id == first_goal
    assert again.events == first.events
    by_service = goal(service, s.relationship, key)  # left to the service: derived from the key
    assert by_service.already_recorded and by_service.id == first_goal
    assert [g.goal_id for g in service.relationship(s.relationship).goals].count(first_goal) == 1


def test_another_command_stored_under_the_id_while_one_decides_is_refused(
    store_url: str, store_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found when the insert clashes (another service stored the other command under the
    id after this one looked for it): refused too, never answered as a retry of it."""
    if store_kind == "memory":
        pytest.skip("a memory store lives and dies with its service: no second service")
    from .test_service_contract import seed

    key = uuid4()
    with MentoringService(store_url) as first, MentoringService(store_url) as second:
        s = seed(first)
        recorder = second.store.recorder
        look = recorder.command_versions
        stored: list[Recorded] = []

        def look_then_race(aggregate_id: UUID, *args: Any, **kwargs: Any) -> Any:
            found = look(aggregate_id, *args, **kwargs)
            if not stored:
                stored.append(missed(first, s.relationship, key))
            return found

        monkeypatch.setattr(recorder, "command_versions", look_then_race)
        error = refused(lambda: held(second, s.relationship, key))
        history = first.history(s.relationship)
    names(error, key, s.relationship, "MeetingMissed", stored[0].version)
    assert history[-1].version == stored[0].version


def test_every_command_says_which_events_it_records() -> None:
    """The table a retry is checked against covers every command class, each with event
    types of the domain."""
    commands = {
        t
        for t in vars(c).values()
        if isinstance(t, type) and issubclass(t, c.Command) and attrs.has(t)
    }
    concrete = {t for t in commands if not any(issubclass(o, t) and o is not t for o in commands)}
    assert set(application._RECORDS) == concrete
    for command, recorded in application._RECORDS.items():
        assert recorded, command
        assert all(EVENT_TYPES.get(e.__name__) is e for e in recorded), command
