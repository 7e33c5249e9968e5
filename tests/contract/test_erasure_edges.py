"""Erasure's edges: a store written before sealing, a lost key table, a moved ciphertext,
copying keys for an import, and keys never shown."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import attrs
import pytest
from report_scenario import POLICY

from mentoring_core import MentoringService, StoreConfigurationError, StoredEventError
from mentoring_core.events import ERASED, SEALED, Event, GoalSet, personal_fields
from mentoring_core.privacy import KEYS_TABLE, MemoryKeyStore, PersonKey
from mentoring_core.projections import (
    ComplianceProjection,
    MemoryComplianceView,
    build_compliance_report,
)
from mentoring_core.values import FocusArea, MeetingFormat, Role

OLD_STORE = Path(__file__).resolve().parent.parent / "data" / "release-0.1.0.sqlite"
OLD_PROGRAMME, OLD_PAIR = UUID(int=1), UUID(int=5)
PROGRAMME, PAIR = UUID(int=10), UUID(int=11)


def paired(url: str) -> MentoringService:
    service = MentoringService(url)
    service.create_programme("Pilot", "Northside Care", actor="coord", programme_id=PROGRAMME)
    service.enrol(PROGRAMME, "ana", Role.MENTOR, 12, actor="coord")
    service.enrol(PROGRAMME, "ben", Role.MENTEE, 1, actor="coord")
    service.form_pair(PROGRAMME, "ana", "ben", relationship_id=PAIR, actor="coord")
    for title in ("Lead a case conference", "Write a care plan"):
        service.set_goal(
            PAIR, title, FocusArea.PERFORMANCE, "Observed", date(2027, 1, 1), actor="ana"
        )
    return service


def test_a_store_written_before_sealing_records_the_erasure_and_names_what_stays(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "old.sqlite"
    shutil.copyfile(OLD_STORE, copy)
    with MentoringService(f"sqlite:///{copy}") as service:
        digest = service.verify().digest
        as_of = datetime(2026, 2, 1, tzinfo=UTC)
        before = build_compliance_report(service, OLD_PROGRAMME, now=as_of)
        erasure = service.erase_person("ben", "DSAR-2026-001", actor="dpo")
        assert not erasure.complete and not erasure.key_destroyed  # it never had a key
        assert erasure.unsealed and all(str(OLD_PAIR) in where for where in erasure.unsealed)
        assert any(where.startswith("GoalSet ") for where in erasure.unsealed)
        assert service.verify(against=digest).ok
        assert build_compliance_report(service, OLD_PROGRAMME, now=as_of) == before


def test_an_imported_store_written_before_sealing_still_names_what_stays(
    tmp_path: Path,
) -> None:
    """An export and import copy the stored bytes, so they do not seal old clear text:
    the copy verifies against the source's digest, and erasure there says what stays."""
    from mentoring_core.audit import export_events, import_events

    copy, path = tmp_path / "old.sqlite", tmp_path / "old.jsonl"
    shutil.copyfile(OLD_STORE, copy)
    with MentoringService(f"sqlite:///{copy}") as old, path.open("w", encoding="utf-8") as out:
        digest = old.verify().digest
        export_events(old, out)
    with MentoringService(f"sqlite:///{tmp_path / 'new.sqlite'}") as new:
        import_events(new, path)
        assert new.verify(against=digest).ok
        erasure = new.erase_person("ben", "DSAR-2026-002", actor="dpo")
        assert not erasure.complete
        assert any(where.startswith("GoalSet ") for where in erasure.unsealed)


