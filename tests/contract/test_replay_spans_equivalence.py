"""Attack: a replay's report is the same whether the store counts its aggregates
(``select_spans``) or the whole log is read, on stores damaged around the library.

Each example copies a template store (four aggregates, interleaved in the log), applies
a few damages with SQL (as tests/contract/test_tamper_evidence.py's ``RawStore`` does),
and compares ``replay(service, page_size=k)`` with the same replay after
``select_spans`` is made to count none (the pass over the whole log).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from mentoring_core_postgres.testing import postgres_store_url

from mentoring_core import MentoringService
from mentoring_core.audit import replay
from mentoring_core.domain import errors
from mentoring_core.domain.errors import MentoringError

from .test_service_contract import FIRST_MEETING, seed

PAGE_SIZES = [1, 2, 3, 1000]
UNKNOWN_TOPIC = "mentoring_core.nowhere:Nothing"


def fill(service: MentoringService) -> None:
    """Two programmes, each with a pair, their later events interleaved in the log."""
    first, second = seed(service), seed(service)
    for week in range(3):
        for pair in (first, second):
            service.record_meeting_missed(
                pair.relationship,
                "ben",
                "sick",
                actor="ana",
                occurred_at=FIRST_MEETING + timedelta(days=14 + 7 * week),
            )


NAMED_ERRORS = {
    cls.__name__
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, MentoringError)
}
"""The library's own errors, by name: a replay may stop with one (a store that cannot be
read, named), never with another (a TypeError was one, on a version stored as NULL)."""


def outcome(service: MentoringService, page_size: int, counted: bool) -> Any:
    if not counted:
        service.store.recorder.select_spans = lambda: None  # type: ignore[method-assign]
    try:
        return replay(service, page_size=page_size)
    except Exception as error:  # a replay that stops must stop alike
        return (type(error).__name__, str(error))


# --- damages -------------------------------------------------------------------------


def _sqlite_forms(stored: str) -> list[Any]:
    aggregate = uuid.UUID(hex=stored)
    return [stored.upper(), str(aggregate), "{" + str(aggregate) + "}", aggregate.bytes]


DAMAGES = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "delete",
                "version",
                "move_to_end",
                "state",
                "topic",
                "null_topic",
                "copy_other_form",
                "id_other_form",
                "copy_new_aggregate",
                "swap_positions",
            ]
        ),
        st.integers(0, 1000),  # which record (modulo their number)
        st.integers(0, 1000),  # a second choice (another record, a form, a version)
    ),
    min_size=1,
    max_size=4,
)

VERSIONS = [0, -1, -7, 99, "x", None]
"""Integer, text or NULL versions: a REAL one (2.5) is the known defect, tested on its own
below (set MENTORING_ATTACK_REAL=1 to let the search find it)."""
if os.environ.get("MENTORING_ATTACK_REAL"):
    VERSIONS += [2.5, "+0.5", "-0.5"]
PG_VERSIONS = [0, -1, -7, 99]


def damage_sqlite(path: Path, damages: list[tuple[str, int, int]]) -> list[str]:
    """``damages`` applied to the SQLite file at ``path``; those that applied, described."""
    done: list[str] = []
    conn = sqlite3.connect(path)
    try:
        for kind, which, other in damages:
            rows = conn.execute(
                "SELECT rowid, originator_id, originator_version, topic, state "
                "FROM stored_events ORDER BY rowid"
            ).fetchall()
            if not rows:
                break
            rowid, stored_id, version, topic, state = rows[which % len(rows)]
            last = rows[-1][0]
            try:
                if kind == "delete":
                    conn.execute("DELETE FROM stored_events WHERE rowid=?", (rowid,))
                elif kind == "version":
                    new = VERSIONS[other % len(VERSIONS)]
                    if new in ("+0.5", "-0.5") and isinstance(version, int):
                        new = version + float(new)  # a REAL, in its place in the log
                    conn.execute(
                        "UPDATE stored_events SET originator_version=? WHERE rowid=?", (new, rowid)
                    )
                elif kind == "move_to_end":
                    conn.execute(
                        "UPDATE stored_events SET rowid=? WHERE rowid=?", (last + 1, rowid)
                    )
                elif kind == "swap_positions":
                    rowid2 = rows[other % len(rows)][0]
                    if rowid2 == rowid:
                        continue
                    conn.execute("UPDATE stored_events SET rowid=-1 WHERE rowid=?", (rowid,))
                    conn.execute("UPDATE stored_events SET rowid=? WHERE rowid=?", (rowid, rowid2))
                    conn.execute("UPDATE stored_events SET rowid=? WHERE rowid=-1", (rowid2,))
                elif kind == "state":
                    conn.execute(
                        "UPDATE stored_events SET state=? WHERE rowid=?", (b"\x00{", rowid)
                    )
                elif kind == "topic":
                    conn.execute(
                        "UPDATE stored_events SET topic=? WHERE rowid=?", (UNKNOWN_TOPIC, rowid)
                    )
                elif kind in ("copy_other_form", "id_other_form"):
                    if not isinstance(stored_id, str) or len(stored_id) != 32:
                        continue
                    forms = _sqlite_forms(stored_id)
                    form = forms[other % len(forms)]
                    if kind == "copy_other_form":
                        conn.execute(
                            "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                            (form, version, topic, state),
                        )
                    else:
                        conn.execute(
                            "UPDATE stored_events SET originator_id=? WHERE rowid=?", (form, rowid)
                        )
                elif kind == "null_topic":
                    conn.execute("UPDATE stored_events SET topic=NULL WHERE rowid=?", (rowid,))
                elif kind == "copy_new_aggregate":
                    conn.execute(
                        "INSERT INTO stored_events VALUES (?, ?, ?, ?)",
                        (uuid.UUID(int=1 + other % 3).hex, version, topic, state),
                    )
            except sqlite3.IntegrityError:
                continue
            done.append(f"{kind}({rowid}, {other})")
        conn.commit()
    finally:
        conn.close()
    return done


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    with MentoringService(f"sqlite:///{path}") as service:
        fill(service)
    return path


@settings(
    max_examples=int(os.environ.get("MENTORING_ATTACK_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damages=DAMAGES, page_size=st.sampled_from(PAGE_SIZES))
def test_sqlite_replay_is_the_same_counted_or_read_whole(
    sqlite_template: Path, tmp_path: Path, damages: list[tuple[str, int, int]], page_size: int
) -> None:
    path = tmp_path / f"damaged-{uuid.uuid4().hex}.db"
    shutil.copy(sqlite_template, path)
    applied = damage_sqlite(path, damages)
    try:
        with MentoringService(f"sqlite:///{path}") as service:
            spans = service.store.recorder.select_spans()
            event("counted by the store" if spans is not None else "not counted")
            counted = outcome(service, page_size, counted=True)
        with MentoringService(f"sqlite:///{path}") as service:
            whole = outcome(service, page_size, counted=False)
    finally:
        path.unlink()
    assert counted == whole, applied
    assert not isinstance(whole, tuple) or whole[0] in NAMED_ERRORS, (applied, whole)


# --- PostgreSQL: typed columns, so fewer damages; one schema, restored per example ----


@pytest.fixture(scope="module")
def postgres_template() -> Iterator[tuple[str, str]]:
    with postgres_store_url("spans") as url:
        with MentoringService(url) as service:
            fill(service)
        schema = url.split("schema=")[1]
        with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
            conn.execute(
                f"CREATE TABLE {schema}.pristine AS SELECT * FROM {schema}.mentoring_events"
            )
        yield url, schema


def damage_postgres(url: str, schema: str, damages: list[tuple[str, int, int]]) -> list[str]:
    done: list[str] = []
    events = f"{schema}.mentoring_events"
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        conn.execute(f"DELETE FROM {events}")
        conn.execute(f"INSERT INTO {events} SELECT * FROM {schema}.pristine")
        for kind, which, other in damages:
            rows = conn.execute(
                f"SELECT notification_id, originator_id, originator_version, topic, state "
                f"FROM {events} ORDER BY notification_id"
            ).fetchall()
            if not rows:
                break
            position, _, version, topic, state = rows[which % len(rows)]
            last = rows[-1][0]
            try:
                if kind == "delete":
                    conn.execute(f"DELETE FROM {events} WHERE notification_id=%s", (position,))
                elif kind == "version":
                    new = PG_VERSIONS[other % len(PG_VERSIONS)]
                    conn.execute(
                        f"UPDATE {events} SET originator_version=%s WHERE notification_id=%s",
                        (new, position),
                    )
                elif kind == "move_to_end":
                    conn.execute(
                        f"UPDATE {events} SET notification_id=%s WHERE notification_id=%s",
                        (last + 1, position),
                    )
                elif kind == "swap_positions":
                    position2 = rows[other % len(rows)][0]
                    if position2 == position:
                        continue
                    for a, b in ((position, -1), (position2, position), (-1, position2)):
                        conn.execute(
                            f"UPDATE {events} SET notification_id=%s WHERE notification_id=%s",
                            (b, a),
                        )
                elif kind == "state":
                    conn.execute(
                        f"UPDATE {events} SET state=%s WHERE notification_id=%s",
                        (b"\x00{", position),
                    )
                elif kind == "topic":
                    conn.execute(
                        f"UPDATE {events} SET topic=%s WHERE notification_id=%s",
                        (UNKNOWN_TOPIC, position),
                    )
                elif kind == "null_topic":
                    conn.execute(
                        f"UPDATE {events} SET topic=NULL WHERE notification_id=%s", (position,)
                    )
                elif kind in ("copy_new_aggregate", "copy_other_form"):
                    conn.execute(
                        f"INSERT INTO {events} (originator_id, originator_version, topic, state, "
                        f"notification_id) VALUES (%s, %s, %s, %s, %s)",
                        (uuid.UUID(int=1 + other % 3), version, topic, state, last + 1),
                    )
                else:
                    continue
            except psycopg.errors.UniqueViolation:
                continue
            done.append(f"{kind}({position}, {other})")
    return done


@settings(
    max_examples=int(os.environ.get("MENTORING_ATTACK_PG_EXAMPLES", "10")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(damages=DAMAGES, page_size=st.sampled_from(PAGE_SIZES))
def test_postgres_replay_is_the_same_counted_or_read_whole(
    postgres_template: tuple[str, str], damages: list[tuple[str, int, int]], page_size: int
) -> None:
    url, schema = postgres_template
    applied = damage_postgres(url, schema, damages)
    with MentoringService(url) as service:
        counted = outcome(service, page_size, counted=True)
    with MentoringService(url) as service:
        whole = outcome(service, page_size, counted=False)
    assert counted == whole, applied
    assert not isinstance(whole, tuple) or whole[0] in NAMED_ERRORS, (applied, whole)


# --- the minimal cases found -----------------------------------------------------------


def _seeded_sqlite(tmp_path: Path) -> tuple[Path, Any]:
    path = tmp_path / "seeded.db"
    with MentoringService(f"sqlite:///{path}") as service:
        pair = seed(service)
    return path, pair


def _both(path: Path, page_size: int = 1000) -> tuple[Any, Any]:
    with MentoringService(f"sqlite:///{path}") as service:
        counted = outcome(service, page_size, counted=True)
    with MentoringService(f"sqlite:///{path}") as service:
        whole = outcome(service, page_size, counted=False)
    return counted, whole


def test_a_real_version_in_its_place_is_a_gap_counted_or_not(tmp_path: Path) -> None:
    """The programme's versions 1, 2.5, 3, 4...: COUNT = MAX and MIN = 1, but SQLite's
    select_spans counts none (a version is not an integer), so the pass over the whole log
    names the two gaps, as it did before the store counted its aggregates."""
    path, pair = _seeded_sqlite(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE stored_events SET originator_version=2.5 "
            "WHERE originator_id=? AND originator_version=2",
            (pair.programme.hex,),
        )
    counted, whole = _both(path)
    assert counted == whole
    assert whole.gap_count == 2


@pytest.mark.parametrize("page_size", [1, 1000])
@pytest.mark.parametrize("version", [None, "x"], ids=["NULL", "text"])
def test_a_version_that_is_no_number_is_reported_not_raised(
    tmp_path: Path, version: object, page_size: int
) -> None:
    """Version 4 of the relationship made a NULL or a text: a gap where it stands, the
    record not decoded, the relationship not rebuilt past version 3; never a TypeError
    (it was one), nor a page read again for ever after a NULL, which sorts first."""
    path, pair = _seeded_sqlite(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE stored_events SET originator_version=? "
            "WHERE originator_id=? AND originator_version=4",
            (version, pair.relationship.hex),
        )
    counted, whole = _both(path, page_size)
    assert counted == whole
    assert [(g.aggregate_id, g.expected, g.found) for g in whole.gaps] == [
        (pair.relationship, 4, version),
        (pair.relationship, 4, 5),
    ]
    assert [(f.aggregate_id, f.version) for f in whole.decode_failures] == [
        (pair.relationship, version)
    ]
    assert [(f.aggregate_id, f.reason) for f in whole.rebuild_failures] == [
        (pair.relationship, "version 5 follows version 3")
    ]


def test_a_null_topic_beside_another_undecodable_record_is_reported_not_raised(
    tmp_path: Path,
) -> None:
    """The failed topics were sorted to read them again, and None and a str do not
    compare (a TypeError)."""
    path, pair = _seeded_sqlite(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE stored_events SET topic=NULL WHERE originator_id=? AND originator_version=4",
            (pair.relationship.hex,),
        )
        conn.execute(
            "UPDATE stored_events SET topic=? WHERE originator_id=? AND originator_version=5",
            (UNKNOWN_TOPIC, pair.relationship.hex),
        )
    counted, whole = _both(path)
    assert counted == whole
    assert whole.decode_failure_count == 2
    assert [(f.version, f.topic) for f in whole.decode_failures] == [
        (4, None),
        (5, UNKNOWN_TOPIC),
    ]  # the record without a topic found too, though no filter by topic matches it
