"""Subject access gives a person their own data, not other people's: an event included
only because the person recorded it (a coordinator's enrolment of someone, their
withdrawal with its reason) shows its facts and ids, with every field that is another
person's personal data withheld (GDPR article 15(4): the copy must not adversely affect
the rights of others)."""

from __future__ import annotations

from typing import Any

import pytest

from mentoring_core import InvalidValue, MentoringService, UnknownPerson
from mentoring_core.domain.events import EVENT_TYPES
from mentoring_core.domain.personal import RELATIONSHIP_MENTEE
from mentoring_core.privacy.access import PERSON_FIELDS, WITHHELD, subject_access
from mentoring_core.privacy.sealing import personal_paths
from mentoring_core.values import MeetingFormat, Role


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


def test_an_id_no_event_names_is_an_unknown_person_not_an_empty_document(
    store_url: str,
) -> None:
    """A mistyped id (p-24 for p-42) was answered with no events and no key: "nothing is
    held about them", of someone about whom much may be held. It is refused as an
    unknown person; whoever an event names (only as its actor, or erased) still gets
    their document."""
    with MentoringService(store_url) as service:
        programme = service.create_programme("P", "Org", actor="c-17").id
        service.enrol(programme, "p-42", Role.MENTEE, 1, actor="c-17", display_name="Zoe")
        with pytest.raises(UnknownPerson) as raised:
            subject_access(service, "p-24", service.now())
        assert raised.value.person_id == "p-24"
        assert str(raised.value) == (
            "no person 'p-24' is recorded: no event of this store names them or was "
            "recorded by them, and it holds no key of theirs"
        )
        assert subject_access(service, "c-17", service.now())["events"]  # the actor
        service.erase_person("p-42", "DSAR-2026-030", actor="dpo")
        erased = subject_access(service, "p-42", service.now())
    assert erased["key"]["destroyed_at"] is not None
    assert _events(erased, "ParticipantEnrolled")[0]["display_name"] == "[erased]"


def test_what_a_person_recorded_about_themselves_stays_whole(store_url: str) -> None:
    with MentoringService(store_url) as service:
        programme = service.create_programme("P", "Org", actor="ana").id
        service.enrol(programme, "ana", Role.MENTOR, 9, actor="ana", display_name="Ana Ruiz")
        document = subject_access(service, "ana", service.now())
    enrolled = _events(document, "ParticipantEnrolled")[0]
    assert enrolled["about"] == ["actor", "person_id"] and enrolled["display_name"] == "Ana Ruiz"


def test_a_persons_document_says_why_each_event_is_about_them(store_url: str) -> None:
    """Ana mentors Ben; Cy attends one of their meetings; Dee and Eve are another pair.
    Each person's document holds the events about them, each saying why: the pair's
    events by the person's part in it (``mentor``, ``mentee``), a meeting by who
    attended, none of the other pair's; what the coordinator recorded there alone keeps
    its facts and withholds its texts, a list of texts as a list."""
    with MentoringService(store_url) as service:
        programme = service.create_programme("P", "Org", actor="c-17").id
        for person, role in (("ana", Role.MENTOR), ("ben", Role.MENTEE), ("cy", Role.MENTEE)):
            service.enrol(programme, person, role, 9 if role is Role.MENTOR else 1, actor="c-17")
        service.enrol(programme, "dee", Role.MENTOR, 9, actor="c-17")
        service.enrol(programme, "eve", Role.MENTEE, 1, actor="c-17")
        pair = service.form_pair(programme, "ana", "ben", actor="c-17").id
        service.form_pair(programme, "dee", "eve", actor="c-17")
        service.record_meeting_held(
            pair, 60, MeetingFormat.GROUP, ["Ben's move"], attendees=["cy"], actor="c-17"
        )
        now = service.now()
        documents = {p: subject_access(service, p, now) for p in ("ana", "ben", "cy", "c-17")}
    meetings = {p: _events(d, "MeetingHeld") for p, d in documents.items()}
    assert [m["about"] for m in meetings["ana"]] == [["mentor"]]
    assert [m["about"] for m in meetings["ben"]] == [["mentee"]]
    assert [m["about"] for m in meetings["cy"]] == [["attendees"]]
    assert meetings["ben"][0]["topics"] == ["Ben's move"]
    recorded = meetings["c-17"][0]
    assert (recorded["about"], recorded["topics"]) == (["actor"], [WITHHELD])
    assert recorded["attendees"] == ["cy"] and recorded["duration_minutes"] == 60
    formed = [e["mentee_id"] for e in _events(documents["ana"], "PairFormed")]
    assert formed == ["ben"]  # not Dee and Eve's pair
    assert {e["aggregate_id"] for e in documents["ben"]["events"]} == {str(programme), str(pair)}


def test_the_document_names_its_format_person_moment_and_key(store_url: str) -> None:
    """The document's members, whole: a person the store holds no key of has ``key``
    null; an erased person's key says when it was created and destroyed."""
    with MentoringService(store_url) as service:
        programme = service.create_programme("P", "Org", actor="c-17").id
        service.enrol(programme, "ana", Role.MENTOR, 9, actor="c-17")
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="c-17", contact="ben@example.org")
        service.erase_person("ben", "asked", actor="dpo")
        now = service.now()
        ana = subject_access(service, "ana", now)
        ben = subject_access(service, "ben", now)
        row = service.store.keys.store.get("ben")
    assert row is not None and row.destroyed_at is not None
    assert {k: v for k, v in ana.items() if k != "events"} == {
        "format": "mentoring-core-subject-access/1",
        "person_id": "ana",
        "generated_at": now.isoformat(),
        "key": None,
    }
    assert ben["key"] == {
        "created_at": row.created_at.isoformat(),
        "destroyed_at": row.destroyed_at.isoformat(),
    }
    assert [e["type"] for e in ana["events"]] == ["ParticipantEnrolled"]


def test_an_id_no_person_can_have_is_refused_by_name(store_url: str) -> None:
    with MentoringService(store_url) as service, pytest.raises(InvalidValue) as refused:
        subject_access(service, "ana\nben", service.now())
    assert (refused.value.field, refused.value.value) == ("person_id", "ana\nben")


def test_every_personal_fields_owner_names_the_person_where_subject_access_looks() -> None:
    """Every personal field of an event a person only recorded is withheld from them: so
    each field's owner must be a field subject access reads the person from (or the
    relationship's mentee, whom it names by the pair), else their own text could be."""
    owners = {path.owner for cls in EVENT_TYPES.values() for path in personal_paths(cls)}
    assert RELATIONSHIP_MENTEE in owners
    assert owners - {RELATIONSHIP_MENTEE} <= set(PERSON_FIELDS)
