"""The key table's times are read back in UTC on every store, whatever the zone of the
database session.

PostgreSQL keeps a key's ``created_at`` and ``destroyed_at`` as ``timestamptz`` and gives
them back in the session's ``TimeZone``: the server's setting, or the client's ``PGTZ``.
A subject access document then said ``"created_at": "2026-06-01T21:02:00+14:00"`` beside
its events and ``generated_at`` in UTC, and the same store answered otherwise from a
machine with another ``PGTZ``. ``docs/reports.md``: all times are UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from mentoring_core import InvalidValue, MentoringService
from mentoring_core.privacy.access import subject_access
from mentoring_core.values import Role

from .conftest import SteppingClock


def test_a_keys_times_are_utc_whatever_the_sessions_zone(
    store_url: str, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGTZ", "Pacific/Kiritimati")  # UTC+14: libpq sets the session's zone
    with MentoringService(store_url, clock=clock) as service:
        programme = service.create_programme("P", "Org", actor="coord").id
        for person in ("ben", "cy"):
            service.enrol(programme, person, Role.MENTEE, 1, actor="coord",
                          contact=f"{person}@riverbend.example")  # fmt: skip
        service.erase_person("cy", "asked", actor="dpo")
        rows = {row.person_id: row for row in service.store.keys.store.rows()}
        assert rows.keys() == {"ben", "cy"}
        for row in rows.values():
            assert row.created_at.utcoffset() == timedelta(0), row
        assert rows["cy"].destroyed_at is not None
        assert rows["cy"].destroyed_at.utcoffset() == timedelta(0)
        live = service.store.keys.store.get("ben")
        assert live is not None and live.created_at.utcoffset() == timedelta(0)
        document = subject_access(service, "ben", service.now())
        assert str(document["key"]["created_at"]).endswith("+00:00"), document["key"]
        erased = subject_access(service, "cy", service.now())
        assert str(erased["key"]["destroyed_at"]).endswith("+00:00"), erased["key"]


def test_a_subject_access_document_is_generated_at_a_moment_in_utc(store_url: str) -> None:
    """``now`` was written as given: a naive one gave ``generated_at`` no zone at all, one
    in another zone its offset, and a text failed with an AttributeError once the whole
    store had been read."""
    with MentoringService(store_url) as service:
        programme = service.create_programme("P", "Org", actor="coord").id
        service.enrol(programme, "ben", Role.MENTEE, 1, actor="coord", contact="ben@example")
        kiritimati = timezone(timedelta(hours=14))
        document = subject_access(service, "ben", datetime(2026, 6, 2, 11, 2, tzinfo=kiritimati))
        assert document["generated_at"] == "2026-06-01T21:02:00+00:00"
        for now in (datetime(2026, 6, 1, 21, 2), "2026-06-01T21:02:00+00:00"):
            with pytest.raises(InvalidValue) as refused:
                subject_access(service, "ben", now)  # type: ignore[arg-type]
            assert (refused.value.field, refused.value.value) == ("now", now)
