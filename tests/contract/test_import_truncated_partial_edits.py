"""An edited line of a partial (one relationship's, or one programme's) export, its
trailer recomputed: what the import can and cannot detect.

docs/audit.md, section 7. A partial export starts a new chain, so its chain hashes are
not re-created by the import. The trailer is an unkeyed SHA-256: it catches accidental
damage, but whoever edits a line can recompute it. A line's ``chainhash`` binds the
hash of the store's previous record (``previous``) and of its aggregate's previous
version (``aggregate_previous``, always a line of the file): where that previous record
is a line of the file too (records written one after another, as one command's events
are), the import recomputes the line's hash and refuses it if it differs; elsewhere the
file does not hold what the hash binds, and an edit with the trailer recomputed is not
detected; nor is one whose editor recomputes the chain hashes as well (the encoding is
public). Tamper evidence is the whole-store export checked against a signed digest.

Issue: a partial export with an actor changed in a line and its trailer's SHA-256
recomputed imported with exit 0, while the docs said an edited line is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit import ExportError, export_events, import_events
from mentoring_core.audit.chain import GENESIS, Record, link_hash

from .test_service_contract import seed, stored_count

Doc = dict[str, Any]


def exported(kind: str) -> tuple[list[Doc], Doc]:
    """The event lines and the trailer of the seeded store's ``kind`` export."""
    out = io.StringIO()
    with MentoringService("memory://") as service:
        seeded = seed(service)
        export_events(service, out, aggregate_id=getattr(seeded, kind))
    *docs, trailer = (json.loads(line) for line in out.getvalue().splitlines())
    return docs, trailer


def forged(path: Path, docs: list[Doc], trailer: Doc) -> Path:
    """``docs`` and ``trailer`` written with the trailer's SHA-256 and last link
    recomputed, as anyone who edits a line can."""
    lines = [json.dumps(doc, separators=(",", ":"), ensure_ascii=False) for doc in docs]
    sha256 = hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()
    last = docs[-1]
    trailer["id"] = trailer["data"]["sha256"] = sha256
    trailer["data"]["last"]["hash"] = last["chainhash"]
    text = json.dumps(trailer, separators=(",", ":"))
    path.write_text("".join(line + "\n" for line in [*lines, text]), encoding="utf-8")
    return path


def edit(doc: Doc) -> None:
    doc["data"]["actor"] = "mallory"


HASH_DIFFERS = (
    "line {}: its chainhash is not the hash of its record and the lines before it: the "
    "line was edited, or the source store does not verify"
)


@pytest.mark.parametrize(
    ("kind", "index"),
    [("relationship", 3), ("relationship", 5), ("programme", 0), ("programme", 3)],
    ids=["meeting", "last-line", "record-1", "enrolment"],
)
def test_an_edited_line_whose_previous_record_is_in_the_file_is_refused(
    store_url: str, tmp_path: Path, kind: str, index: int
) -> None:
    """Relationship lines 3 to 6 are records 8 to 11, each right after the line before
    it; programme lines 1 to 4 are records 1 to 4 (record 1 follows no record)."""
    docs, trailer = exported(kind)
    edit(docs[index])
    path = forged(tmp_path / "forged.jsonl", docs, trailer)
    with MentoringService(store_url) as imported:
        message = HASH_DIFFERS.format(index + 1)
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            import_events(imported, path)
        assert stored_count(imported) == 0
        assert imported.store.keys.store.rows() == []


@pytest.mark.parametrize(
    ("kind", "index"),
    [("relationship", 0), ("relationship", 1), ("programme", 4)],
    ids=["first-line", "after-another-aggregates-record", "last-line"],
)
def test_an_edited_line_after_a_record_the_file_lacks_is_not_detected(
    tmp_path: Path, kind: str, index: int
) -> None:
    """Relationship lines 1 and 2 are records 5 and 7, programme line 5 record 6, each
    right after another aggregate's record: their hash binds one the file does not
    hold. What docs/audit.md says a partial export's trailer does not prove."""
    docs, trailer = exported(kind)
    edit(docs[index])
    with MentoringService("memory://") as imported:
        summary = import_events(imported, forged(tmp_path / "forged.jsonl", docs, trailer))
    assert (summary.records, summary.sealed, summary.complete) == (len(docs), True, False)


def rechain_from(docs: list[Doc], start: int) -> None:
    """Recompute the chainhash of ``docs[start]`` and every line after it whose previous
    record is the line before it, as a forger can (the encoding is public)."""
    for index in range(start, len(docs)):
        doc, before = docs[index], docs[index - 1]
        if before["chainsequence"] != doc["chainsequence"] - 1:
            return
        record = Record(
            sequence=doc["chainsequence"],
            notification_id=doc["chainposition"],
            aggregate_id=UUID(doc["subject"]),
            version=doc["aggregateversion"],
            topic=doc["type"].removeprefix("org.mentoring-core.").rsplit(".v", 1)[0],
            state=json.dumps(doc["data"], separators=(",", ":"), ensure_ascii=False).encode(),
            recorded_at=doc["chainrecordedat"],
        )
        same_aggregate = GENESIS if doc["aggregateversion"] == 1 else before["chainhash"]
        doc["chainhash"] = link_hash(
            record, before["chainhash"], same_aggregate, doc["chainencoding"]
        )


def test_an_edit_whose_chain_hashes_are_recomputed_too_is_not_detected(
    tmp_path: Path,
) -> None:
    docs, trailer = exported("relationship")
    edit(docs[3])
    rechain_from(docs, 3)
    with MentoringService("memory://") as imported:
        summary = import_events(imported, forged(tmp_path / "forged.jsonl", docs, trailer))
    assert (summary.records, summary.sealed) == (6, True)


@pytest.mark.parametrize("kind", ["relationship", "programme"])
def test_an_unedited_partial_export_imports(store_url: str, tmp_path: Path, kind: str) -> None:
    docs, trailer = exported(kind)
    path = forged(tmp_path / "export.jsonl", docs, trailer)
    with MentoringService(store_url) as imported:
        summary = import_events(imported, path)
        assert imported.verify().ok
    assert (summary.records, summary.sealed, summary.complete) == (len(docs), True, False)
