"""Every attribute of an export line is checked on import against what it is derived from.

docs/audit.md, "The export format": ``source`` is the aggregate's kind and id, ``time``
the event's ``occurred_at``, ``id`` its ``event_id``, ``type`` its type and class
version, ``subject`` its aggregate id; an attribute the export never writes is refused,
as is a JSON object naming one attribute (or data field) twice. The trailer is not
signed, so a forger can recompute it (and the chain): these attributes are bound to the
line's data by the import's checks alone, which refuse the line, naming it and the
attribute, before anything is stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from mentoring_core import MentoringService
from mentoring_core.audit import ExportError, cloud_events, export_events, import_events
from mentoring_core.audit.chain import GENESIS, Record, link_hash

from .test_audit_export_refusals import sealed
from .test_service_contract import seed, stored_count

Doc = dict[str, Any]
MEETING = 8
"""The index of the seeded store's MeetingHeld line (line 9): a relationship's event."""


@pytest.fixture(scope="module")
def good_docs() -> list[Doc]:
    """The eleven CloudEvents of a seeded store, in chain order."""
    with MentoringService("memory://") as service:
        seed(service)
        return list(cloud_events(service))


def copied(docs: list[Doc]) -> list[Doc]:
    result: list[Doc] = json.loads(json.dumps(docs))
    return result


def rechain(docs: list[Doc]) -> None:
    """Recompute every ``chainhash`` in place, as a forger can (the encoding is public);
    a line without ``chainposition`` and ``chainencoding`` is of encoding 1."""
    previous, by_aggregate = GENESIS, dict[tuple[UUID, int], str]()
    for doc in docs:
        aggregate, version = UUID(doc["subject"]), doc["aggregateversion"]
        record = Record(
            sequence=doc["chainsequence"],
            notification_id=doc.get("chainposition", doc["chainsequence"]),
            aggregate_id=aggregate,
            version=version,
            topic=doc["type"].removeprefix("org.mentoring-core.").rsplit(".v", 1)[0],
            state=json.dumps(doc["data"], separators=(",", ":"), ensure_ascii=False).encode(),
            recorded_at=doc["chainrecordedat"],
        )
        before = by_aggregate.get((aggregate, version - 1), GENESIS)
        previous = link_hash(record, previous, before, doc.get("chainencoding", 1))
        doc["chainhash"] = by_aggregate[(aggregate, version)] = previous


def sealed_lines(docs: list[Doc], texts: dict[int, str] | None = None) -> list[str]:
    """``docs`` as export lines (``texts`` replacing some by index) and a trailer
    recomputed to match them, as a forger can (it is not signed)."""
    return sealed(docs, texts=texts)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def refused(path: Path, message: str, url: str = "memory://") -> None:
    """Importing ``path`` is refused with exactly ``message``, and nothing is stored."""
    with MentoringService(url) as imported:
        with pytest.raises(ExportError, match=f"^{re.escape(message)}$"):
            import_events(imported, path)
        assert stored_count(imported) == 0
        assert imported.store.keys.store.rows() == []


def put(name: str, value: Any) -> Callable[[Doc], None]:
    return lambda doc: doc.__setitem__(name, value)


def drop(name: str) -> Callable[[Doc], None]:
    return lambda doc: doc.__delitem__(name)


def programme_source(doc: Doc) -> None:
    doc["source"] = doc["source"].replace(":relationship:", ":programme:")


def other_aggregate(doc: Doc) -> None:
    doc["source"] = f"urn:mentoring-core:relationship:{UUID(int=7)}"


def upper_subject(doc: Doc) -> None:
    doc["subject"] = doc["subject"].upper()


def month_earlier(doc: Doc) -> None:
    doc["time"] = "2026-02-02T10:00:00+00:00"


def other_version(doc: Doc) -> None:
    doc["type"] = "org.mentoring-core.MeetingHeld.v2"


def disagrees(name: str, value: str, expected: str) -> str:
    return (
        f"line 9: the envelope's {name} {value!r} disagrees with its data ({expected!r} "
        "expected): the line was edited"
    )


def missing(name: str) -> str:
    return f"line 9: '{name}' is None; expected a str (is this a mentoring-core export?)"


def meeting(good: list[Doc]) -> Doc:
    return good[MEETING]


# name -> (edit, the refusal given the untouched line): every attribute an export writes
# that the chain hash does not cover, edited so that only it is wrong
UNBOUND: dict[str, list[tuple[str, Callable[[Doc], None], Callable[[Doc], str]]]] = {
    "specversion": [
        (
            "another-version",
            put("specversion", "1.1"),
            lambda d: (
                "line 9: not a CloudEvent 1.0 with application/json data "
                "(specversion '1.1', datacontenttype 'application/json')"
            ),
        ),
    ],
    "datacontenttype": [
        (
            "another-content-type",
            put("datacontenttype", "text/json"),
            lambda d: (
                "line 9: not a CloudEvent 1.0 with application/json data "
                "(specversion '1.0', datacontenttype 'text/json')"
            ),
        ),
    ],
    "id": [
        (
            "another-id",
            put("id", str(UUID(int=5))),
            lambda d: disagrees("id", str(UUID(int=5)), d["data"]["event_id"]),
        ),
        ("no-id", drop("id"), lambda d: missing("id")),
    ],
    "type": [
        (
            "another-class-version",
            other_version,
            lambda d: disagrees("type", "org.mentoring-core.MeetingHeld.v2", d["type"]),
        ),
    ],
    "source": [
        (
            "a-programme",
            programme_source,
            lambda d: disagrees(
                "source", d["source"].replace("relationship", "programme"), d["source"]
            ),
        ),
        (
            "another-aggregate",
            other_aggregate,
            lambda d: disagrees(
                "source", f"urn:mentoring-core:relationship:{UUID(int=7)}", d["source"]
            ),
        ),
        ("no-source", drop("source"), lambda d: missing("source")),
    ],
    "subject": [
        (
            "upper-case",
            upper_subject,
            lambda d: disagrees("subject", d["subject"].upper(), d["subject"]),
        ),
    ],
    "time": [
        (
            "a-month-earlier",
            month_earlier,
            lambda d: disagrees("time", "2026-02-02T10:00:00+00:00", d["data"]["occurred_at"]),
        ),
        ("no-time", drop("time"), lambda d: missing("time")),
        (
            "not-text",
            put("time", 1772445600),
            lambda d: (
                "line 9: 'time' is 1772445600; expected a str (is this a mentoring-core export?)"
            ),
        ),
    ],
    "forged_note": [
        (
            "an-attribute-no-export-writes",
            put("forged_note", "approved by auditor"),
            lambda d: (
                "line 9: attribute 'forged_note' is not one an export writes: the line was edited"
            ),
        ),
    ],
}
UNBOUND_CASES = [
    (case, edit, message) for cases in UNBOUND.values() for case, edit, message in cases
]
HASH_BOUND = {
    "data",
    "aggregateversion",
    "chainsequence",
    "chainhash",
    "chainrecordedat",
    "chainposition",
    "chainencoding",
}
"""The attributes the chain hash covers: an edit of one is refused by the recomputed chain
(unless the forger recomputes it too, which a signed digest of the source catches)."""


def test_every_attribute_an_export_writes_is_checked_here(good_docs: list[Doc]) -> None:
    """A new attribute in the export needs its check on import, and its case here."""
    written = {name for doc in good_docs for name in doc}
    assert written == (set(UNBOUND) - {"forged_note"}) | HASH_BOUND


@pytest.mark.parametrize(
    ("edit", "message"), [c[1:] for c in UNBOUND_CASES], ids=[c[0] for c in UNBOUND_CASES]
)
def test_an_attribute_that_disagrees_with_its_event_is_refused_by_line_and_name(
    tmp_path: Path,
    good_docs: list[Doc],
    edit: Callable[[Doc], None],
    message: Callable[[Doc], str],
) -> None:
    docs = copied(good_docs)
    edit(meeting(docs))
    rechain(docs)  # as a forger would: the chain and the trailer agree with the lines
    refused(write(tmp_path / "forged.jsonl", sealed_lines(docs)), message(meeting(good_docs)))


@pytest.mark.parametrize("name", sorted(HASH_BOUND - {"chainhash"}))
def test_an_attribute_the_chain_covers_is_refused_when_edited_alone(
    tmp_path: Path, good_docs: list[Doc], name: str
) -> None:
    docs = copied(good_docs)
    doc = meeting(docs)
    if name == "data":
        doc["data"]["duration_minutes"] += 1
    elif name == "chainrecordedat":
        doc[name] = doc[name].replace("+00:00", "").rstrip("0123456789") + "000001+00:00"
    else:
        doc[name] = doc[name] + (1 if name != "chainsequence" else -1)
    path = write(tmp_path / "edited.jsonl", sealed_lines(docs))
    with MentoringService("memory://") as imported:
        with pytest.raises(ExportError, match=r"^line (9|12): "):
            import_events(imported, path)
        assert stored_count(imported) == 0


def test_the_reviewers_line_181_is_refused_on_every_store(
    store_url: str, fresh_url: str, tmp_path: Path
) -> None:
    """Issue: a MeetingHeld line given a time a month earlier, a programme's source and an
    extra attribute, the trailer's SHA-256 recomputed, imported (exit 0) and verified
    against the source's signed digest."""
    path = tmp_path / "export.jsonl"
    with MentoringService(store_url) as source, path.open("w", encoding="utf-8") as out:
        seed(source)
        export_events(source, out)
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[:-1]]
    doc = meeting(docs)
    month_earlier(doc)
    programme_source(doc)
    doc["forged_note"] = "approved by auditor"
    message = "line 9: attribute 'forged_note' is not one an export writes: the line was edited"
    refused(write(tmp_path / "forged.jsonl", sealed_lines(docs)), message, fresh_url)
    del doc["forged_note"]
    source_message = disagrees(
        "source", doc["source"], doc["source"].replace("programme", "relationship")
    )
    refused(write(tmp_path / "forged.jsonl", sealed_lines(docs)), source_message, fresh_url)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            lambda line: line.replace('"time":', '"time":"2026-02-02T10:00:00+00:00","time":'),
            "line 9: 'time' appears twice in one JSON object, which readers would take "
            "differently: the line was edited",
        ),
        (
            lambda line: line.replace(
                '"duration_minutes":', '"duration_minutes":5,"duration_minutes":'
            ),
            "line 9: 'data.duration_minutes' appears twice in one JSON object, which readers "
            "would take differently: the line was edited",
        ),
        (
            lambda line: line.replace('"duration_minutes":45', '"duration_minutes":NaN'),
            "line 9: 'data.duration_minutes' is NaN, which is not a JSON value: "
            "the line was edited",
        ),
        (
            lambda line: line.replace('"duration_minutes":45', '"duration_minutes":1e400'),
            "line 9: 'data.duration_minutes' is a number too large for a 64-bit float, "
            "which readers take as infinity or refuse: the line was edited",
        ),
        (
            lambda line: line.replace('"duration_minutes":45', f'"duration_minutes":{"9" * 5000}'),
            "line 9: 'data.duration_minutes' is an integer of 5000 digits, more than the "
            "4300 Python converts: the line was edited",
        ),
    ],
    ids=["attribute-twice", "data-field-twice", "nan", "too-large", "too-long"],
)
def test_json_that_readers_would_take_differently_is_refused(
    tmp_path: Path, good_docs: list[Doc], text: Callable[[str], str], message: str
) -> None:
    """json.loads keeps the last of two equal names (the import saw the true time, a
    reader keeping the first a forged one), and reads NaN, which JSON has not, and 1e400
    as infinity; each is refused naming the line and the member."""
    docs = copied(good_docs)
    line = json.dumps(meeting(docs), separators=(",", ":"), ensure_ascii=False)
    assert text(line) != line
    lines = sealed_lines(docs, {MEETING: text(line)})
    refused(write(tmp_path / "twice.jsonl", lines), message)


