"""The read model's stored position, edited around the library (a SQLite store: the
column takes any value there; PostgreSQL's is a ``bigint``).

Reproduced before the fix: a position stored as a text made ``audit verify`` stop with
"unexpected TypeError: '>=' not supported between instances of 'str' and 'int'"; the
tracking table emptied (its ``__migration__`` row gone with the rest) made every
opening of the read model, so ``audit verify`` and every report, fail with "no such
table: tracking": eventsourcing took the table for one of its older form and moved a
table of that name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit.derived import READ_MODEL, check_derived
from mentoring_core.extend import TRACKING_TABLE
from mentoring_core.projections import ComplianceProjection

from .test_read_model_keys import projected
from .test_tamper_evidence import RawStore

TRACKING = TRACKING_TABLE


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("'x'", "'x' (str)"), ("2.5", "2.5 (float)"), ("x'3130'", "b'10' (bytes)")],
)
def test_a_position_not_stored_as_an_integer_is_named(
    store_url: str, stored: str, shown: str
) -> None:
    projected(store_url)
    with RawStore(store_url).sql() as run:
        run(
            f"UPDATE {TRACKING} SET notification_id = {stored} WHERE application_name = 'mentoring'"
        )
    with MentoringService(store_url) as service:
        assert service.verify().ok  # the chain does not cover the read model
        check = check_derived(service)
    assert check.difference_count == 1, check.differences
    assert str(check.differences[0]) == (
        f"{READ_MODEL} of mentoring: its position is stored as {shown}, not as the library "
        "writes it (an integer): the read model is not brought up to date past it (the "
        "store compares the value as stored: a text or a BLOB is above every notification "
        "id); rows were compared as if it had no position"
    )


def test_an_emptied_tracking_table_opens_and_the_read_model_is_rebuilt(store_url: str) -> None:
    seeded = projected(store_url)
    with MentoringService(store_url) as service:
        before = ComplianceProjection(service).programme_facts(seeded.programme)
    with RawStore(store_url).sql() as run:
        run(f"DELETE FROM {TRACKING}")
    with MentoringService(store_url) as service:
        check = check_derived(service)
        projection = ComplianceProjection(service)
        assert projection.position is None
        projection.catch_up()
        after = projection.programme_facts(seeded.programme)
        assert projection.position == service.store.recorder.max_notification_id()
    assert check.ok, check.differences
    assert after == before
    with RawStore(store_url).sql() as run:
        assert run(
            f"SELECT notification_id FROM {TRACKING} WHERE application_name = ?", "__migration__"
        ) == [(1,)]
