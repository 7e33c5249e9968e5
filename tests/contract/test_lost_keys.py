"""A lost key store is loud, never silent garbage (SQLite and PostgreSQL).

A sealed field whose person's key is missing from the key store reads as erased only
when the store records that person's erasure, or when an import wrote a withheld row
for them (a copy made without its keys); otherwise reading it is refused, naming the
person and the remedy (restore the keys from their backup).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
import pytest
from mentoring_core_postgres.testing import TEST_SERVER_URL, postgres_store_url

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.audit import export_events, import_events
from mentoring_core.events import ERASED, GoalSet
from mentoring_core.privacy import copy_keys
from mentoring_core.privacy.retention import due_for_erasure, past_due
from mentoring_core.projections import build_compliance_report
from mentoring_core.values import FocusArea, Role

from .test_encryption_at_rest import key_file

PROGRAMME, PAIR = UUID(int=10), UUID(int=11)
GOAL = "Lead a case conference"
FAR = date(2099, 1, 1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentoring.db'}"
    else:
        with postgres_store_url("lostkeys") as url:
            yield url


def paired(
    url: str, cipher_key_file: Path | None = None, key_store_file: Path | None = None
) -> MentoringService:
    service = MentoringService(
        url,
        snapshot_interval=None,
        cipher_key_file=cipher_key_file,
        key_store_file=key_store_file,
    )
    service.create_programme("Pilot", "Northside Care", actor="coord", programme_id=PROGRAMME)
    service.enrol(PROGRAMME, "ana", Role.MENTOR, 12, actor="coord")
    service.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord", display_name="Ben Okafor")
    service.form_pair(PROGRAMME, "ana", "ben", relationship_id=PAIR, actor="coord")
    service.set_goal(PAIR, GOAL, FocusArea.PERFORMANCE, "Observed", date(2027, 1, 1), actor="ana")
    return service


def delete_keys(url: str, where: str = "") -> None:
    """Delete rows of the store's key table behind the library's back."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            db.execute(f"DELETE FROM mentoring_keys {where}")
        return
    schema = parse_qs(urlsplit(url).query)["schema"][0]
    with psycopg.connect(TEST_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DELETE FROM "{schema}".mentoring_keys {where}'.encode())


def imported(source: MentoringService, url: str, tmp_path: Path) -> MentoringService:
    """A new store at ``url`` holding ``source``'s events, imported without their keys."""
    path = tmp_path / "export.jsonl"
    with path.open("w", encoding="utf-8") as out:
        export_events(source, out)
    copy = MentoringService(url, snapshot_interval=None)
    import_events(copy, path)
    return copy


def goals(service: MentoringService) -> set[str]:
    return {e.title for e in service.history(PAIR) if isinstance(e, GoalSet)}


def test_an_emptied_key_table_is_refused_naming_the_person_and_the_remedy(
    store_url: str,
) -> None:
    paired(store_url).close()
    delete_keys(store_url)
    with MentoringService(store_url, snapshot_interval=None) as service:
        with pytest.raises(StoreConfigurationError, match=r"'ben'.*restore the keys"):
            service.history(PAIR)
        with pytest.raises(StoreConfigurationError, match="'ben', who was never erased"):
            service.relationship(PAIR)


def test_an_emptied_key_table_of_a_store_encrypted_at_rest_is_refused_too(
    store_url: str, tmp_path: Path
) -> None:
    cipher = key_file(tmp_path / "store.key")
    paired(store_url, cipher).close()
    delete_keys(store_url)  # the sealed marker is hidden in the files: found when read
    with (
        MentoringService(store_url, snapshot_interval=None, cipher_key_file=cipher) as service,
        pytest.raises(StoreConfigurationError, match="no key for 'ben'"),
    ):
        service.history(PAIR)


def test_one_missing_key_of_a_person_never_erased_is_refused(store_url: str) -> None:
    paired(store_url).close()
    delete_keys(store_url, "WHERE person_id = 'ben'")
    with (
        MentoringService(store_url, snapshot_interval=None) as service,
        pytest.raises(StoreConfigurationError, match="no key for 'ben'"),
    ):
        service.history(PAIR)


def test_a_live_report_of_a_programme_keeping_data_for_no_set_period_needs_no_key(
    store_url: str,
) -> None:
    """The figures read no personal field, and the count of people past their retention
    period reads the states only once the policy sets a period (docs/reports.md)."""
    paired(store_url).close()
    delete_keys(store_url, "WHERE person_id = 'ben'")
    with MentoringService(store_url, snapshot_interval=None) as service:
        report = build_compliance_report(service, PROGRAMME)
        assert report.programme.personal_data_past_due is None
        assert report.programme.relationships.active == 1


def test_an_erased_persons_missing_key_reads_as_erased(store_url: str) -> None:
    with paired(store_url) as service:
        service.erase_person("ben", "DSAR-2026-020", actor="dpo")
    delete_keys(store_url, "WHERE person_id = 'ben'")  # a key backup older than the key
    with MentoringService(store_url, snapshot_interval=None) as service:
        assert goals(service) == {ERASED}
        assert service.programme(PROGRAMME).participant("ben") is not None


def test_a_copy_imported_without_keys_reads_as_erased_until_they_are_copied(
    store_url: str, tmp_path: Path
) -> None:
    with paired("memory://") as source:
        with imported(source, store_url, tmp_path) as copy:
            assert goals(copy) == {ERASED}  # a pseudonymised copy: withheld, not lost
            with pytest.raises(StoreConfigurationError, match="not copied"):
                copy.set_goal(
                    PAIR, "New", FocusArea.PERFORMANCE, "Seen", date(2027, 2, 1), actor="ana"
                )
            assert copy_keys(source.store.keys.store, copy.store.keys.store) == 1
        with MentoringService(store_url, snapshot_interval=None) as copy:  # a fresh cache
            assert goals(copy) == {GOAL}


def test_erasing_a_withheld_person_keeps_their_key_from_coming_back(
    store_url: str, tmp_path: Path
) -> None:
    with paired("memory://") as source:
        with imported(source, store_url, tmp_path) as copy:
            erasure = copy.erase_person("ben", "DSAR-2026-021", actor="dpo")
            assert not erasure.key_destroyed  # there was no key here to destroy
            copy_keys(source.store.keys.store, copy.store.keys.store)
        with MentoringService(store_url, snapshot_interval=None) as copy:
            assert goals(copy) == {ERASED}


def test_a_key_lost_for_good_is_given_up_by_a_tombstone_then_the_person_erased(
    store_url: str,
) -> None:
    paired(store_url).close()
    delete_keys(store_url)  # and no backup holds the keys
    with MentoringService(store_url, snapshot_interval=None) as service:
        with pytest.raises(StoreConfigurationError, match="no key for 'ben'"):
            service.erase_person("ben", "DSAR-2026-022", actor="dpo")
        assert not service.store.keys.store.destroy("ben", datetime.now(UTC))
        service.store.keys.forget()
        assert goals(service) == {ERASED}
        erasure = service.erase_person("ben", "DSAR-2026-022", actor="dpo")
        assert len(erasure.recorded) == 1 and not erasure.key_destroyed


def test_a_person_whose_key_is_lost_is_still_due_for_erasure_as_recorded_then(
    store_url: str,
) -> None:
    """Cy left; their key row is gone (never erased: not destroyed). Read as recorded by a
    moment, the retention rule opens no personal field (it reads ids and dates, from
    histories whose texts stay sealed), so Cy is listed as due, for an erasure to record;
    nor does the programme's count of those due (a report's) as recorded then."""
    with paired(store_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTEE, 1, actor="coord")
        service.withdraw(PROGRAMME, "cy", "moved away", actor="coord")
    delete_keys(store_url, "WHERE person_id = 'cy'")
    with MentoringService(store_url, snapshot_interval=None) as service:
        assert service.store.keys.store.get("cy") is None
        moment = service.now()
        due = due_for_erasure(service, date(2099, 1, 1), 1, at=moment)
        counted = past_due(service, PROGRAMME, date(2099, 1, 1), at=moment)
    assert [d.person_id for d in due] == ["cy"]
    assert counted is None  # the programme's policy (none) sets no period


def test_a_person_erased_whose_key_row_is_gone_is_not_due_again_until_enrolled_again(
    store_url: str,
) -> None:
    """Cy left and was erased; then their key row went (the key store restored from a
    backup older than the erasure, which never held it). The recorded erasure keeps them
    off the list. Enrolled again with no name and withdrawn with the reason given as
    ERASED (nothing is sealed, so no key is looked for and no tombstone written back),
    they are due again, a period after."""
    with paired(store_url) as service:
        service.enrol(PROGRAMME, "cy", Role.MENTEE, 1, actor="coord", display_name="Cy")
        service.withdraw(PROGRAMME, "cy", "moved away", actor="coord")
        service.erase_person("cy", "DSAR-2026-023", actor="dpo")
    delete_keys(store_url, "WHERE person_id = 'cy'")
    with MentoringService(store_url, snapshot_interval=None) as service:
        assert service.store.keys.store.get("cy") is None
        assert due_for_erasure(service, FAR, 1) == ()
        assert due_for_erasure(service, FAR, 1, at=service.now()) == ()
        service.enrol(PROGRAMME, "cy", Role.MENTEE, 1, actor="coord")
        service.withdraw(PROGRAMME, "cy", ERASED, actor="coord")
        left = service.now().date()
        due = due_for_erasure(service, FAR, 1)
    assert [(d.person_id, d.last_ended) for d in due] == [("cy", left)]