TRAILER_EDITS: list[tuple[str, Callable[[Doc], None], str]] = [
    (
        "another-source",
        put("source", "urn:mentoring-core:relationship:x"),
        "line 12: the export trailer's source 'urn:mentoring-core:relationship:x' is not "
        "'urn:mentoring-core:export'",
    ),
    (
        "an-extra-attribute",
        put("signedby", "auditor"),
        "line 12: attribute 'signedby' is not one an export's trailer has: the line was edited",
    ),
    (
        "no-source",
        drop("source"),
        "line 12: the export trailer's source None is not 'urn:mentoring-core:export'",
    ),
]


@pytest.mark.parametrize(
    ("edit", "message"), [t[1:] for t in TRAILER_EDITS], ids=[t[0] for t in TRAILER_EDITS]
)
def test_a_trailer_attribute_the_export_does_not_write_is_refused(
    tmp_path: Path, good_docs: list[Doc], edit: Callable[[Doc], None], message: str
) -> None:
    *lines, trailer_text = sealed_lines(copied(good_docs))
    trailer = json.loads(trailer_text)
    edit(trailer)
    refused(write(tmp_path / "trailer.jsonl", [*lines, json.dumps(trailer)]), message)


def test_an_untouched_line_rewritten_by_another_json_writer_still_imports(
    tmp_path: Path, good_docs: list[Doc]
) -> None:
    """Spaces, key order and escapes are not checked (the line's JSON is): a file passed
    through a JSON tool imports, with the trailer's SHA-256 of the lines as they are."""
    docs = [dict(reversed(list(d.items()))) for d in copied(good_docs)]
    lines = [json.dumps(d, ensure_ascii=True) for d in docs]
    path = write(
        tmp_path / "rewritten.jsonl", sealed_lines(copied(good_docs), dict(enumerate(lines)))
    )
    with MentoringService("memory://") as imported:
        summary = import_events(imported, path)
    assert (summary.records, summary.sealed, summary.hashes_match) == (11, True, True)


def test_a_line_whose_chainencoding_was_lowered_is_refused_naming_it_on_every_store(
    store_url: str, fresh_url: str, tmp_path: Path
) -> None:
    """A real export, one line's ``chainencoding`` edited from 2 to 1 and the trailer's
    SHA-256 recomputed: the import named the aggregate and its version ("the store
    refuses 'MeetingHeld' of aggregate ... at version 3"), where its other refusals name
    the line. Now the line is named, and nothing is stored."""
    path = tmp_path / "export.jsonl"
    with MentoringService(store_url) as source, path.open("w", encoding="utf-8") as out:
        seed(source)
        export_events(source, out)
    lines = path.read_text(encoding="utf-8").splitlines()[:-1]
    docs = [json.loads(line) for line in lines]
    edited = lines[MEETING].replace('"chainencoding":2', '"chainencoding":1')
    assert edited != lines[MEETING]
    message = (
        "line 9: chainencoding 1 after line 8's chainencoding 2: an export's encodings only "
        "rise along the chain, so one of the two lines was edited"
    )
    forged = write(tmp_path / "forged.jsonl", sealed_lines(docs, {MEETING: edited}))
    refused(forged, message, fresh_url)
