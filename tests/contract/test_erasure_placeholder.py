"""After a person's erasure, the facts about them are still recorded with values that hold
nothing: the placeholder ``[erased]`` (alone or as a list's texts) and an empty list (a
meeting with no topics). Such a value is not personal data: it is accepted, stored as it
is, and never reported as a field left in clear by a later erasure."""

from __future__ import annotations

import re
from datetime import date
from uuid import UUID

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.events import ERASED, MeetingHeld
from mentoring_core.values import EndReason, FocusArea, MeetingFormat, Role

PROGRAMME, PAIR = UUID(int=40), UUID(int=41)


def erased_mentee(url: str) -> MentoringService:
    """A pair whose mentee, Ben, has a goal and was then erased."""
    service = MentoringService(url)
    service.create_programme("Pilot", "Northside Care", actor="coord", programme_id=PROGRAMME)
    service.enrol(PROGRAMME, "ana", Role.MENTOR, 12, actor="coord")
    service.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord")
    service.form_pair(PROGRAMME, "ana", "ben", relationship_id=PAIR, actor="coord")
    service.set_goal(PAIR, "Lead a case conference", FocusArea.PERFORMANCE, "Observed",
                     date(2027, 1, 1), actor="ana")  # fmt: skip
    assert service.erase_person("ben", "DSAR-1", actor="dpo").complete
    return service


def test_facts_recorded_with_the_placeholder_leave_a_later_erasure_complete(
    store_url: str,
) -> None:
    with erased_mentee(store_url) as service:
        service.record_meeting_held(PAIR, 30, MeetingFormat.VIDEO, [ERASED], actor="ana")
        service.end(PAIR, EndReason.WITHDRAWN_BY_MENTEE, ERASED, actor="coord")

        again = service.erase_person("ben", "DSAR-1 again", actor="dpo")

        assert again.unsealed == () and again.complete


def test_a_meeting_without_topics_is_recorded_after_the_mentees_erasure(store_url: str) -> None:
    with erased_mentee(store_url) as service:
        service.record_meeting_held(PAIR, 60, MeetingFormat.ONE_ON_ONE, [], actor="ana")

        (held,) = [e for e in service.history(PAIR) if isinstance(e, MeetingHeld)]
        assert held.topics == ()
        again = service.erase_person("ben", "DSAR-1 again", actor="dpo")
        assert again.unsealed == () and again.complete


def test_new_personal_data_about_an_erased_person_is_refused_naming_when_in_iso_8601(
    store_url: str,
) -> None:
    with erased_mentee(store_url) as service:
        row = service.store.keys.store.get("ben")
        assert row is not None and row.destroyed_at is not None
        with pytest.raises(InvalidValue) as refused:
            service.record_meeting_held(PAIR, 60, MeetingFormat.VIDEO, ["Ben's news"], actor="ana")
        when = re.escape(row.destroyed_at.isoformat())
        assert re.search(f"erased at {when}: give the text as '\\[erased\\]'", str(refused.value))
