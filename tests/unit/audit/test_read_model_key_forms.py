"""The forms in which the read model files its rows, as ``audit verify`` and the readers
judge them (review of the audit, 1)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import Tracking

from mentoring_core.store import ComplianceView, MemoryComplianceView, StoredFacts
from mentoring_core.store._views import canonical_id, stored_form_fault

AN_ID = UUID("2885d94c-e905-5eaf-8b27-15283d428b42")


@pytest.mark.parametrize(
    "value",
    [AN_ID.hex, AN_ID.hex.upper(), str(AN_ID).upper(), AN_ID.urn, "{" + str(AN_ID) + "}"],
)
def test_another_spelling_of_an_id_is_not_canonical(value: str) -> None:
    assert UUID(value) == AN_ID  # which uuid.UUID reads as the same id
    assert canonical_id(value) is None


@pytest.mark.parametrize("value", [None, 7, b"2885d94c", str(AN_ID).encode(), "x" * 36, ""])
def test_what_is_no_text_of_an_id_is_not_canonical(value: Any) -> None:
    assert canonical_id(value) is None


def test_the_canonical_text_and_a_uuid_are() -> None:
    assert canonical_id(str(AN_ID)) == AN_ID
    assert canonical_id(AN_ID) == AN_ID


@pytest.mark.parametrize(
    ("key", "fault"),
    [
        ((str(AN_ID), str(AN_ID), 3), None),
        ((AN_ID, AN_ID, 3), None),
        ((AN_ID.hex, str(AN_ID), 3), "aggregate_id"),
        ((str(AN_ID), AN_ID.urn, 3), "programme_id"),
        ((str(AN_ID), str(AN_ID), "3"), "version"),
        ((str(AN_ID), str(AN_ID), 3.0), "version"),
    ],
)
def test_a_rows_filing_is_judged_key_first(key: Any, fault: str | None) -> None:
    assert stored_form_fault(key) == fault


def test_a_view_that_lists_no_keys_lists_its_programmes_rows() -> None:
    """The default of :meth:`ComplianceView.stored_keys`, for a view of another backend."""
    view = MemoryComplianceView()
    programme, other = UUID(int=1), UUID(int=2)
    rows = [
        StoredFacts(aggregate_id=a, programme_id=p, kind="relationship", version=1, facts="{}")
        for a, p in ((UUID(int=3), programme), (UUID(int=4), other))
    ]
    view.save_facts(rows, Tracking("app", 1))
    assert list(ComplianceView.stored_keys(view, [programme])) == [(UUID(int=3), programme, 1)]
    assert sorted(view.stored_keys([])) == [(UUID(int=3), programme, 1), (UUID(int=4), other, 1)]
