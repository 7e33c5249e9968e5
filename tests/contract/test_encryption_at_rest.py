"""Encryption of the whole store at rest: nothing readable in the files, clear refusals.

Runs the report scenario on SQLite and PostgreSQL with and without a cipher key file,
and searches the whole database for known plaintext byte by byte.
"""

from __future__ import annotations

import io
import json
import os
from base64 import b64encode
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mentoring_core_postgres.testing import postgres_store_url
from report_scenario import PAIR_A, PROGRAMME, SettableClock, record

from mentoring_core import MentoringService, StoreConfigurationError
from mentoring_core.audit import ExportError, export_events, import_events
from mentoring_core.audit.derived import check_derived
from mentoring_core.events import ReflectionRecorded
from mentoring_core.privacy import ERASED, copy_keys
from mentoring_core.privacy.access import subject_access
from mentoring_core.values import FocusArea, Rating

from .test_erasure import database_bytes

PROGRAMME_NAME = b"Riverside first-year"
REFLECTION = "Reflection-at-rest-3b7e after the home visit"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'mentoring.db'}"
    else:
        with postgres_store_url("at_rest") as url:
            yield url


def key_file(path: Path, key: bytes | None = None, mode: int = 0o600) -> Path:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    os.write(descriptor, b64encode(key or os.urandom(32)) + b"\n")
    os.close(descriptor)
    os.chmod(path, mode)
    return path


def seeded(url: str, cipher_key_file: Path | None) -> None:
    clock = SettableClock()
    with MentoringService(
        url, clock=clock, snapshot_interval=2, cipher_key_file=cipher_key_file
    ) as s:
        record(s, clock)
        ratings = [Rating(focus_area=FocusArea.WELLBEING, score=3)]
        s.record_reflection(PAIR_A, ratings, REFLECTION, actor="ben")


def test_an_encrypted_store_holds_no_plaintext_and_reads_back(
    store_url: str, tmp_path: Path
) -> None:
    key = key_file(tmp_path / "store.key")
    seeded(store_url, key)
    files = database_bytes(store_url)
    assert PROGRAMME_NAME not in files and REFLECTION.encode() not in files
    with MentoringService(store_url, cipher_key_file=key, trust_snapshots=True) as service:
        assert service.programme(PROGRAMME).name == PROGRAMME_NAME.decode()
        texts = [e.text for e in service.history(PAIR_A) if isinstance(e, ReflectionRecorded)]
        assert texts[-1] == REFLECTION
        assert service.verify().ok and check_derived(service).ok
        assert service.store.keys.store.rows()  # the data keys open with the store's key
        wrapped = service.store.keys.store.store.rows()  # type: ignore[attr-defined]
        assert all(row.key is not None and len(row.key) == 60 for row in wrapped)


def test_a_store_in_clear_holds_the_plaintext_the_encrypted_one_hides(
    store_url: str,
) -> None:
    seeded(store_url, None)
    files = database_bytes(store_url)
    assert PROGRAMME_NAME in files
    # A reflection's text is sealed in its event, and snapshots hold no reflections (a
    # relationship's snapshot leaves out its history): not in the files even in clear.
    assert REFLECTION.encode() not in files


def test_the_chain_verifies_without_the_key_and_nothing_else_is_read(
    store_url: str, tmp_path: Path
) -> None:
    key = key_file(tmp_path / "store.key")
    seeded(store_url, key)
    with MentoringService(store_url, cipher_key_file=key) as keyed:
        digest = keyed.verify().digest
    with MentoringService(store_url, trust_snapshots=False) as keyless:
        assert keyless.verify(against=digest).ok
        with pytest.raises(StoreConfigurationError, match="no cipher key file was given"):
            keyless.programme(PROGRAMME)
        with pytest.raises(StoreConfigurationError, match="no cipher key file was given"):
            keyless.create_programme("Another", "Riverside Care", actor="coord")


def test_a_wrong_key_is_refused(store_url: str, tmp_path: Path) -> None:
    seeded(store_url, key_file(tmp_path / "store.key"))
    with pytest.raises(StoreConfigurationError, match="does not open this store"):
        MentoringService(store_url, cipher_key_file=key_file(tmp_path / "other.key"))


