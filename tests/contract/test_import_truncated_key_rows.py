"""An import cut off between its events and its key rows, finished by importing the
same file again, says so in its summary (``finished_earlier_import``).

docs/audit.md, section 7. Issue: the summary of the second run differed from a whole
import's only by ``batches`` 0, which the CLI printed as "Imported 11 events in 0
transactions."
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit import ExportError, cloud_events, import_events

from .test_export_attributes import sealed_lines, write
from .test_export_import_keys import Doc, cut_off, refusing
from .test_service_contract import seed


@pytest.fixture(scope="module")
def good_docs() -> list[Doc]:
    """The eleven CloudEvents of a seeded store, in chain order."""
    with MentoringService("memory://") as service:
        seed(service)
        return list(cloud_events(service))


def test_finishing_an_import_cut_off_before_its_key_rows_says_so(
    store_url: str, tmp_path: Path, good_docs: list[Doc]
) -> None:
    if store_url.startswith("memory"):
        pytest.skip("a memory store has no database to refuse a row")
    path = write(tmp_path / "export.jsonl", sealed_lines(good_docs))
    with MentoringService(store_url) as imported:
        with (
            refusing(store_url, "keys"),
            pytest.raises(ExportError, match=f"^{re.escape(cut_off(good_docs))}"),
        ):
            import_events(imported, path)
        finished = import_events(imported, path)
    assert finished.finished_earlier_import
    assert (finished.records, finished.batches) == (11, 0)


def test_a_whole_import_finishes_no_earlier_one(
    store_url: str, tmp_path: Path, good_docs: list[Doc]
) -> None:
    path = write(tmp_path / "export.jsonl", sealed_lines(good_docs))
    with MentoringService(store_url) as imported:
        summary = import_events(imported, path)
    assert not summary.finished_earlier_import
    assert (summary.records, summary.batches) == (11, 1)
