"""A group session's correction naming only one of its relationships is refused as
naming 2 of 3 is: every relationship present must be named (``group-session``), on
every store. It was refused with the hint of a new session, "from 2 to 100
relationships (a meeting of one pair is recorded with meeting held)", wrong for a
correction (review finding, defect 6)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from mentoring_core import InvalidValue, MentoringService, Rule, RuleViolation
from mentoring_core.values import Role

from .conftest import SteppingClock


def _two_pair_session(service: MentoringService, clock: SteppingClock) -> tuple[UUID, ...]:
    programme = service.create_programme("P", "Org", actor="coord").id
    service.enrol(programme, "ana", Role.MENTOR, 12, actor="coord")
    for mentee in ("ben", "cy"):
        service.enrol(programme, mentee, Role.MENTEE, 1, actor="coord")
    ben = service.form_pair(programme, "ana", "ben", actor="coord").id
    cy = service.form_pair(programme, "ana", "cy", actor="coord").id
    clock.now += timedelta(days=1)
    session = service.record_group_session(programme, "ana", [ben, cy], 60, ["t"], actor="ana").id
    return programme, session, ben, cy


def test_a_correction_naming_one_of_two_relationships_asks_for_every_one(
    store_url: str, clock: SteppingClock
) -> None:
    with MentoringService(store_url, clock=clock) as service:
        programme, session, ben, cy = _two_pair_session(service, clock)
        versions = [service.relationship(p).version for p in (ben, cy)]
        for named, mentee in ((ben, "'ben'"), (cy, "'cy'")):
            with pytest.raises(RuleViolation) as refused:
                service.correct_group_session(
                    programme, session, "ana", [named], "typo", duration_minutes=45, actor="ana"
                )
            assert refused.value.rule is Rule.GROUP_SESSION
            assert str(refused.value) == (
                f"rule 'group-session' broken: group session {session} was attended by "
                f"'ben', 'cy', not by {mentee}: name every relationship present, and only those"
            )
            assert "meeting held" not in str(refused.value)
        assert [service.relationship(p).version for p in (ben, cy)] == versions
        with pytest.raises(
            InvalidValue, match=r"^invalid relationship_ids: nothing; expected at least one item$"
        ):
            service.correct_group_session(
                programme, session, "ana", [], "typo", duration_minutes=45, actor="ana"
            )
        corrected = service.correct_group_session(
            programme, session, "ana", [ben, cy], "typo", duration_minutes=45, actor="ana"
        )
        assert len(corrected.events) == 2


def test_a_new_session_of_one_relationship_still_points_to_meeting_held(
    store_url: str, clock: SteppingClock
) -> None:
    with MentoringService(store_url, clock=clock) as service:
        programme, _, ben, _ = _two_pair_session(service, clock)
        with pytest.raises(InvalidValue, match=r"recorded with meeting held\)$"):
            service.record_group_session(programme, "ana", [ben], 60, ["t"], actor="ana")