def test_a_key_for_a_store_written_in_clear_is_refused(store_url: str, tmp_path: Path) -> None:
    seeded(store_url, None)
    with pytest.raises(StoreConfigurationError, match="written without encryption at rest"):
        MentoringService(store_url, cipher_key_file=key_file(tmp_path / "store.key"))


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_a_key_file_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    key = key_file(tmp_path / "store.key", mode=mode)
    with pytest.raises(StoreConfigurationError, match=f"has mode {mode:04o}.*owner only"):
        MentoringService(f"sqlite:///{tmp_path / 'm.db'}", cipher_key_file=key)


def test_an_owner_read_only_key_file_is_accepted(tmp_path: Path) -> None:
    key = key_file(tmp_path / "store.key", mode=0o400)
    with MentoringService(f"sqlite:///{tmp_path / 'm.db'}", cipher_key_file=key) as service:
        service.create_programme("P", "Org", actor="coord")


@pytest.mark.parametrize("content", [b"not base64!", b64encode(b"short")])
def test_a_key_file_without_an_aes_key_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "store.key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(StoreConfigurationError, match="holds no AES key"):
        MentoringService(f"sqlite:///{tmp_path / 'm.db'}", cipher_key_file=path)


def test_a_missing_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreConfigurationError, match="cannot read the cipher key file"):
        MentoringService(f"sqlite:///{tmp_path / 'm.db'}", cipher_key_file=tmp_path / "none")


def test_a_key_given_as_a_setting_and_not_a_file_is_refused(tmp_path: Path) -> None:
    from mentoring_core.store import open_store

    with pytest.raises(StoreConfigurationError, match="from a key file only"):
        open_store(f"sqlite:///{tmp_path / 'm.db'}", {"CIPHER_KEY": "abc"})


def test_an_encrypted_store_neither_exports_nor_imports(store_url: str, tmp_path: Path) -> None:
    key = key_file(tmp_path / "store.key")
    seeded(store_url, key)
    with (
        MentoringService(store_url, cipher_key_file=key) as service,
        pytest.raises(ExportError, match="encrypted at rest"),
    ):
        export_events(service, io.StringIO())
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    (tmp_path / "x.jsonl").write_text("")
    with (
        MentoringService(empty, cipher_key_file=key) as target,
        pytest.raises(ExportError, match="encrypted at rest"),
    ):
        import_events(target, tmp_path / "x.jsonl")


def test_keys_copied_between_encrypted_stores_are_rewrapped_and_subject_access_opens(
    store_url: str, tmp_path: Path
) -> None:
    key, other = key_file(tmp_path / "store.key"), key_file(tmp_path / "other.key")
    seeded(store_url, key)
    target_url = f"sqlite:///{tmp_path / 'target.db'}"
    with (
        MentoringService(store_url, cipher_key_file=key) as source,
        MentoringService(target_url, cipher_key_file=other) as target,
    ):
        assert copy_keys(source.store.keys.store, target.store.keys.store) > 0
        opened = {r.person_id: r.key for r in target.store.keys.store.rows()}
        assert opened == {r.person_id: r.key for r in source.store.keys.store.rows()}
        document = subject_access(source, "ben", datetime.now(UTC))
        assert REFLECTION in json.dumps(document)
    stored = (tmp_path / "target.db").read_bytes()
    assert all(k is None or k not in stored for k in opened.values())


def test_erasure_on_an_encrypted_store_keeps_the_chain_and_reads_erased(
    store_url: str, tmp_path: Path
) -> None:
    key = key_file(tmp_path / "store.key")
    seeded(store_url, key)
    with MentoringService(store_url, cipher_key_file=key) as service:
        digest = service.verify().digest
        erasure = service.erase_person("ben", "DSAR-2026-020", actor="dpo")
        assert erasure.key_destroyed and erasure.complete
        assert service.verify(against=digest).ok and check_derived(service).ok
        texts = {e.text for e in service.history(PAIR_A) if isinstance(e, ReflectionRecorded)}
        assert texts == {ERASED}
    with MentoringService(store_url, trust_snapshots=False) as keyless:
        assert keyless.verify(against=digest).ok


def test_a_memory_store_can_be_encrypted_too(tmp_path: Path) -> None:
    key = key_file(tmp_path / "store.key")
    with MentoringService("memory://", cipher_key_file=key) as service:
        programme = service.create_programme("P", "Org", actor="coord").aggregate_id
        assert service.store.encrypted and service.store.locked is None
        assert b"Org" not in b"".join(r.state for r in service.store.records())
        assert service.programme(programme).organisation == "Org"
