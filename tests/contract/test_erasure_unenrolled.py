"""Erasing a person whose personal data a programme's records hold though no programme
enrolled them or appointed them: a facilitator who cancelled a meeting (``cancelled_by``
is any person id: docs/events.md). Their cancellation's reason is sealed under their key,
so their erasure must destroy it, recorded on the programme whose records hold it."""

from __future__ import annotations

from uuid import UUID

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit.derived import check_derived
from mentoring_core.events import ERASED, MeetingCancelled, PersonalDataErased
from mentoring_core.values import Role

from .test_tamper_evidence import RawStore

FIRST, SECOND = UUID(int=20), UUID(int=30)
PAIR_ONE, PAIR_TWO = UUID(int=21), UUID(int=31)
JO_REASON = "Jo-reason-3c1e off for treatment this week"


def _programme(service: MentoringService, programme_id: UUID, pair: UUID, mentee: str) -> None:
    service.create_programme("Pilot", "Northside Care", actor="coord", programme_id=programme_id)
    service.enrol(programme_id, "ana", Role.MENTOR, 12, actor="coord")
    service.enrol(programme_id, mentee, Role.MENTEE, 1, actor="coord")
    service.form_pair(programme_id, "ana", mentee, relationship_id=pair, actor="coord")


def _reasons(service: MentoringService, pair: UUID) -> list[str]:
    return [e.reason for e in service.history(pair) if isinstance(e, MeetingCancelled)]


def test_a_facilitator_who_cancelled_a_meeting_is_erased_on_its_programme(store_url: str) -> None:
    with MentoringService(store_url) as service:
        _programme(service, FIRST, PAIR_ONE, "ben")
        service.record_meeting_cancelled(PAIR_ONE, "fac.jo", JO_REASON, actor="coord")
        digest = service.verify().digest
        row = service.store.keys.store.get("fac.jo")
        assert row is not None and row.key is not None  # sealed under Jo's key

        erasure = service.erase_person("fac.jo", "DSAR-77", actor="dpo")

        assert erasure.key_destroyed and erasure.complete
        assert [(type(e), e.aggregate_id) for e in erasure.recorded] == [
            (PersonalDataErased, FIRST)
        ]
        assert _reasons(service, PAIR_ONE) == [ERASED]
        assert isinstance(service.history(FIRST)[-1], PersonalDataErased)
        assert service.verify(against=digest).ok
        assert check_derived(service).ok


def test_an_enrolled_person_is_erased_also_on_the_programme_where_they_cancelled(
    store_url: str,
) -> None:
    with MentoringService(store_url) as service:
        _programme(service, FIRST, PAIR_ONE, "ben")
        _programme(service, SECOND, PAIR_TWO, "cal")
        service.record_meeting_cancelled(PAIR_TWO, "ben", JO_REASON, actor="coord")

        erasure = service.erase_person("ben", "DSAR-78", actor="dpo")

        assert sorted(e.aggregate_id for e in erasure.recorded) == [FIRST, SECOND]
        assert _reasons(service, PAIR_TWO) == [ERASED]
        assert check_derived(service).ok


def test_a_damaged_record_of_someone_else_does_not_stop_an_erasure(
    store_url: str, store_kind: str
) -> None:
    """A person's erasure reads every record of the types that may hold someone's data
    under a field naming them (a cancellation), to find the programmes to record it on.
    One such record damaged (by anything around the library), every erasure of anyone
    stopped at it, for good: the chain forbids mending it. The erasure now goes on: what
    cannot be read is named in its notes (it is not complete), and the person's key is
    destroyed, which makes whatever that record seals of theirs unreadable all the same."""
    if store_kind == "memory":
        pytest.skip("a store held in memory cannot be damaged around the library")
    with MentoringService(store_url) as service:
        _programme(service, FIRST, PAIR_ONE, "ben")
        _programme(service, SECOND, PAIR_TWO, "cal")
        service.enrol(SECOND, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben Okafor")
        cancelled = service.record_meeting_cancelled(PAIR_TWO, "fac.jo", JO_REASON, actor="coord")
        raw = RawStore(store_url)
        with raw.sql() as run:
            run(
                f"UPDATE {raw.events} SET state = ? WHERE topic = ?",
                b"{damaged",
                "MeetingCancelled",
            )

        erasure = service.erase_person("ben", "DSAR-79", actor="dpo")

        assert sorted(e.aggregate_id for e in erasure.recorded) == [FIRST, SECOND]
        assert erasure.key_destroyed and not erasure.complete
        named = [n for n in erasure.notes if str(PAIR_TWO) in n]
        assert len(named) == 1, erasure.notes
        assert f"version {cancelled.version}" in named[0] and "cannot be read" in named[0]
        row = service.store.keys.store.get("ben")
        assert row is not None and row.key is None
