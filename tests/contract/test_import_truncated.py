"""An export cut short at a line boundary, or an empty file, is refused; an export from
before trailers still imports.

docs/audit.md, section 7: every export written since lines carry ``chainposition`` and
``chainencoding`` ends with its trailer (the trailer came first), so a file whose lines
carry them and that has no trailer was cut short (``head -n 100 export.jsonl``, a copy
stopped, a disk filled): the import names the last line read and stores nothing. A file
with no line at all holds nothing to import. A file from before trailers (its lines
without ``chainencoding``) still imports, reported as not sealed.

Issue: ``head -n 100 demo.jsonl > trunc.jsonl`` imported its 100 events with exit 0,
"an export from before trailers", and an empty file imported 0 events.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit import ExportError, export_events, import_events

from .test_service_contract import seed, stored_count

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
V1_EXPORT = FIXTURES / "chain-v1.jsonl"
"""An export whose lines carry no ``chainposition`` nor ``chainencoding`` (encoding 1)."""


def exported(aggregate: bool = False) -> list[str]:
    """The lines of a seeded store's export (one relationship's, if ``aggregate``)."""
    out = io.StringIO()
    with MentoringService("memory://") as service:
        seeded = seed(service)
        export_events(service, out, aggregate_id=seeded.relationship if aggregate else None)
    return out.getvalue().splitlines(keepends=True)


def cut_short(last: int) -> str:
    """The refusal of a file cut short after its line ``last``."""
    return (
        f"line {last}: the last line read, and no export trailer follows it: the file "
        "was cut short (an export whose lines carry chainposition and chainencoding "
        "always ends with its trailer); nothing was imported"
    )


def refused(url: str, path: Path, message: str) -> None:
    with MentoringService(url) as imported:
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            import_events(imported, path)
        assert stored_count(imported) == 0
        assert imported.store.keys.store.rows() == []


@pytest.mark.parametrize("kept", [1, 5, 11], ids=["first-line", "five-lines", "all-but-trailer"])
def test_a_whole_export_cut_at_a_line_boundary_is_refused_naming_its_last_line(
    store_url: str, tmp_path: Path, kept: int
) -> None:
    lines = exported()
    assert len(lines) == 12  # eleven events and the trailer
    path = tmp_path / "cut.jsonl"
    path.write_text("".join(lines[:kept]), encoding="utf-8")
    refused(store_url, path, cut_short(kept))


def test_a_relationship_export_cut_short_is_refused(store_url: str, tmp_path: Path) -> None:
    lines = exported(aggregate=True)
    path = tmp_path / "cut.jsonl"
    path.write_text("".join(lines[:-1]) + "\n\n", encoding="utf-8")  # blank lines after
    refused(store_url, path, cut_short(len(lines) - 1))


NOTHING = (
    "the file holds no line of an export: nothing to import (an export ends with its "
    "trailer, even one of an empty store)"
)


@pytest.mark.parametrize("text", ["", "\n", " \n\n"], ids=["0-bytes", "one-break", "blank"])
def test_an_empty_file_is_refused(store_url: str, tmp_path: Path, text: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(text, encoding="utf-8")
    refused(store_url, path, NOTHING)


def test_an_export_from_before_trailers_still_imports_unsealed(
    store_url: str, tmp_path: Path
) -> None:
    """Its lines carry no chainencoding: a file of that age may have no trailer."""
    lines = V1_EXPORT.read_text(encoding="utf-8").splitlines(keepends=True)
    assert '"chainencoding"' not in "".join(lines[:-1])
    path = tmp_path / "old.jsonl"
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    with MentoringService(store_url) as imported:
        summary = import_events(imported, path)
        assert imported.verify().ok
    assert (summary.records, summary.complete, summary.sealed) == (21, True, False)
    assert summary.hashes_match


def test_an_export_of_an_empty_store_still_imports_nothing(store_url: str, tmp_path: Path) -> None:
    """Its trailer is its only line: sealed, with nothing to store."""
    path = tmp_path / "empty-store.jsonl"
    with MentoringService("memory://") as source, path.open("w", encoding="utf-8") as out:
        export_events(source, out)
    with MentoringService(store_url) as imported:
        summary = import_events(imported, path)
        assert stored_count(imported) == 0
    assert (summary.records, summary.sealed, summary.digest) == (0, True, None)
