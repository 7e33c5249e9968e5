"""Subject access gives a person their own data, not other people's: an event included
only because the person recorded it (a coordinator's enrolment of someone, their
withdrawal with its reason) shows its facts and ids, with every field that is another
person's personal data withheld (GDPR article 15(4): the copy must not adversely affect
the rights of others)."""

from __future__ import annotations

from typing import Any

from mentoring_core import MentoringService
from mentoring_core.privacy.access import WITHHELD, subject_access
from mentoring_core.values import Role


def _events(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in document["events"] if e["type"] == kind]


def test_what_a_coordinator_recorded_about_someone_else_is_withheld(store_url: str) -> None:
    with MentoringService(store_url) as service:
        programme = service.create_programme("P", "Org", actor="c-17").id
        service.enrol(
            programme, "p-42", Role.MENTEE, 1, actor="c-17",
            display_name="Zoe Quartermain", contact="zoe.q@example.org",
        )  # fmt: skip
        service.withdraw(programme, "p-42", "Zoe is on sick leave", actor="c-17")
        coordinator = subject_access(service, "c-17", service.now())
        person = subject_access(service, "p-42", service.now())
    enrolled = _events(coordinator, "ParticipantEnrolled")[0]
    assert (enrolled["person_id"], enrolled["about"]) == ("p-42", ["actor"])  # the fact stays
    assert (enrolled["display_name"], enrolled["contact"]) == (WITHHELD, WITHHELD)
    assert _events(coordinator, "ParticipantWithdrawn")[0]["reason"] == WITHHELD
    assert "Zoe" not in repr(coordinator)
    mine = _events(person, "ParticipantEnrolled")[0]  # the person's own export: everything
    assert (mine["display_name"], mine["contact"]) == ("Zoe Quartermain", "zoe.q@example.org")
    assert _events(person, "ParticipantWithdrawn")[0]["reason"] == "Zoe is on sick leave"


def test_what_a_person_recorded_about_themselves_stays_whole(store_url: str) -> None:
    with MentoringService(store_url) as service:
        programme = service.create_programme("P", "Org", actor="ana").id
        service.enrol(programme, "ana", Role.MENTOR, 9, actor="ana", display_name="Ana Ruiz")
        document = subject_access(service, "ana", service.now())
    enrolled = _events(document, "ParticipantEnrolled")[0]
    assert enrolled["about"] == ["actor", "person_id"] and enrolled["display_name"] == "Ana Ruiz"