def test_a_lost_key_table_is_refused_when_the_store_opens(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    paired(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:
        db.execute(f"DROP TABLE {KEYS_TABLE}")
    with pytest.raises(StoreConfigurationError, match="keys were lost"):
        MentoringService(f"sqlite:///{path}")


def test_a_ciphertext_moved_to_another_event_does_not_open(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    paired(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT rowid, state FROM stored_events WHERE topic = 'GoalSet' ORDER BY rowid"
        ).fetchall()
        first, second = (json.loads(state) for _, state in rows)
        second["title"] = first["title"]
        moved = json.dumps(second, separators=(",", ":"), ensure_ascii=False).encode()
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (moved, rows[1][0]))
    with MentoringService(f"sqlite:///{path}", trust_snapshots=False) as service:
        with pytest.raises(StoredEventError, match="does not open"):
            service.history(PAIR)
        assert not service.verify().ok


def sealed(event: Event) -> Event:
    """``event`` with each personal field that holds something read as ``SEALED``."""
    fields = {name: getattr(event, name) for name in personal_fields(type(event))}
    return attrs.evolve(
        event,
        **{
            name: (SEALED,) if isinstance(value, tuple) else SEALED
            for name, value in fields.items()
            if value is not None
        },
    )


def test_a_history_read_closed_is_the_history_with_its_personal_fields_sealed(
    store_url: str,
) -> None:
    with paired(store_url) as service:
        service.record_meeting_held(
            PAIR, 60, MeetingFormat.ONE_ON_ONE, ["caseload", "a home visit"], actor="ana"
        )
        opened = service.history(PAIR)
        assert {type(e).__name__ for e in opened} >= {"PairFormed", "GoalSet", "MeetingHeld"}
        assert service.history(PAIR, personal=False) == tuple(map(sealed, opened))
        assert service.history(PROGRAMME, personal=False) == tuple(
            map(sealed, service.history(PROGRAMME))
        )


def test_the_read_model_opens_no_sealed_field(tmp_path: Path) -> None:
    """The compliance facts keep no personal data, so the projection and the as-of report
    (its facts, and the states its count of people past their retention period reads)
    read events without opening their sealed fields: a goal's title whose ciphertext no
    longer opens (which the history and audit verify refuse) changes none of the facts
    and not the report."""
    path = tmp_path / "store.db"
    with paired(f"sqlite:///{path}") as service:
        kept = attrs.evolve(POLICY, retain_personal_data_years=1)
        service.set_policy(PROGRAMME, kept, actor="coord")
        projection = ComplianceProjection(service, view=MemoryComplianceView())
        projection.catch_up()
        before = projection.programme_facts(PROGRAMME)
        as_of = service.history(PROGRAMME)[-1].recorded_at  # the policy, set last
        report = build_compliance_report(service, PROGRAMME, as_of=as_of, now=as_of)
        assert report.programme.personal_data_past_due == 0
    with sqlite3.connect(path) as db:
        rowid, state = db.execute(
            "SELECT rowid, state FROM stored_events WHERE topic = 'GoalSet' ORDER BY rowid"
        ).fetchone()
        data = json.loads(state)
        sealed = data["title"]["ciphertext"]
        data["title"]["ciphertext"] = ("B" if sealed[0] == "A" else "A") + sealed[1:]
        altered = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (altered, rowid))
    with MentoringService(f"sqlite:///{path}", trust_snapshots=False) as service:
        with pytest.raises(StoredEventError, match="does not open"):
            service.history(PAIR)
        assert not service.verify().ok
        projection = ComplianceProjection(service, view=MemoryComplianceView())
        assert projection.catch_up() == service.store.recorder.max_notification_id()
        assert projection.programme_facts(PROGRAMME) == before
        assert len(before[1][0].goals) == 2
        assert build_compliance_report(service, PROGRAMME, as_of=as_of, now=as_of) == report


def test_an_import_reads_texts_only_with_the_keys_copied(tmp_path: Path) -> None:
    from mentoring_core.audit import export_events, import_events
    from mentoring_core.privacy import copy_keys

    with paired("memory://") as source:
        path = tmp_path / "export.jsonl"
        with path.open("w", encoding="utf-8") as out:
            export_events(source, out)
        assert b"Lead a case conference" not in path.read_bytes()
        with MentoringService("memory://") as bare:
            import_events(bare, path)
            titles = {e.title for e in bare.history(PAIR) if isinstance(e, GoalSet)}
            assert titles == {ERASED}  # a pseudonymised copy
        with MentoringService("memory://") as full:
            assert copy_keys(source.store.keys.store, full.store.keys.store) == 1
            import_events(full, path)
            assert full.history(PAIR) == source.history(PAIR)


def test_a_destroyed_key_is_never_brought_back() -> None:
    keys = MemoryKeyStore()
    live = keys.create("ben")
    assert live.key is not None and live.key.hex() not in repr(live)
    assert keys.destroy("ben", datetime(2026, 6, 1, tzinfo=UTC))
    keys.restore(live)
    assert keys.create("ben").key is None
    assert not keys.destroy("ben", datetime(2026, 6, 2, tzinfo=UTC))
    tombstone = keys.get("ben")
    assert isinstance(tombstone, PersonKey) and "destroyed" in repr(tombstone)


def test_an_erasure_retried_with_its_command_id_records_nothing_again() -> None:
    from uuid import uuid4

    with paired("memory://") as service:
        command_id = uuid4()
        first = service.erase_person("ben", "DSAR-1", actor="dpo", command_id=command_id)
        again = service.erase_person("ben", "DSAR-1", actor="dpo", command_id=command_id)
        assert (first.already_recorded, again.already_recorded) == (False, True)
        assert again.recorded == first.recorded and again.command_id == command_id
        assert len(service.history(PROGRAMME)) == 5  # created, 2 enrolments, opened, 1 erasure


def test_no_key_appears_in_any_log_line(caplog: pytest.LogCaptureFixture) -> None:
    import base64
    import logging

    caplog.set_level(logging.DEBUG)
    with paired("memory://") as service:
        row = service.store.keys.store.get("ben")
        assert row is not None and row.key is not None
        forms = (repr(row.key), row.key.hex(), base64.b64encode(row.key).decode())
        service.history(PAIR)
        service.erase_person("ben", "DSAR-1", actor="dpo")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(form in logged for form in forms)


def test_a_relieved_coordinator_enrolled_nowhere_can_be_erased() -> None:
    from mentoring_core.events import CoordinatorRelieved, PersonalDataErased

    with paired("memory://") as service:
        service.appoint_coordinator(PROGRAMME, "rhea", actor="admin")
        service.relieve_coordinator(PROGRAMME, "rhea", "Complaint under review", actor="admin")
        erasure = service.erase_person("rhea", "DSAR-2", actor="dpo")
        assert [e.aggregate_id for e in erasure.recorded] == [PROGRAMME]
        history = service.history(PROGRAMME)
        relieved = [e for e in history if isinstance(e, CoordinatorRelieved)]
        assert [e.reason for e in relieved] == [ERASED]
        assert isinstance(history[-1], PersonalDataErased)
