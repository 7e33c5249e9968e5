"""Person ids: a new one holds no '/', which no URL path segment could carry; ids
recorded before the rule still fold, and their people are still withdrawn and relieved."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest
from scenarios import programme_history

from mentoring_core.domain import commands as cmd
from mentoring_core.domain.values import Role


@pytest.mark.parametrize(
    "command",
    [
        cmd.EnrolParticipant(person_id="team/ana", role=Role.MENTOR, experience_years=Decimal(9)),
        cmd.AppointCoordinator(person_id="team/cleo"),
    ],
    ids=["enrol", "appoint"],
)
def test_a_new_person_id_with_a_slash_is_refused(command: cmd.Command) -> None:
    programme_history().reject(command, "person_id", "without '/'")


def test_a_person_id_with_a_slash_recorded_before_the_rule_still_folds_and_is_withdrawn() -> None:
    history = programme_history()
    enrolled = history.record(
        cmd.EnrolParticipant(person_id="zed", role=Role.MENTEE, experience_years=Decimal(1))
    )
    old = attrs.evolve(enrolled[0], person_id="team/ana", version=enrolled[0].version + 1)
    history.apply(old)  # as an event stored by an earlier version reads back
    assert history.state.participant("team/ana") is not None
    assert history.refold() == history.state
    withdrawn = history.record(cmd.WithdrawParticipant(person_id="team/ana", reason="Left"))
    assert [e.person_id for e in withdrawn] == ["team/ana"]
