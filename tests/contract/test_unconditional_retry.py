"""A command given no expected version records whatever the version (docs/api.md).

Two writers recording on one relationship at once, neither giving an expected version,
failed one in about half the rounds (review of the CLI, t_two_writers.sh): "conflict ...
the command expected version 28 but the stored history is now at version 29 ... reload
and retry", although the caller expected no version. Such a command, when another writer
stored a newer version first, is now decided again on the state read from the store (a
bounded number of times, then the conflict is raised); the rules are asked again, so it
is still refused if the new state breaks one. Given an expected version, it is refused
as before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

import pytest

from mentoring_core import (
    ConcurrencyConflict,
    MentoringService,
    Recorded,
    Rule,
    RuleViolation,
    application,
)
from mentoring_core.values import MeetingFormat

from .test_service_contract import seed


class Race:
    """A clock that, while a command is decided (its context reads the time), first runs
    ``action`` (another writer storing on the same relationship), ``times`` times."""

    def __init__(self, times: int, action: Callable[[], object] = lambda: None) -> None:
        self.left, self.action, self.busy, self.fired = times, action, False, 0

    def __call__(self) -> datetime:
        if self.left and not self.busy:  # not while the action itself decides
            self.left, self.busy = self.left - 1, True
            try:
                self.action()
            finally:
                self.busy = False
            self.fired += 1
        return datetime.now(UTC)


def held(
    service: MentoringService, relationship: UUID, topic: str, expected_version: int | None = None
) -> Recorded:
    return service.record_meeting_held(
        relationship,
        60,
        MeetingFormat.VIDEO,
        [topic],
        actor="ana",
        expected_version=expected_version,
    )


def racing(
    store_url: str, store_kind: str, race: Race, cached: bool
) -> tuple[MentoringService, MentoringService, UUID]:
    """A winner (who seeded) and a loser whose decisions run ``race`` from now on (on a
    memory store, which two services cannot share, one service is both)."""
    winner = MentoringService(store_url)
    relationship = seed(winner).relationship
    loser = winner if store_kind == "memory" else MentoringService(store_url)
    if cached:
        held(loser, relationship, "loser's first")  # its state now cached
    else:
        loser._forget_states()  # read from the store
    loser._clock = race
    return winner, loser, relationship


@pytest.mark.parametrize("cached", [False, True], ids=["read from the store", "cached state"])
def test_a_command_without_an_expected_version_is_decided_again_and_recorded(
    store_url: str, store_kind: str, cached: bool
) -> None:
    race = Race(1)
    winner, loser, relationship = racing(store_url, store_kind, race, cached)
    race.action = lambda: held(winner, relationship, "winner")
    base = winner.relationship(relationship).version
    recorded = held(loser, relationship, "loser")
    history = winner.history(relationship)
    verified = winner.verify()
    for service in {winner, loser}:
        service.close()
    assert race.fired == 1
    assert [e.topics for e in history[base:]] == [("winner",), ("loser",)]  # type: ignore[attr-defined]
    assert recorded.version == base + 2
    assert [e.version for e in history] == list(range(1, base + 3))
    assert verified.ok, verified.finding


def test_given_an_expected_version_the_command_is_refused_as_before(
    store_url: str, store_kind: str
) -> None:
    race = Race(1)
    winner, loser, relationship = racing(store_url, store_kind, race, cached=False)
    race.action = lambda: held(winner, relationship, "winner")
    base = winner.relationship(relationship).version
    with pytest.raises(ConcurrencyConflict) as conflict:
        held(loser, relationship, "loser", expected_version=base)
    history = winner.history(relationship)
    for service in {winner, loser}:
        service.close()
    assert (conflict.value.expected_version, conflict.value.actual_version) == (base, base + 1)
    assert f"the command was decided on version {base} but the stored history is now at " + (
        f"version {base + 1}"
    ) in str(conflict.value)
    assert [e.topics for e in history[base:]] == [("winner",)]  # type: ignore[attr-defined]


def test_decided_again_it_is_refused_if_the_new_state_breaks_a_rule(
    store_url: str, store_kind: str
) -> None:
    race = Race(1)
    winner, loser, relationship = racing(store_url, store_kind, race, cached=False)
    race.action = lambda: winner.pause(relationship, "leave", actor="ana")
    base = winner.relationship(relationship).version
    with pytest.raises(RuleViolation) as refused:
        held(loser, relationship, "loser")
    history = winner.history(relationship)
    for service in {winner, loser}:
        service.close()
    assert refused.value.rule is Rule.NO_MEETINGS_WHILE_PAUSED
    assert [type(e).__name__ for e in history[base:]] == ["RelationshipPaused"]


@pytest.mark.parametrize("cached", [False, True], ids=["read from the store", "cached state"])
def test_a_writer_outrun_every_time_gets_the_conflict_after_a_bounded_number_of_attempts(
    store_url: str, store_kind: str, cached: bool
) -> None:
    race = Race(100)
    winner, loser, relationship = racing(store_url, store_kind, race, cached)
    race.action = lambda: held(winner, relationship, "winner")
    with pytest.raises(ConcurrencyConflict) as conflict:
        held(loser, relationship, "loser")
    history = winner.history(relationship)
    for service in {winner, loser}:
        service.close()
    attempts = application._UNCONDITIONAL_ATTEMPTS + (1 if cached else 0)  # first: on its cache
    assert race.fired == attempts
    assert conflict.value.actual_version == history[-1].version
    # No version was given: the message names the one the last attempt was decided on.
    assert conflict.value.decided
    assert "expected version" not in str(conflict.value)
    assert f"was decided on version {history[-1].version - 1} but" in str(conflict.value)
    assert "loser" not in {t for e in history for t in getattr(e, "topics", ())}
